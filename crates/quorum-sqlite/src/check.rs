//! The look at a database file before anything opens it for writing: opening a file
//! for writing would already switch its journal mode, so what is refused is refused
//! without a byte changed.

use std::io::Read;
use std::path::Path;

use rusqlite::{Connection, OpenFlags};

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Why a database file was left as it is.
#[derive(Debug, thiserror::Error)]
pub enum Untouched {
    #[error("it is not an SQLite database")]
    NotADatabase,
    #[error("it is damaged: {0}")]
    Corrupt(String),
    #[error("a newer Quorum wrote it (version {found}; this build reads up to {supported})")]
    TooNew { found: i64, supported: usize },
    #[error("it cannot be read: {0}")]
    Unreadable(#[source] std::io::Error),
}

/// Refuses a file that is not a database, is damaged, or was written by a build whose
/// schema is past `supported` migrations. A missing or empty file is a new database.
pub fn check_before_writing(path: &Path, supported: usize) -> Result<(), Untouched> {
    let mut header = [0u8; 16];
    let read_header = std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut header));
    match read_header {
        Ok(()) if &header == SQLITE_MAGIC => {}
        Ok(()) => return Err(Untouched::NotADatabase),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            let empty = std::fs::metadata(path).is_ok_and(|meta| meta.len() == 0);
            return if empty {
                Ok(())
            } else {
                Err(Untouched::NotADatabase)
            };
        }
        Err(e) => return Err(Untouched::Unreadable(e)),
    }
    let corrupt = |e: rusqlite::Error| Untouched::Corrupt(e.to_string());
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(corrupt)?;
    let found: i64 = conn
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(corrupt)?;
    if found > supported as i64 {
        return Err(Untouched::TooNew { found, supported });
    }
    let verdict: String = conn
        .pragma_query_value(None, "quick_check", |row| row.get(0))
        .map_err(corrupt)?;
    if verdict != "ok" {
        return Err(Untouched::Corrupt(verdict));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_a_current_and_an_older_file_pass_a_newer_or_foreign_one_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite3");
        assert!(check_before_writing(&path, 3).is_ok(), "no file yet");
        std::fs::write(&path, b"").unwrap();
        assert!(check_before_writing(&path, 3).is_ok(), "an empty file");
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 3).unwrap();
        conn.execute_batch("CREATE TABLE t (x)").unwrap();
        drop(conn);
        assert!(check_before_writing(&path, 3).is_ok());
        assert!(
            check_before_writing(&path, 4).is_ok(),
            "an older schema migrates"
        );
        assert!(matches!(
            check_before_writing(&path, 2),
            Err(Untouched::TooNew {
                found: 3,
                supported: 2
            })
        ));
        std::fs::write(&path, b"%PDF-1.7 not a database at all").unwrap();
        assert!(matches!(
            check_before_writing(&path, 3),
            Err(Untouched::NotADatabase)
        ));
    }
}
