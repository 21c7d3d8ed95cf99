use std::path::{Path, PathBuf};

use quorum_core::Sha256Hex;
use quorum_store::Store;

use crate::{Result, SyncError};

/// A laptop's data folder, shared by the window and the headless client:
/// `store.sqlite3` and `blobs/<sha256>` (with `<sha256>.part` while downloading).
#[derive(Debug, Clone)]
pub struct Profile {
    dir: PathBuf,
}

impl Profile {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn store_path(&self) -> PathBuf {
        self.dir.join("store.sqlite3")
    }

    pub fn blobs_dir(&self) -> PathBuf {
        self.dir.join("blobs")
    }

    /// Where a verified document lives.
    pub fn blob_path(&self, sha256: &Sha256Hex) -> PathBuf {
        self.blobs_dir().join(sha256.as_str())
    }

    pub(crate) fn partial_blob_path(&self, sha256: &Sha256Hex) -> PathBuf {
        self.blobs_dir().join(format!("{sha256}.part"))
    }

    /// Creates the folders if needed (private to their owner: the profile holds the
    /// device's token and key) and opens the store.
    pub fn open_store(&self) -> Result<Store> {
        let blobs = self.blobs_dir();
        for dir in [self.dir.clone(), blobs] {
            quorum_sqlite::private::create_dir(&dir)
                .map_err(|source| SyncError::Io { path: dir, source })?;
        }
        Ok(Store::open(&self.store_path())?)
    }
}
