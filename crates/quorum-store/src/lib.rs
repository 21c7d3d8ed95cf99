//! The client's local replica of what the hub publishes, in one SQLite file per
//! profile: committees, members, meetings with their agenda and document versions,
//! settings, and the outbox of operations waiting for the hub.
//!
//! Invariants:
//! - A file is checked read-only before anything writes to it: a damaged file, a
//!   file that is not a database, or a store written by a newer build is refused
//!   with a [`StoreError`] and left byte for byte as it was.
//! - Every write is one transaction: a crash leaves the old state or the new one.
//! - An outbox entry is written in the same transaction as the change it records.

mod annotations;
mod answer_sheets;
mod attendance;
mod drafts;
mod floor;
mod keyring;
mod open;
mod outbox;
mod readiness;
mod replica;
mod schema;
mod search;
mod seen;
mod settings;
mod signatures;
mod sync;
mod votes;

use std::path::PathBuf;

use quorum_core::{Denied, MeetingError, MeetingId};

pub use answer_sheets::MySheet;
pub use attendance::{AttendanceBoard, Attendee};
pub use drafts::{AttachedFile, Draft};
pub use floor::ItemFloor;
pub use open::Store;
pub use outbox::RefusedOperation;
pub use readiness::InviteeReadiness;
pub use schema::SCHEMA_VERSION;
pub use search::{MAX_HITS, SNIPPET_CONTEXT, SearchHit};
pub use seen::{ChangedPages, SinceLastLook};
pub use signatures::TrustedCertificates;
pub use sync::{DeviceIdentity, Enrollment, PackProgress};
pub use votes::{BallotStatus, MyBallot};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path} is not a Quorum store: it is not an SQLite database")]
    NotADatabase { path: PathBuf },
    #[error("{path} is damaged: {detail}")]
    Corrupt { path: PathBuf, detail: String },
    #[error(
        "{path} was written by a newer Quorum (store version {found}; this build reads up to {supported})"
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        supported: usize,
    },
    #[error("cannot read or write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("could not upgrade the store: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("a stored record could not be read back: {0}")]
    Record(#[from] serde_json::Error),
    #[error("meeting {0} is not in this store")]
    MeetingNotFound(MeetingId),
    #[error("the meeting was refused: {0}")]
    InvalidMeeting(#[from] MeetingError),
    #[error("this laptop is not enrolled with a hub yet")]
    NotEnrolled,
    #[error(
        "the OS keyring holding this laptop's key cannot be read ({0}); unlock it and try again"
    )]
    Keyring(String),
    #[error("annotation {0} is not on this laptop")]
    AnnotationNotFound(quorum_core::AnnotationId),
    #[error("document {0} is not on this laptop")]
    DocumentNotFound(quorum_core::DocumentId),
    #[error("poll {0} is not on this laptop")]
    PollNotFound(quorum_core::PollId),
    #[error("the poll is not open for voting")]
    PollNotOpen,
    #[error("this member does not vote in this poll")]
    NotEligible,
    #[error("the ballot does not fit the poll: {0}")]
    InvalidBallot(#[from] quorum_core::PollError),
    #[error("this laptop's signing key is unreadable; enroll it again")]
    BadDeviceKey,
    #[error("only its author can change an annotation")]
    NotYourAnnotation,
    #[error("the annotation cannot be changed that way: {0}")]
    Edit(#[from] quorum_core::EditError),
    #[error("not allowed: {0}")]
    Denied(#[from] Denied),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
