use std::io::Read;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};
use tracing::instrument;

use crate::schema::{MIGRATIONS, SCHEMA_VERSION};
use crate::{Result, StoreError};

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// An open local store. One `Store` owns the connection that writes.
pub struct Store {
    pub(crate) conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens the store at `path`, creating it if missing and upgrading it in place
    /// if an older build wrote it.
    #[instrument(err)]
    pub fn open(path: &Path) -> Result<Self> {
        let existing_len = match std::fs::metadata(path) {
            Ok(meta) => meta.len(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => 0,
            Err(source) => {
                return Err(StoreError::Io {
                    path: path.into(),
                    source,
                });
            }
        };
        if existing_len > 0 {
            check_before_writing(path)?;
        }
        quorum_sqlite::private::prepare_database(path).map_err(|source| StoreError::Io {
            path: path.into(),
            source,
        })?;
        let conn = quorum_sqlite::open_migrated::<StoreError>(
            path,
            &MIGRATIONS,
            quorum_sqlite::Durability::Normal,
        )?;
        Ok(Self {
            conn,
            path: path.into(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Refuses, without writing a byte, a file that is not a database, is damaged, or was
/// written by a newer build. Opening it for writing would switch its journal mode.
fn check_before_writing(path: &Path) -> Result<()> {
    let mut header = [0u8; 16];
    let read_header = std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut header));
    match read_header {
        Ok(()) if &header == SQLITE_MAGIC => {}
        Ok(()) => return Err(StoreError::NotADatabase { path: path.into() }),
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            return Err(StoreError::NotADatabase { path: path.into() });
        }
        Err(source) => {
            return Err(StoreError::Io {
                path: path.into(),
                source,
            });
        }
    }

    let corrupt = |e: rusqlite::Error| StoreError::Corrupt {
        path: path.into(),
        detail: e.to_string(),
    };
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(corrupt)?;
    let found: i64 = conn
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(corrupt)?;
    if found > SCHEMA_VERSION as i64 {
        return Err(StoreError::TooNew {
            path: path.into(),
            found,
            supported: SCHEMA_VERSION,
        });
    }
    let verdict: String = conn
        .pragma_query_value(None, "quick_check", |row| row.get(0))
        .map_err(corrupt)?;
    if verdict != "ok" {
        return Err(StoreError::Corrupt {
            path: path.into(),
            detail: verdict,
        });
    }
    Ok(())
}
