//! How every Quorum SQLite database is opened, the laptop's store and the hub's alike.

use std::path::Path;
use std::time::Duration;

use rusqlite::Connection;
use rusqlite_migration::Migrations;
use tracing::info;

/// Opens `path` with WAL, foreign keys and a busy timeout, and applies `migrations`
/// up to the latest. A database written by an older build is upgraded in place.
pub fn open_migrated<E>(path: &Path, migrations: &Migrations<'_>) -> Result<Connection, E>
where
    E: From<rusqlite::Error> + From<rusqlite_migration::Error>,
{
    let mut conn = Connection::open(path)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    // WAL with NORMAL survives a process crash; only a power cut can lose the last commits.
    conn.pragma_update(None, "synchronous", "NORMAL")?;
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
