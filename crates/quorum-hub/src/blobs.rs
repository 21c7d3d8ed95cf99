//! The hub's documents: in the data folder's `blobs/`, or in an S3-compatible bucket that
//! several hub processes share. Either way an upload is first written to the data folder
//! while it is hashed, and reaches its name (a rename in the folder, one PUT in a bucket)
//! only after its bytes hashed to that name, so a reader never sees a partial or wrong
//! document.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use futures_util::StreamExt;
use object_store::{GetOptions, GetRange, ObjectStore, ObjectStoreExt, PutPayload, WriteMultipart};
use quorum_core::Sha256Hex;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tower_http::services::ServeFile;

use crate::store::blob_path;
use crate::{HubError, MAX_BLOB_BYTES};

/// Where the hub keeps documents.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum BlobsAt {
    /// The data folder's `blobs/` (the default).
    #[default]
    InDataFolder,
    /// An S3-compatible bucket; credentials from `AWS_ACCESS_KEY_ID` and
    /// `AWS_SECRET_ACCESS_KEY`.
    S3 {
        bucket: String,
        /// The server's URL when it is not Amazon's, e.g. `http://127.0.0.1:9000`.
        endpoint: Option<String>,
        region: String,
    },
}

impl std::str::FromStr for BlobsAt {
    type Err = String;

    /// `file:` (the data folder's `blobs/`) or `s3://BUCKET?endpoint=URL&region=REGION`.
    fn from_str(text: &str) -> Result<Self, String> {
        if text == "file:" || text == "file" {
            return Ok(Self::InDataFolder);
        }
        let Some(rest) = text.strip_prefix("s3://") else {
            return Err(format!(
                "not a document store: give `file:` (the data folder) or s3://BUCKET?endpoint=URL, not {text:?}"
            ));
        };
        let (bucket, query) = rest.split_once('?').unwrap_or((rest, ""));
        if bucket.is_empty() || bucket.contains('/') {
            return Err(format!(
                "{text:?} names no bucket: s3://BUCKET?endpoint=URL"
            ));
        }
        let mut endpoint = None;
        let mut region = "us-east-1".to_string();
        for pair in query.split('&').filter(|pair| !pair.is_empty()) {
            match pair.split_once('=') {
                Some(("endpoint", value)) => endpoint = Some(value.to_string()),
                Some(("region", value)) => region = value.to_string(),
                _ => {
                    return Err(format!(
                        "{text:?}: only endpoint= and region= are understood"
                    ));
                }
            }
        }
        Ok(Self::S3 {
            bucket: bucket.to_string(),
            endpoint,
            region,
        })
    }
}

/// The hub's documents, wherever they are kept. Cheap to clone.
#[derive(Clone)]
pub struct BlobStore {
    /// The data folder's `blobs/`: the documents themselves, or, with a bucket, only the
    /// uploads being hashed.
    folder: PathBuf,
    bucket: Option<Arc<dyn ObjectStore>>,
}

impl std::fmt::Debug for BlobStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.bucket {
            Some(bucket) => write!(f, "{bucket}"),
            None => write!(f, "{}", self.folder.display()),
        }
    }
}

/// A bucket's key for a blob: the folder's fan-out, so a bucket and a folder look alike.
/// A bucket that does not answer fails a request within seconds, so that the laptop
/// waiting on it (30 s at most) hears "try again later" rather than nothing (the
/// library's default retries for three minutes).
const BUCKET_RETRIES: object_store::RetryConfig = object_store::RetryConfig {
    backoff: object_store::BackoffConfig {
        init_backoff: std::time::Duration::from_millis(100),
        max_backoff: std::time::Duration::from_secs(1),
        base: 2.0,
    },
    max_retries: 3,
    retry_timeout: std::time::Duration::from_secs(10),
};

fn object_key(sha256: &Sha256Hex) -> object_store::path::Path {
    let hex = sha256.as_str();
    object_store::path::Path::from(format!("{}/{hex}", &hex[..2]))
}

/// Uploads below this go to a bucket in one PUT; larger ones in parts.
const SINGLE_PUT_BYTES: u64 = 16 * 1024 * 1024;

impl BlobStore {
    /// The data folder's `blobs/` folder, and the bucket `at` names, if any.
    pub fn open(folder: PathBuf, at: &BlobsAt) -> Result<Self, HubError> {
        let bucket = match at {
            BlobsAt::InDataFolder => None,
            BlobsAt::S3 {
                bucket,
                endpoint,
                region,
            } => {
                // The S3 client's HTTPS uses the process's default provider: ring, as
                // everywhere else in Quorum (already set is fine).
                let _ = rustls::crypto::ring::default_provider().install_default();
                let mut builder = object_store::aws::AmazonS3Builder::from_env()
                    .with_bucket_name(bucket)
                    .with_region(region)
                    .with_retry(BUCKET_RETRIES)
                    .with_client_options(
                        object_store::ClientOptions::new()
                            .with_connect_timeout(std::time::Duration::from_secs(2)),
                    );
                if let Some(endpoint) = endpoint {
                    builder = builder
                        .with_endpoint(endpoint)
                        .with_allow_http(endpoint.starts_with("http://"));
                }
                let built: Arc<dyn ObjectStore> = Arc::new(builder.build()?);
                Some(built)
            }
        };
        Ok(Self { folder, bucket })
    }

    /// The data folder's `blobs/`.
    pub fn folder(&self) -> &Path {
        &self.folder
    }

    /// Whether documents live in the data folder (which a backup then copies).
    pub fn in_data_folder(&self) -> bool {
        self.bucket.is_none()
    }

    /// Streams `body` to the data folder while hashing it, and gives it `expected`'s name
    /// if the hash matches. Returns the size. The whole body is never held in memory.
    pub async fn receive(&self, expected: &Sha256Hex, body: Body) -> Result<u64, UploadError> {
        let incoming = incoming_path(&self.folder);
        let result = write_and_hash(&incoming, body).await;
        let outcome = match result {
            Ok((actual, size)) if actual == *expected => self
                .place(&incoming, expected, size)
                .await
                .map(|()| size)
                .map_err(UploadError::from),
            Ok((actual, _)) => Err(UploadError::HashMismatch { actual }),
            Err(e) => Err(e),
        };
        // Best effort: the file may never have been created, or was renamed into place.
        let _ = tokio::fs::remove_file(&incoming).await;
        outcome
    }

    /// Gives the hashed file `incoming` its blob's name.
    async fn place(&self, incoming: &Path, sha256: &Sha256Hex, size: u64) -> Result<(), HubError> {
        match &self.bucket {
            None => place(incoming, &self.folder, sha256).await,
            Some(bucket) => upload(bucket.as_ref(), incoming, sha256, size).await,
        }
    }

    /// Copies a local file in if it hashes to `expected` (blocking: for admin commands).
    pub fn copy_verified(&self, source: &Path, expected: &Sha256Hex) -> Result<u64, HubError> {
        if self.bucket.is_none()
            && let Ok(meta) = std::fs::metadata(blob_path(&self.folder, expected))
        {
            return Ok(meta.len());
        }
        let incoming = incoming_path(&self.folder);
        let result = copy_and_hash(source, &incoming).and_then(|(actual, size)| {
            if actual != *expected {
                return Err(HubError::FileHashMismatch {
                    path: source.to_path_buf(),
                    expected: expected.to_string(),
                });
            }
            on_own_runtime(self.place(&incoming, expected, size))?;
            Ok(size)
        });
        // Best effort: the file was renamed into place, or is to go.
        let _ = std::fs::remove_file(&incoming);
        result
    }

    /// Answers a download of `sha256`, whole or (for a `Range: bytes=…` request) from the
    /// offset asked, so an interrupted download resumes. `None` when it is not stored.
    pub async fn serve(
        &self,
        sha256: &Sha256Hex,
        request: axum::extract::Request,
    ) -> Result<Option<Response>, HubError> {
        let Some(bucket) = &self.bucket else {
            let path = blob_path(&self.folder, sha256);
            if !tokio::fs::try_exists(&path).await.unwrap_or(false) {
                return Ok(None);
            }
            let response = ServeFile::new(&path)
                .try_call(request)
                .await
                .map_err(|source| HubError::Io { path, source })?;
            return Ok(Some(response.map(Body::new)));
        };
        let key = object_key(sha256);
        let size = match bucket.head(&key).await {
            Ok(meta) => meta.size,
            Err(object_store::Error::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let response = match requested_range(request.headers(), size) {
            Requested::Whole => {
                let got = bucket.get(&key).await?;
                let mut response = Response::new(Body::from_stream(got.into_stream()));
                set_length(response.headers_mut(), size);
                response
            }
            Requested::Unsatisfiable => {
                let mut response = Response::new(Body::empty());
                *response.status_mut() = StatusCode::RANGE_NOT_SATISFIABLE;
                insert_header(
                    response.headers_mut(),
                    header::CONTENT_RANGE,
                    format!("bytes */{size}"),
                );
                response
            }
            Requested::Part { start, end } => {
                let options = GetOptions {
                    range: Some(GetRange::Bounded(start..end + 1)),
                    ..GetOptions::default()
                };
                let got = bucket.get_opts(&key, options).await?;
                let mut response = Response::new(Body::from_stream(got.into_stream()));
                *response.status_mut() = StatusCode::PARTIAL_CONTENT;
                set_length(response.headers_mut(), end + 1 - start);
                insert_header(
                    response.headers_mut(),
                    header::CONTENT_RANGE,
                    format!("bytes {start}-{end}/{size}"),
                );
                response
            }
        };
        let mut response = response;
        insert_header(
            response.headers_mut(),
            header::ACCEPT_RANGES,
            "bytes".to_string(),
        );
        insert_header(
            response.headers_mut(),
            header::CONTENT_TYPE,
            "application/octet-stream".to_string(),
        );
        Ok(Some(response))
    }

    /// A whole blob in memory, `None` when it is not stored (blocking: for rounds that
    /// read documents, on a blocking thread).
    pub fn read(&self, sha256: &Sha256Hex) -> Result<Option<Vec<u8>>, HubError> {
        let Some(bucket) = &self.bucket else {
            let path = blob_path(&self.folder, sha256);
            return match std::fs::read(&path) {
                Ok(bytes) => Ok(Some(bytes)),
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(source) => Err(HubError::Io { path, source }),
            };
        };
        let key = object_key(sha256);
        on_own_runtime(async {
            match bucket.get(&key).await {
                Ok(got) => Ok(Some(got.bytes().await?.to_vec())),
                Err(object_store::Error::NotFound { .. }) => Ok(None),
                Err(error) => Err(error.into()),
            }
        })
    }

    /// Whether a document could be written now: a probe written and removed.
    pub async fn check_writable(&self) -> Result<(), HubError> {
        let probe = self.folder.join(format!(".ready-{}", uuid::Uuid::now_v7()));
        let written = tokio::fs::write(&probe, b"").await;
        let _ = tokio::fs::remove_file(&probe).await;
        written.map_err(io_error(&probe))?;
        if let Some(bucket) = &self.bucket {
            let key = object_store::path::Path::from(format!("ready/{}", uuid::Uuid::now_v7()));
            bucket.put(&key, PutPayload::from_static(b"")).await?;
            bucket.delete(&key).await?;
        }
        Ok(())
    }
}

fn insert_header(headers: &mut HeaderMap, name: header::HeaderName, value: String) {
    if let Ok(value) = HeaderValue::from_str(&value) {
        headers.insert(name, value);
    }
}

fn set_length(headers: &mut HeaderMap, length: u64) {
    insert_header(headers, header::CONTENT_LENGTH, length.to_string());
}

/// What a download asked for of a blob of `size` bytes.
#[derive(Debug, PartialEq, Eq)]
enum Requested {
    Whole,
    /// Bytes `start..=end`.
    Part {
        start: u64,
        end: u64,
    },
    Unsatisfiable,
}

/// Reads one `bytes=` range, as laptops send (`bytes=N-`); anything else, or none, is the
/// whole blob, as HTTP allows.
fn requested_range(headers: &HeaderMap, size: u64) -> Requested {
    let Some(spec) = headers
        .get(header::RANGE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("bytes="))
    else {
        return Requested::Whole;
    };
    let Some((first, last)) = spec.split_once('-') else {
        return Requested::Whole;
    };
    let (start, end) = match (first.trim().parse::<u64>(), last.trim().parse::<u64>()) {
        (Ok(start), Ok(end)) if start <= end => (start, end.min(size.saturating_sub(1))),
        (Ok(start), Err(_)) if last.trim().is_empty() => (start, size.saturating_sub(1)),
        (Err(_), Ok(suffix)) if first.trim().is_empty() && suffix > 0 => {
            (size.saturating_sub(suffix), size.saturating_sub(1))
        }
        _ => return Requested::Whole,
    };
    if start >= size {
        Requested::Unsatisfiable
    } else {
        Requested::Part { start, end }
    }
}

/// Puts the hashed file `incoming` into `bucket` under `sha256`'s key: visible only once
/// whole, as a PUT or a completed multipart upload is.
async fn upload(
    bucket: &dyn ObjectStore,
    incoming: &Path,
    sha256: &Sha256Hex,
    size: u64,
) -> Result<(), HubError> {
    let key = object_key(sha256);
    if size <= SINGLE_PUT_BYTES {
        let bytes = tokio::fs::read(incoming)
            .await
            .map_err(io_error(incoming))?;
        bucket.put(&key, PutPayload::from(bytes)).await?;
        return Ok(());
    }
    let mut file = tokio::fs::File::open(incoming)
        .await
        .map_err(io_error(incoming))?;
    let mut parts = WriteMultipart::new(bucket.put_multipart(&key).await?);
    let mut buffer = vec![0u8; 1024 * 1024];
    loop {
        let n = file.read(&mut buffer).await.map_err(io_error(incoming))?;
        if n == 0 {
            break;
        }
        parts.wait_for_capacity(4).await?;
        parts.write(&buffer[..n]);
    }
    parts.finish().await?;
    Ok(())
}

/// Runs `work` to completion on a runtime of its own, on a thread of its own: for the
/// blocking admin commands, whichever thread calls them.
pub(crate) fn on_own_runtime<T: Send>(
    work: impl std::future::Future<Output = Result<T, HubError>> + Send,
) -> Result<T, HubError> {
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|source| HubError::Io {
                        path: PathBuf::from("a runtime"),
                        source,
                    })?
                    .block_on(work)
            })
            .join()
            .map_err(|_| HubError::NotCommitted("the upload's thread failed".into()))?
    })
}

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

#[cfg(test)]
mod tests {
    use super::*;

    fn asking(range: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::RANGE, HeaderValue::from_str(range).unwrap());
        headers
    }

    #[test]
    fn a_range_is_read_as_laptops_send_it_and_anything_else_is_the_whole_blob() {
        assert_eq!(requested_range(&HeaderMap::new(), 10), Requested::Whole);
        assert_eq!(
            requested_range(&asking("bytes=4-"), 10),
            Requested::Part { start: 4, end: 9 },
            "a resumed download: the rest from the offset"
        );
        assert_eq!(
            requested_range(&asking("bytes=2-3"), 10),
            Requested::Part { start: 2, end: 3 }
        );
        assert_eq!(
            requested_range(&asking("bytes=-3"), 10),
            Requested::Part { start: 7, end: 9 }
        );
        assert_eq!(
            requested_range(&asking("bytes=10-"), 10),
            Requested::Unsatisfiable,
            "past the end: the laptop holds it all"
        );
        assert_eq!(requested_range(&asking("bytes=5-2"), 10), Requested::Whole);
        assert_eq!(requested_range(&asking("items=1-2"), 10), Requested::Whole);
    }

    #[test]
    fn a_document_store_is_the_data_folder_or_a_bucket() {
        assert_eq!("file:".parse(), Ok(BlobsAt::InDataFolder));
        assert_eq!(
            "s3://quorum-docs?endpoint=http://127.0.0.1:9000".parse(),
            Ok(BlobsAt::S3 {
                bucket: "quorum-docs".into(),
                endpoint: Some("http://127.0.0.1:9000".into()),
                region: "us-east-1".into(),
            })
        );
        assert!("s3://?endpoint=x".parse::<BlobsAt>().is_err(), "no bucket");
        assert!("ftp://x".parse::<BlobsAt>().is_err());
        assert!("s3://b?colour=red".parse::<BlobsAt>().is_err());
    }
}
