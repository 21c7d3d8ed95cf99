//! Writing blobs into the blob folder. A blob reaches its final name only by an atomic
//! rename after its bytes hashed to that name, so a reader never sees a partial or
//! wrong file.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use axum::body::Body;
use futures_util::StreamExt;
use quorum_core::Sha256Hex;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use crate::store::blob_path;
use crate::{HubError, MAX_BLOB_BYTES};

#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error("the blob is larger than {MAX_BLOB_BYTES} bytes")]
    TooLarge,
    #[error("the bytes hash to {actual}, not to the address they were sent to")]
    HashMismatch { actual: Sha256Hex },
    #[error("the upload broke off: {0}")]
    Body(axum::Error),
    #[error(transparent)]
    Hub(#[from] HubError),
}

fn incoming_path(blobs_dir: &Path) -> PathBuf {
    // Dot-prefixed and outside the two-hex fan-out, so never taken for a blob.
    blobs_dir.join(format!(".incoming-{}", uuid::Uuid::now_v7()))
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> HubError + '_ {
    move |source| HubError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Streams `body` to disk while hashing it, and moves it to `expected`'s place if the
/// hash matches. Returns the size. The whole body is never held in memory.
pub async fn receive(
    blobs_dir: &Path,
    expected: &Sha256Hex,
    body: Body,
) -> Result<u64, UploadError> {
    let incoming = incoming_path(blobs_dir);
    let result = write_and_hash(&incoming, body).await;
    let outcome = match result {
        Ok((actual, size)) if actual == *expected => place(&incoming, blobs_dir, expected)
            .await
            .map(|()| size)
            .map_err(UploadError::from),
        Ok((actual, _)) => Err(UploadError::HashMismatch { actual }),
        Err(e) => Err(e),
    };
    if outcome.is_err() {
        // Best effort: the file may never have been created.
        let _ = tokio::fs::remove_file(&incoming).await;
    }
    outcome
}

async fn write_and_hash(incoming: &Path, body: Body) -> Result<(Sha256Hex, u64), UploadError> {
    let mut file = tokio::fs::File::create(incoming)
        .await
        .map_err(io_error(incoming))?;
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(UploadError::Body)?;
        size += chunk.len() as u64;
        if size > MAX_BLOB_BYTES {
            return Err(UploadError::TooLarge);
        }
        hasher.update(&chunk);
        file.write_all(&chunk).await.map_err(io_error(incoming))?;
    }
    file.sync_all().await.map_err(io_error(incoming))?;
    Ok((Sha256Hex::from_digest(&hasher.finalize().into()), size))
}

async fn place(incoming: &Path, blobs_dir: &Path, sha256: &Sha256Hex) -> Result<(), HubError> {
    let target = blob_path(blobs_dir, sha256);
    if let Some(parent) = target.parent() {
        tokio::fs::create_dir_all(parent)
            .await
            .map_err(io_error(parent))?;
    }
    // Renaming over an existing copy is harmless: same name, same bytes.
    tokio::fs::rename(incoming, &target)
        .await
        .map_err(io_error(&target))
}

/// Copies a local file into the blob folder if it hashes to `expected` (blocking).
pub fn copy_verified(
    source: &Path,
    blobs_dir: &Path,
    expected: &Sha256Hex,
) -> Result<u64, HubError> {
    let target = blob_path(blobs_dir, expected);
    if let Ok(meta) = std::fs::metadata(&target) {
        return Ok(meta.len());
    }
    let incoming = incoming_path(blobs_dir);
    let result = copy_and_hash(source, &incoming).and_then(|(actual, size)| {
        if actual != *expected {
            return Err(HubError::FileHashMismatch {
                path: source.to_path_buf(),
                expected: expected.to_string(),
            });
        }
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(io_error(parent))?;
        }
        std::fs::rename(&incoming, &target).map_err(io_error(&target))?;
        Ok(size)
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&incoming);
    }
    result
}

fn copy_and_hash(source: &Path, incoming: &Path) -> Result<(Sha256Hex, u64), HubError> {
    let mut reader = std::fs::File::open(source).map_err(io_error(source))?;
    let mut writer = std::fs::File::create(incoming).map_err(io_error(incoming))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = reader.read(&mut buffer).map_err(io_error(source))?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        writer.write_all(&buffer[..n]).map_err(io_error(incoming))?;
        size += n as u64;
    }
    writer.sync_all().map_err(io_error(incoming))?;
    Ok((Sha256Hex::from_digest(&hasher.finalize().into()), size))
}
