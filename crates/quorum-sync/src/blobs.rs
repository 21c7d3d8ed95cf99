//! Downloading one document blob: resumed from a `.part` file with a Range request,
//! and moved into place only after its bytes hash to its address.

use futures_util::StreamExt;
use quorum_core::Sha256Hex;
use reqwest::StatusCode;
use tokio::io::AsyncWriteExt;
use tracing::{debug, warn};

use crate::decide::{continues_partial, resume_from};
use crate::hub::Hub;
use crate::{Profile, Result, SyncError};

/// What one download did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Fetched {
    /// Bytes that came over the network this time.
    pub downloaded: u64,
    /// Bytes already on disk from an interrupted download, not fetched again.
    pub resumed_from: u64,
}

fn io_error(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> SyncError + '_ {
    move |source| SyncError::Io {
        path: path.into(),
        source,
    }
}

/// Bytes on disk as `<sha>.part`, not yet forced to disk nor checked.
struct Downloaded {
    sha256: Sha256Hex,
    fetched: Fetched,
}

/// Fetches `sha256` (of `size` bytes) into the profile, checked and durable.
pub(crate) async fn fetch_blob(
    hub: &impl Hub,
    profile: &Profile,
    sha256: &Sha256Hex,
    size: u64,
    on_bytes: impl FnMut(u64),
) -> Result<Fetched> {
    let downloaded = download(hub, profile, sha256, size, on_bytes).await?;
    settle(profile.clone(), downloaded).await
}

/// Downloads `sha256` into its `.part` file, resuming what an interrupted download left.
/// `on_bytes` hears of every chunk. The bytes count for nothing until [`settle`].
async fn download(
    hub: &impl Hub,
    profile: &Profile,
    sha256: &Sha256Hex,
    size: u64,
    mut on_bytes: impl FnMut(u64),
) -> Result<Downloaded> {
    let part = profile.partial_blob_path(sha256);
    let kept = tokio::fs::metadata(&part).await.map_or(0, |m| m.len());
    let mut resumed_from = resume_from(kept, size);
    let mut downloaded = 0;
    let download = hub.get_blob(sha256, resumed_from).await?;
    let status = download.status;
    if status != StatusCode::RANGE_NOT_SATISFIABLE {
        let append = continues_partial(status, resumed_from);
        if !append {
            resumed_from = 0;
        }
        debug!(%sha256, resumed_from, "downloading");
        let mut file = tokio::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .append(append)
            .truncate(!append)
            .open(&part)
            .await
            .map_err(io_error(&part))?;
        let mut body = download.body;
        while let Some(chunk) = body.next().await {
            let chunk = chunk?;
            file.write_all(&chunk).await.map_err(io_error(&part))?;
            downloaded += chunk.len() as u64;
            on_bytes(chunk.len() as u64);
        }
        file.flush().await.map_err(io_error(&part))?;
    }
    Ok(Downloaded {
        sha256: sha256.clone(),
        fetched: Fetched {
            downloaded,
            resumed_from,
        },
    })
}

/// Forces a download to disk, checks that its bytes hash to its address, and moves it
/// into place (its folder forced to disk too, so the name survives a power cut). Bytes
/// that do not match are removed.
async fn settle(profile: Profile, downloaded: Downloaded) -> Result<Fetched> {
    let Downloaded { sha256, fetched } = downloaded;
    tokio::task::spawn_blocking(move || {
        let part = profile.partial_blob_path(&sha256);
        let mut file = std::fs::File::open(&part).map_err(io_error(&part))?;
        file.sync_all().map_err(io_error(&part))?;
        let (hashed, _) = Sha256Hex::of_reader(&mut file).map_err(io_error(&part))?;
        if hashed != sha256 {
            warn!(%sha256, got = %hashed, "downloaded bytes do not match the hash; discarded");
            std::fs::remove_file(&part).map_err(io_error(&part))?;
            return Err(SyncError::BlobMismatch { sha256 });
        }
        let target = profile.blob_path(&sha256);
        std::fs::rename(&part, &target).map_err(io_error(&target))?;
        let folder = profile.blobs_dir();
        std::fs::File::open(&folder)
            .and_then(|dir| dir.sync_all())
            .map_err(io_error(&folder))?;
        Ok(fetched)
    })
    .await
    .map_err(|e| SyncError::Protocol(e.to_string()))?
}
