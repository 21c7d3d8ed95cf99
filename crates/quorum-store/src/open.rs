use std::path::{Path, PathBuf};

use quorum_sqlite::Untouched;
use rusqlite::Connection;
use tracing::instrument;

use crate::schema::{MIGRATIONS, SCHEMA_VERSION};
use crate::{Result, StoreError};

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
        quorum_sqlite::check_before_writing(path, SCHEMA_VERSION).map_err(|untouched| {
            let path = path.into();
            match untouched {
                Untouched::NotADatabase => StoreError::NotADatabase { path },
                Untouched::Corrupt(detail) => StoreError::Corrupt { path, detail },
                Untouched::TooNew { found, supported } => StoreError::TooNew {
                    path,
                    found,
                    supported,
                },
                Untouched::Unreadable(source) => StoreError::Io { path, source },
            }
        })?;
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
