//! How every Quorum SQLite database is opened, the laptop's store and the hub's alike.

use std::path::Path;
use std::time::Duration;

use rusqlite::Connection;
use rusqlite_migration::Migrations;
use tracing::info;

/// How hard a commit insists on reaching the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// WAL with `synchronous=NORMAL`: survives a process crash; a power cut can lose the
    /// last commits. For a laptop, whose outbox keeps what the hub has not acknowledged.
    Normal,
    /// `synchronous=FULL`: a commit is on disk before it returns. For the hub, which
    /// acknowledges ballots that laptops then drop from their outbox.
    Full,
}

/// Opens `path` with WAL, foreign keys and a busy timeout, and applies `migrations`
/// up to the latest. A database written by an older build is upgraded in place.
pub fn open_migrated<E>(
    path: &Path,
    migrations: &Migrations<'_>,
    durability: Durability,
) -> Result<Connection, E>
where
    E: From<rusqlite::Error> + From<rusqlite_migration::Error>,
{
    let mut conn = Connection::open(path)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    let synchronous = match durability {
        Durability::Normal => "NORMAL",
        Durability::Full => "FULL",
    };
    conn.pragma_update(None, "synchronous", synchronous)?;
    let version = |conn: &Connection| {
        conn.pragma_query_value(None, "user_version", |row| row.get::<_, i64>(0))
    };
    let before = version(&conn)?;
    migrations.to_latest(&mut conn)?;
    let after = version(&conn)?;
    if before != after {
        info!(path = %path.display(), from = before, to = after, "database upgraded");
    }
    Ok(conn)
}
