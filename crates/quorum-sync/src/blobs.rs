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

/// Fetches `sha256` (of `size` bytes) into the profile. `on_bytes` hears of every chunk.
pub(crate) async fn fetch_blob(
    hub: &impl Hub,
    profile: &Profile,
    sha256: &Sha256Hex,
    size: u64,
    mut on_bytes: impl FnMut(u64),
) -> Result<Fetched> {
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
        file.sync_all().await.map_err(io_error(&part))?;
    }

    let check = part.clone();
    let hashed = tokio::task::spawn_blocking(move || {
        std::fs::File::open(&check).and_then(|mut f| Sha256Hex::of_reader(&mut f))
    })
    .await
    .map_err(|e| SyncError::Protocol(e.to_string()))?
    .map_err(io_error(&part))?;
    if hashed.0 != *sha256 {
        warn!(%sha256, got = %hashed.0, "downloaded bytes do not match the hash; discarded");
        tokio::fs::remove_file(&part)
            .await
            .map_err(io_error(&part))?;
        return Err(SyncError::BlobMismatch {
            sha256: sha256.clone(),
        });
    }
    let target = profile.blob_path(sha256);
    tokio::fs::rename(&part, &target)
        .await
        .map_err(io_error(&target))?;
    Ok(Fetched {
        downloaded,
        resumed_from,
    })
}
