//! The client sync engine: enrolls a laptop with a hub, pushes the outbox in order,
//! pulls the change feed into the local store, and prefetches every document of every
//! meeting the member may see, verifying each against its SHA-256 before it counts.
//!
//! Invariants:
//! - Only this crate talks to the hub; the window and the headless client call it.
//! - A store lock is never held across an `.await`.
//! - A blob is usable only once its bytes hashed to its address; a partial download is
//!   kept as `<sha>.part` and resumed with an HTTP Range request.
//! - Operations leave the outbox only on the hub's word: applied or duplicate removes
//!   them, rejected keeps them with the reason, anything else leaves them queued.

mod backoff;
mod blobs;
mod decide;
mod engine;
mod enroll;
mod hub;
mod profile;
pub mod tls;

pub use backoff::backoff_delay;
pub use engine::{Connection, SyncEngine, SyncProblem, SyncReport, SyncStatus};
pub use enroll::{Enrolled, Enrollment, enroll, enroll_into};
pub use hub::{Download, Hub, HubClient};
pub use profile::Profile;

use std::path::PathBuf;

use quorum_core::Sha256Hex;
use quorum_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("the hub at {url} cannot be reached: {source}")]
    Unreachable { url: String, source: reqwest::Error },
    #[error("the hub refused the request ({status}, {code}): {message}")]
    Refused {
        status: u16,
        code: String,
        message: String,
    },
    #[error(
        "the hub at {url} shows another certificate than the one this laptop was enrolled with: it may not be your hub"
    )]
    CertificateMismatch { url: String },
    #[error("an https:// hub needs its certificate fingerprint, printed beside the one-time code")]
    CertificateRequired,
    #[error(
        "{0} is plain HTTP on the network, where anyone could listen: use the hub's https:// address"
    )]
    PlainHttpRefused(String),
    #[error("{0} is not a hub address (https://HOST:PORT)")]
    BadHubUrl(String),
    #[error("{0:?} is not a certificate fingerprint (64 hex digits)")]
    BadFingerprint(String),
    #[error("the hub no longer accepts this laptop (revoked or unknown); enroll it again")]
    Unauthorized,
    #[error("this profile is not enrolled with a hub; run `quorum enroll URL CODE` first")]
    NotEnrolled,
    #[error("this profile is already enrolled with {hub_url}")]
    AlreadyEnrolled { hub_url: String },
    #[error("document {sha256} arrived with other bytes than its hash says; it was discarded")]
    BlobMismatch { sha256: Sha256Hex },
    #[error("the hub skipped ahead of this laptop's outbox (it expects operation {expected})")]
    OutboxGap { expected: u64 },
    #[error("cannot read or write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the local store failed: {0}")]
    Store(#[from] StoreError),
    #[error("the hub's answer could not be read: {0}")]
    Protocol(String),
    #[error("the local store is unavailable after an earlier failure; restart Quorum")]
    StorePoisoned,
}

impl SyncError {
    /// Whether trying again later may succeed (the hub is down, a transfer broke).
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Unreachable { .. } | Self::BlobMismatch { .. } | Self::Io { .. } => true,
            Self::Refused { status, .. } => *status >= 500 || *status == 429,
            _ => false,
        }
    }
}

pub type Result<T, E = SyncError> = std::result::Result<T, E>;
