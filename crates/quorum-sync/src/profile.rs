use std::path::{Path, PathBuf};

use quorum_core::Sha256Hex;
use quorum_store::Store;

use crate::{Result, SyncError};

/// A laptop's data folder, shared by the window and the headless client:
/// `store.sqlite3` and `blobs/<sha256>` (with `<sha256>.part` while downloading), and
/// `sync.lock`, held by whichever process is syncing.
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

    /// Waits for this profile's turn to sync: one round at a time, whichever process
    /// runs it (the window, `quorum sync`), so two never write the same download.
    pub(crate) async fn take_sync_turn(&self) -> Result<SyncTurn> {
        let path = self.dir.join("sync.lock");
        tokio::task::spawn_blocking(move || {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&path)
                .and_then(|file| file.lock().map(|()| file));
            file.map(|lock| SyncTurn { _lock: lock })
                .map_err(|source| SyncError::Io { path, source })
        })
        .await
        .map_err(|e| SyncError::Protocol(e.to_string()))?
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

/// The lock on `sync.lock`, let go when dropped (the file is closed).
pub(crate) struct SyncTurn {
    _lock: std::fs::File,
}
