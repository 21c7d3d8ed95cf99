//! One connection to the hub's records, on SQLite (the embedded default) or PostgreSQL
//! (a hub past one machine). The hub's statements are written once, in the SQL both
//! engines share, with `?N` placeholders; values cross in SQLite's vocabulary (integer,
//! text, null; rusqlite's `ToSql`/`FromSql`), so a record reads back the same from either
//! engine, timestamps included. What differs between the engines stays in this module:
//! placeholder syntax, transactions, and how a PostgreSQL column becomes a value.
//!
//! Statements run on the calling (blocking) thread; the hub calls them from
//! [`crate::Hub::with_store`] only.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use postgres::fallible_iterator::FallibleIterator;
use postgres::types::{IsNull, ToSql as PgToSql, Type as PgType};
use rusqlite::types::{FromSql, ToSql, Value, ValueRef};
use rustls::pki_types::pem::PemObject;

/// A failed statement, from either engine, or a column that did not read as asked.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    /// With its causes: the client library's own words alone ("db error", "error
    /// performing TLS handshake") do not say what went wrong.
    #[error("{}", with_causes(.0))]
    Postgres(#[from] postgres::Error),
    #[error("column {index} holds a value of type {found}, which the hub does not store")]
    UnknownColumnType { index: usize, found: String },
    #[error("column {index}: {source}")]
    Column {
        index: usize,
        source: rusqlite::types::FromSqlError,
    },
    #[error("the statement returned no row")]
    NoRow,
    #[error("the transaction failed earlier and was not committed")]
    TransactionFailed,
    #[error("the connection to the database was lost")]
    ConnectionLost,
    #[error("the database server's certificate authority in {file} cannot be used: {reason}")]
    RootCertificate { file: String, reason: String },
    #[error("TLS to the database cannot be set up: {0}")]
    Tls(rustls::Error),
}

pub type DbResult<T> = Result<T, DbError>;

/// `error` and each error it was caused by, from the outermost: "a: b: c".
fn with_causes(error: &dyn std::error::Error) -> String {
    let mut said = error.to_string();
    let mut cause = error.source();
    while let Some(reason) = cause {
        said.push_str(": ");
        said.push_str(&reason.to_string());
        cause = reason.source();
    }
    said
}

/// `.optional()` for a statement expected to return at most one row.
pub trait OptionalRow<T> {
    fn optional(self) -> DbResult<Option<T>>;
}

impl<T> OptionalRow<T> for DbResult<T> {
    fn optional(self) -> DbResult<Option<T>> {
        match self {
            Ok(value) => Ok(Some(value)),
            Err(DbError::NoRow) => Ok(None),
            Err(DbError::Sqlite(rusqlite::Error::QueryReturnedNoRows)) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// A statement's parameters: `params![…]`, an array of one type, or `()` for none.
pub trait Args {
    fn into_values(self) -> DbResult<Vec<Value>>;
}

pub(crate) fn value_of(arg: &dyn ToSql) -> DbResult<Value> {
    use rusqlite::types::ToSqlOutput;
    Ok(match arg.to_sql()? {
        ToSqlOutput::Borrowed(borrowed) => Value::try_from(borrowed)
            .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?,
        ToSqlOutput::Owned(owned) => owned,
        // The hub binds no blob handles or pointers.
        _ => Value::Null,
    })
}

impl Args for &[&dyn ToSql] {
    fn into_values(self) -> DbResult<Vec<Value>> {
        self.iter().map(|arg| value_of(*arg)).collect()
    }
}

impl<T: ToSql, const N: usize> Args for [T; N] {
    fn into_values(self) -> DbResult<Vec<Value>> {
        self.iter().map(|arg| value_of(arg)).collect()
    }
}

impl Args for () {
    fn into_values(self) -> DbResult<Vec<Value>> {
        Ok(Vec::new())
    }
}

impl Args for Vec<Value> {
    fn into_values(self) -> DbResult<Vec<Value>> {
        Ok(self)
    }
}

/// One connection, lent to one thread at a time.
pub struct Db {
    engine: Connected,
    /// Savepoints open inside the current transaction, for their names.
    depth: Cell<usize>,
}

enum Connected {
    Sqlite(rusqlite::Connection),
    Postgres(Box<Pg>),
}

struct Pg {
    /// `None` only while being dropped (see `Drop for Pg`).
    client: RefCell<Option<postgres::Client>>,
    /// Prepared once per connection: PostgreSQL plans a statement on preparing it.
    statements: RefCell<HashMap<String, postgres::Statement>>,
    /// A statement failed inside the open transaction, and no savepoint took it back:
    /// PostgreSQL would turn its COMMIT into a ROLLBACK without saying so.
    failed: Cell<bool>,
    /// Inside a transaction, a lost connection loses it: the work fails and is not
    /// answered as done. Outside one, the next statement connects again.
    in_transaction: Cell<bool>,
    /// The server closed the connection (or is restarting): the next statement outside a
    /// transaction connects again.
    lost: Cell<bool>,
    url: String,
}

/// A row of a result, from either engine.
pub enum Row<'a> {
    Sqlite(&'a rusqlite::Row<'a>),
    Postgres(&'a postgres::Row),
}

impl Row<'_> {
    /// Column `index`, read as SQLite would read it.
    pub fn get<T: FromSql>(&self, index: usize) -> DbResult<T> {
        match self {
            Row::Sqlite(row) => Ok(row.get(index)?),
            Row::Postgres(row) => {
                let value = pg_column(row, index)?;
                T::column_result(ValueRef::from(&value))
                    .map_err(|source| DbError::Column { index, source })
            }
        }
    }
}

/// A PostgreSQL column as the SQLite value the hub would have stored.
fn pg_column(row: &postgres::Row, index: usize) -> DbResult<Value> {
    let column_type = row.columns()[index].type_().clone();
    let value = match column_type {
        PgType::INT8 => row.try_get::<_, Option<i64>>(index)?.map(Value::Integer),
        PgType::INT4 => row
            .try_get::<_, Option<i32>>(index)?
            .map(|v| Value::Integer(v.into())),
        PgType::INT2 => row
            .try_get::<_, Option<i16>>(index)?
            .map(|v| Value::Integer(v.into())),
        PgType::BOOL => row
            .try_get::<_, Option<bool>>(index)?
            .map(|v| Value::Integer(v.into())),
        PgType::FLOAT8 => row.try_get::<_, Option<f64>>(index)?.map(Value::Real),
        PgType::TEXT | PgType::VARCHAR | PgType::NAME | PgType::BPCHAR => {
            row.try_get::<_, Option<String>>(index)?.map(Value::Text)
        }
        PgType::BYTEA => row.try_get::<_, Option<Vec<u8>>>(index)?.map(Value::Blob),
        other => {
            return Err(DbError::UnknownColumnType {
                index,
                found: other.name().to_string(),
            });
        }
    };
    Ok(value.unwrap_or(Value::Null))
}

/// A SQLite value bound to a PostgreSQL parameter of whatever integer or text type the
/// statement gives it.
#[derive(Debug)]
struct PgValue(Value);

impl PgToSql for PgValue {
    fn to_sql(
        &self,
        ty: &PgType,
        out: &mut postgres::types::private::BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match &self.0 {
            Value::Null => Ok(IsNull::Yes),
            Value::Integer(v) => match *ty {
                PgType::INT4 => PgToSql::to_sql(&i32::try_from(*v)?, ty, out),
                PgType::INT2 => PgToSql::to_sql(&i16::try_from(*v)?, ty, out),
                PgType::BOOL => PgToSql::to_sql(&(*v != 0), ty, out),
                PgType::FLOAT8 => PgToSql::to_sql(&(*v as f64), ty, out),
                PgType::TEXT | PgType::VARCHAR => PgToSql::to_sql(&v.to_string(), ty, out),
                _ => PgToSql::to_sql(v, ty, out),
            },
            Value::Real(v) => PgToSql::to_sql(v, ty, out),
            Value::Text(v) => PgToSql::to_sql(v, ty, out),
            Value::Blob(v) => PgToSql::to_sql(v, ty, out),
        }
    }

    fn accepts(_: &PgType) -> bool {
        // Checked value by value in `to_sql`, whose error names the mismatch.
        true
    }

    postgres::types::to_sql_checked!();
}

/// Rows one statement carries at most when it writes or looks up several.
const ROWS_PER_STATEMENT: usize = 64;

/// `items` cut into what one statement each carries: 64, 32, … 1 of them, so that a
/// handful of statement shapes stay prepared whatever the number of items.
pub fn batches<T>(items: Vec<T>) -> impl Iterator<Item = Vec<T>> {
    let mut items = items.into_iter();
    std::iter::from_fn(move || {
        let count = items
            .len()
            .checked_ilog2()
            .map(|log| ROWS_PER_STATEMENT.min(1 << log))?;
        Some(items.by_ref().take(count).collect())
    })
}

/// `rows` parenthesised lists of `columns` placeholders, numbered from `?1` on:
/// `(?1, ?2), (?3, ?4)`.
pub fn value_rows(rows: usize, columns: usize) -> String {
    (0..rows)
        .map(|row| {
            let row: Vec<String> = (1..=columns)
                .map(|column| format!("?{}", row * columns + column))
                .collect();
            format!("({})", row.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `?1`-style placeholders as PostgreSQL's `$1`.
fn postgres_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '?' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('$');
        } else {
            out.push(c);
        }
    }
    out
}

impl Db {
    pub fn sqlite(conn: rusqlite::Connection) -> Self {
        // Every statement the hub runs stays prepared: one push alone runs some twenty,
        // and rusqlite's default of sixteen made them evict each other, so each was
        // parsed again every time.
        conn.set_prepared_statement_cache_capacity(STATEMENTS_KEPT);
        Self {
            engine: Connected::Sqlite(conn),
            depth: Cell::new(0),
        }
    }

    /// Connects to the PostgreSQL database at `url`; a connection lost later (the server
    /// restarted) is made again by the next statement outside a transaction.
    pub fn postgres(url: &str) -> DbResult<Self> {
        let client = connect_postgres(url)?;
        Ok(Self {
            engine: Connected::Postgres(Box::new(Pg {
                client: RefCell::new(Some(client)),
                statements: RefCell::default(),
                failed: Cell::new(false),
                in_transaction: Cell::new(false),
                lost: Cell::new(false),
                url: url.to_string(),
            })),
            depth: Cell::new(0),
        })
    }

    /// The PostgreSQL server process serving this connection, which names the notices it
    /// sends ([`listen_for_feed_notices`]); `None` on SQLite.
    pub fn backend_pid(&self) -> DbResult<Option<i32>> {
        match &self.engine {
            Connected::Sqlite(_) => Ok(None),
            Connected::Postgres(_) => Ok(Some(self.query_row(
                "SELECT pg_backend_pid()",
                (),
                |row| row.get(0),
            )?)),
        }
    }

    /// The SQLite connection, for what only SQLite does (pragmas).
    #[cfg(test)]
    pub fn as_sqlite(&self) -> Option<&rusqlite::Connection> {
        match &self.engine {
            Connected::Sqlite(conn) => Some(conn),
            Connected::Postgres(_) => None,
        }
    }

    /// Runs statements without parameters, one after the other.
    pub fn execute_batch(&self, sql: &str) -> DbResult<()> {
        match &self.engine {
            Connected::Sqlite(conn) => Ok(conn.execute_batch(sql)?),
            Connected::Postgres(pg) => pg.run(|client| client.batch_execute(sql)),
        }
    }

    /// Runs one statement; returns the number of rows it changed.
    pub fn execute(&self, sql: &str, args: impl Args) -> DbResult<usize> {
        let values = args.into_values()?;
        match &self.engine {
            Connected::Sqlite(conn) => Ok(conn
                .prepare_cached(sql)?
                .execute(rusqlite::params_from_iter(values))?),
            Connected::Postgres(pg) => {
                let params = pg_params(values);
                let changed = pg.with_statement(sql, |client, statement| {
                    client.execute(statement, &as_pg_refs(&params))
                })?;
                Ok(usize::try_from(changed).unwrap_or(usize::MAX))
            }
        }
    }

    /// The first row of a query, mapped by `map`; [`DbError::NoRow`] when there is none
    /// (see [`OptionalRow::optional`]).
    pub fn query_row<T>(
        &self,
        sql: &str,
        args: impl Args,
        map: impl FnOnce(&Row<'_>) -> DbResult<T>,
    ) -> DbResult<T> {
        let values = args.into_values()?;
        match &self.engine {
            Connected::Sqlite(conn) => {
                let mut statement = conn.prepare_cached(sql)?;
                let mut rows = statement.query(rusqlite::params_from_iter(values))?;
                match rows.next()? {
                    Some(row) => map(&Row::Sqlite(row)),
                    None => Err(DbError::NoRow),
                }
            }
            Connected::Postgres(pg) => {
                let params = pg_params(values);
                let row = pg.with_statement(sql, |client, statement| {
                    client.query_opt(statement, &as_pg_refs(&params))
                })?;
                match row {
                    Some(row) => map(&Row::Postgres(&row)),
                    None => Err(DbError::NoRow),
                }
            }
        }
    }

    /// Every row of a query, mapped by `map`, in the order the query gives them.
    pub fn query_map<T>(
        &self,
        sql: &str,
        args: impl Args,
        mut map: impl FnMut(&Row<'_>) -> DbResult<T>,
    ) -> DbResult<Vec<T>> {
        let values = args.into_values()?;
        match &self.engine {
            Connected::Sqlite(conn) => {
                let mut statement = conn.prepare_cached(sql)?;
                let mut rows = statement.query(rusqlite::params_from_iter(values))?;
                let mut mapped = Vec::new();
                while let Some(row) = rows.next()? {
                    mapped.push(map(&Row::Sqlite(row))?);
                }
                Ok(mapped)
            }
            Connected::Postgres(pg) => {
                let params = pg_params(values);
                let rows = pg.with_statement(sql, |client, statement| {
                    client.query(statement, &as_pg_refs(&params))
                })?;
                rows.iter().map(|row| map(&Row::Postgres(row))).collect()
            }
        }
    }

    /// Begins a transaction that takes the write lock at once (SQLite's `IMMEDIATE`), so
    /// it never fails half-way for want of it. Rolled back unless committed.
    pub fn transaction(&self) -> DbResult<Transaction<'_>> {
        let begin = match self.engine {
            Connected::Sqlite(_) => "BEGIN IMMEDIATE",
            Connected::Postgres(_) => "BEGIN",
        };
        self.execute_batch(begin)?;
        if let Connected::Postgres(pg) = &self.engine {
            pg.failed.set(false);
            pg.in_transaction.set(true);
        }
        self.depth.set(0);
        Ok(Transaction {
            db: self,
            open: true,
        })
    }

    /// Tells the other hub processes on this database, once the transaction commits,
    /// that `committee_id`'s feed reached `seq` (PostgreSQL's NOTIFY, delivered only on
    /// commit). One SQLite file has one hub process: nothing to tell.
    pub fn tell_other_processes(&self, committee_id: &str, seq: i64) -> DbResult<()> {
        if let Connected::Postgres(_) = &self.engine {
            self.query_row(
                "SELECT pg_notify(?1, ?2)",
                [FEED_CHANNEL.to_string(), format!("{committee_id} {seq}")],
                |_| Ok(()),
            )?;
        }
        Ok(())
    }

    /// Whether the open transaction can still commit what it holds: SQLite ends one by
    /// itself on some failures (a full disk), and PostgreSQL refuses to commit one in
    /// which a statement failed outside a savepoint. The caller must then not report
    /// its work as done.
    pub fn can_commit(&self) -> bool {
        match &self.engine {
            Connected::Sqlite(conn) => !conn.is_autocommit(),
            Connected::Postgres(pg) => !pg.failed.get(),
        }
    }

    /// Whether the engine still holds the transaction open (SQLite ends one by itself
    /// on some failures; PostgreSQL keeps a failed one until it is rolled back).
    fn transaction_open(&self) -> bool {
        match &self.engine {
            Connected::Sqlite(conn) => !conn.is_autocommit(),
            Connected::Postgres(_) => true,
        }
    }

    fn rollback(&self) {
        if self.transaction_open()
            && let Err(e) = self.execute_batch("ROLLBACK")
        {
            tracing::warn!(error = %e, "a transaction could not be rolled back");
        }
        self.transaction_ended();
    }

    fn transaction_ended(&self) {
        if let Connected::Postgres(pg) = &self.engine {
            pg.in_transaction.set(false);
        }
    }
}

impl Pg {
    /// Runs `work`, noting a failure inside the open transaction.
    fn run<T>(
        &self,
        work: impl FnOnce(&mut postgres::Client) -> Result<T, postgres::Error>,
    ) -> DbResult<T> {
        self.reconnect_if_lost()?;
        let mut client = self.client.borrow_mut();
        let result = work(client.as_mut().expect("the client is open until dropped"));
        if let Err(e) = &result {
            self.failed.set(true);
            if connection_lost(e) {
                self.lost.set(true);
            }
        }
        Ok(result?)
    }

    /// Connects again if the server closed the connection (a restart) outside a
    /// transaction; the statements prepared on the old one go with it.
    fn reconnect_if_lost(&self) -> DbResult<()> {
        let lost = self.lost.get()
            || self
                .client
                .borrow()
                .as_ref()
                .is_some_and(postgres::Client::is_closed);
        if lost && !self.in_transaction.get() {
            let fresh = connect_postgres(&self.url)?;
            *self.client.borrow_mut() = Some(fresh);
            self.statements.borrow_mut().clear();
            self.lost.set(false);
            tracing::info!("connected to the database again");
        }
        Ok(())
    }

    fn with_statement<T>(
        &self,
        sql: &str,
        work: impl FnOnce(&mut postgres::Client, &postgres::Statement) -> Result<T, postgres::Error>,
    ) -> DbResult<T> {
        self.reconnect_if_lost()?;
        let cached = self.statements.borrow().get(sql).cloned();
        let statement = match cached {
            Some(statement) => statement,
            None => {
                let prepared = self.run(|client| client.prepare(&postgres_placeholders(sql)))?;
                self.statements
                    .borrow_mut()
                    .insert(sql.to_string(), prepared.clone());
                prepared
            }
        };
        self.run(|client| work(client, &statement))
    }
}

impl Drop for Pg {
    /// The blocking client owns a small runtime of its own, which tokio refuses to drop
    /// on a thread that drives async tasks (where the last clone of a hub may go): it is
    /// dropped on a thread of its own.
    fn drop(&mut self) {
        if let Some(client) = self.client.get_mut().take()
            && tokio::runtime::Handle::try_current().is_ok()
        {
            std::thread::spawn(move || drop(client));
        }
    }
}

/// Whether `error` means the connection is gone: closed, or the server shutting down
/// or restarting.
fn connection_lost(error: &postgres::Error) -> bool {
    use postgres::error::SqlState;
    error.is_closed()
        || error.code().is_some_and(|code| {
            [
                SqlState::ADMIN_SHUTDOWN,
                SqlState::CRASH_SHUTDOWN,
                SqlState::CANNOT_CONNECT_NOW,
            ]
            .contains(code)
        })
}

/// A connection whose transaction the server ends when its process stops in the middle
/// of one (frozen, or cut off from the network): the rows it holds would otherwise stop
/// every other hub process writing the same feed.
fn connect_postgres(url: &str) -> DbResult<postgres::Client> {
    let mut client = postgres_client(url)?;
    client.batch_execute("SET idle_in_transaction_session_timeout = '15s'")?;
    Ok(client)
}

/// The system's certificate authorities, read once: every reader and reconnection of
/// the hub opens a connection.
static SYSTEM_ROOTS: std::sync::LazyLock<Vec<rustls::pki_types::CertificateDer<'static>>> =
    std::sync::LazyLock::new(|| rustls_native_certs::load_native_certs().certs);

/// A connection to the PostgreSQL server at `url`, over TLS whenever the server offers it
/// (`sslmode=prefer`, the default) or the URL demands it (`sslmode=require`): ballots
/// and tokens cross that link. The server's certificate must chain to the system's roots
/// or to libpq's `sslrootcert=FILE` named in the URL, and name the host the URL names; a
/// server that cannot show one is refused, never used unencrypted instead.
fn postgres_client(url: &str) -> DbResult<postgres::Client> {
    let (url, root_file) = take_root_certificate(url);
    let mut roots = rustls::RootCertStore::empty();
    roots.add_parsable_certificates(SYSTEM_ROOTS.iter().cloned());
    if let Some(file) = root_file {
        let unusable = |reason: String| DbError::RootCertificate {
            file: file.clone(),
            reason,
        };
        let certificates = rustls::pki_types::CertificateDer::pem_file_iter(&file)
            .and_then(|certificates| certificates.collect::<Result<Vec<_>, _>>())
            .map_err(|e| unusable(e.to_string()))?;
        for certificate in certificates {
            roots
                .add(certificate)
                .map_err(|e| unusable(e.to_string()))?;
        }
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(DbError::Tls)?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let tls = tokio_postgres_rustls::MakeRustlsConnect::new(config);
    Ok(postgres::Client::connect(&url, tls)?)
}

/// `url` without its `sslrootcert=FILE` parameter (libpq's, which the client library
/// does not read), and that file.
fn take_root_certificate(url: &str) -> (String, Option<String>) {
    let Some((base, query)) = url.split_once('?') else {
        return (url.to_string(), None);
    };
    let mut root = None;
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| match pair.strip_prefix("sslrootcert=") {
            Some(file) => {
                root = Some(file.to_string());
                false
            }
            None => true,
        })
        .collect();
    let url = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    (url, root)
}

fn pg_params(values: Vec<Value>) -> Vec<PgValue> {
    values.into_iter().map(PgValue).collect()
}

fn as_pg_refs(values: &[PgValue]) -> Vec<&(dyn PgToSql + Sync)> {
    values
        .iter()
        .map(|value| value as &(dyn PgToSql + Sync))
        .collect()
}

/// An open transaction; statements run on it through `Deref`.
pub struct Transaction<'a> {
    db: &'a Db,
    open: bool,
}

impl Transaction<'_> {
    pub fn commit(mut self) -> DbResult<()> {
        self.open = false;
        let failed = matches!(&self.db.engine, Connected::Postgres(pg) if pg.failed.get());
        let ended = if failed {
            self.db
                .execute_batch("ROLLBACK")
                .and(Err(DbError::TransactionFailed))
        } else {
            self.db.execute_batch("COMMIT")
        };
        self.db.transaction_ended();
        ended
    }

    /// A savepoint inside this transaction: what runs on it is taken back unless it is
    /// committed, and the transaction goes on either way.
    pub fn savepoint(&self) -> DbResult<Savepoint<'_>> {
        let depth = self.db.depth.get() + 1;
        let name = format!("push_{depth}");
        self.db.execute_batch(&format!("SAVEPOINT {name}"))?;
        self.db.depth.set(depth);
        Ok(Savepoint {
            db: self.db,
            name,
            open: true,
        })
    }
}

impl std::ops::Deref for Transaction<'_> {
    type Target = Db;
    fn deref(&self) -> &Db {
        self.db
    }
}

impl Drop for Transaction<'_> {
    fn drop(&mut self) {
        if self.open {
            self.db.rollback();
        }
    }
}

/// A savepoint; see [`Transaction::savepoint`].
pub struct Savepoint<'a> {
    db: &'a Db,
    name: String,
    open: bool,
}

impl Savepoint<'_> {
    pub fn commit(mut self) -> DbResult<()> {
        self.open = false;
        self.db.depth.set(self.db.depth.get().saturating_sub(1));
        self.db.execute_batch(&format!("RELEASE {}", self.name))
    }
}

impl std::ops::Deref for Savepoint<'_> {
    type Target = Db;
    fn deref(&self) -> &Db {
        self.db
    }
}

impl Drop for Savepoint<'_> {
    fn drop(&mut self) {
        if !self.open {
            return;
        }
        self.db.depth.set(self.db.depth.get().saturating_sub(1));
        if !self.db.transaction_open() {
            return;
        }
        let undo = format!("ROLLBACK TO {0}; RELEASE {0}", self.name);
        match self.db.execute_batch(&undo) {
            Ok(()) => {
                // Taken back to the savepoint, the transaction is as sound as it was
                // when the savepoint began, which it must have been to begin one.
                if let Connected::Postgres(pg) = &self.db.engine {
                    pg.failed.set(false);
                }
            }
            Err(e) => tracing::warn!(error = %e, "a savepoint could not be rolled back"),
        }
    }
}

/// The channel [`Db::tell_other_processes`] speaks on.
/// More than every distinct statement the hub runs, so none is ever parsed twice.
const STATEMENTS_KEPT: usize = 256;

const FEED_CHANNEL: &str = "quorum_feed";

/// Waits for the feed notices other hub processes send on the PostgreSQL database at
/// `url`, calling `heard(committee_id, seq)` for each, until `stop()` says so (checked at
/// least once a second). Notices sent by the connection `own` (this process's own
/// writes, which it announced already) are passed over. Blocking: run it on a thread of
/// its own.
pub fn listen_for_feed_notices(
    url: &str,
    own: Option<i32>,
    stop: impl Fn() -> bool,
    mut heard: impl FnMut(&str, u64),
) -> DbResult<()> {
    let mut client = postgres_client(url)?;
    client.batch_execute(&format!("LISTEN {FEED_CHANNEL}"))?;
    while !stop() {
        {
            let mut notifications = client.notifications();
            let mut waiting = notifications.timeout_iter(std::time::Duration::from_secs(1));
            while let Some(notification) = FallibleIterator::next(&mut waiting)? {
                if Some(notification.process_id()) == own {
                    continue;
                }
                if let Some((committee_id, seq)) = notification.payload().split_once(' ')
                    && let Ok(seq) = seq.parse()
                {
                    heard(committee_id, seq);
                }
            }
        }
        if client.is_closed() {
            return Err(DbError::ConnectionLost);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_postgres_numbered_parameters() {
        assert_eq!(
            postgres_placeholders("SELECT a FROM t WHERE b = ?1 AND c > ?12 AND d = '?'"),
            "SELECT a FROM t WHERE b = $1 AND c > $12 AND d = '?'",
            "numbered placeholders change, a lone question mark does not"
        );
    }

    #[test]
    fn a_batch_is_cut_into_a_few_statement_shapes() {
        let cut = |items: usize| -> Vec<usize> {
            batches((0..items).collect())
                .map(|batch| batch.len())
                .collect()
        };
        assert_eq!(cut(250), [64, 64, 64, 32, 16, 8, 2]);
        assert_eq!(cut(1), [1]);
        assert!(cut(0).is_empty());
        assert_eq!(value_rows(2, 3), "(?1, ?2, ?3), (?4, ?5, ?6)");
    }

    #[test]
    fn the_root_certificate_is_taken_out_of_the_url_and_the_rest_kept() {
        assert_eq!(
            take_root_certificate("postgres://h/db?sslmode=require&sslrootcert=/etc/ca.crt"),
            (
                "postgres://h/db?sslmode=require".to_string(),
                Some("/etc/ca.crt".to_string())
            )
        );
        assert_eq!(
            take_root_certificate("postgres://h/db?sslrootcert=ca.pem"),
            ("postgres://h/db".to_string(), Some("ca.pem".to_string()))
        );
        assert_eq!(
            take_root_certificate("postgres://h/db"),
            ("postgres://h/db".to_string(), None)
        );
    }
}
