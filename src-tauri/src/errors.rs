//! Errors as they cross to the UI: a code the UI has a sentence for in each language,
//! and the technical detail for support.

use std::fmt::Display;

use quorum_app_core::AppError;
use quorum_pdf::PdfError;
use quorum_store::StoreError;
use quorum_sync::SyncError;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What went wrong, as the UI branches on it. The UI turns the code into a sentence in
/// the member's language; `detail` is the technical text for support.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ErrorCode {
    /// The store file is something else than a database.
    StoreNotADatabase,
    /// The store file is damaged.
    StoreCorrupt,
    /// A newer Quorum wrote the store; this one must not touch it.
    StoreTooNew,
    /// The profile folder or store file cannot be read or written.
    StoreUnreadable,
    /// A file the member named (to attach, to watch) cannot be read.
    FileUnreadable,
    /// A file Quorum was writing for the member (an export) cannot be written.
    FileUnwritable,
    MeetingNotFound,
    /// The document's bytes are not (yet) on this laptop, verified.
    DocumentNotDownloaded,
    /// The document is damaged, empty, or crashed the reader.
    DocumentDamaged,
    /// The document needs a password.
    DocumentProtected,
    /// The password typed does not open the document.
    WrongPassword,
    /// The PDF reader (libpdfium or its worker) is missing on this laptop.
    PdfUnavailable,
    /// One page cannot be shown (unreadable, no area, or an absurd size); the rest can.
    PageNotShown,
    /// The PDF reader took too long on this and was restarted.
    ReaderTimedOut,
    /// This stopped the PDF reader (twice, then it is not tried again until restart).
    ReaderStopped,
    /// A page was asked for, then scrolled away from before it was drawn.
    PageNotOnScreen,
    /// The laptop is not yet bound to a member at a hub.
    NotEnrolled,
    /// The OS keyring holding the device's key is locked or gone.
    KeyringLocked,
    /// The member's role or the meeting's state does not allow this.
    Denied,
    /// Only its author can change an annotation.
    AnnotationNotYours,
    /// The edit does not fit the annotation (e.g. moving a highlight off its words).
    AnnotationEditRefused,
    /// The poll is not open for voting (as this laptop last heard from the hub).
    PollNotOpen,
    /// The member does not vote in this poll, or not for that member.
    NotEligible,
    /// The choice does not fit the poll (e.g. "other opinion" without words).
    InvalidBallot,
    Internal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, thiserror::Error)]
#[serde(rename_all = "camelCase")]
#[error("{code:?}: {detail}")]
pub struct IpcError {
    pub code: ErrorCode,
    pub detail: String,
}

impl IpcError {
    pub fn internal(error: impl Display) -> Self {
        Self {
            code: ErrorCode::Internal,
            detail: error.to_string(),
        }
    }
}

impl From<PdfError> for IpcError {
    fn from(error: PdfError) -> Self {
        let code = match &error {
            PdfError::NotFound { .. } => ErrorCode::DocumentNotDownloaded,
            PdfError::Corrupt | PdfError::NoPages | PdfError::Pdfium(_) => {
                ErrorCode::DocumentDamaged
            }
            PdfError::PasswordProtected => ErrorCode::DocumentProtected,
            PdfError::WrongPassword => ErrorCode::WrongPassword,
            // Only when the reader itself is missing or cannot start.
            PdfError::LibraryMissing { .. }
            | PdfError::LibraryUnusable { .. }
            | PdfError::Worker(_) => ErrorCode::PdfUnavailable,
            PdfError::BadPage { .. } => ErrorCode::PageNotShown,
            PdfError::ReaderTimedOut { .. } => ErrorCode::ReaderTimedOut,
            PdfError::WorkerCrashed | PdfError::ReaderGaveUp => ErrorCode::ReaderStopped,
            PdfError::NoLongerWanted => ErrorCode::PageNotOnScreen,
            PdfError::PageOutOfRange { .. } | PdfError::TooLarge { .. } => ErrorCode::Internal,
        };
        Self {
            code,
            detail: error.to_string(),
        }
    }
}

impl From<StoreError> for IpcError {
    fn from(error: StoreError) -> Self {
        let code = match &error {
            StoreError::NotADatabase { .. } => ErrorCode::StoreNotADatabase,
            StoreError::Corrupt { .. } => ErrorCode::StoreCorrupt,
            StoreError::TooNew { .. } => ErrorCode::StoreTooNew,
            StoreError::Io { .. } => ErrorCode::StoreUnreadable,
            StoreError::MeetingNotFound(_) => ErrorCode::MeetingNotFound,
            StoreError::NotEnrolled => ErrorCode::NotEnrolled,
            StoreError::Keyring(_) => ErrorCode::KeyringLocked,
            StoreError::AnnotationNotFound(_)
            | StoreError::DocumentNotFound(_)
            | StoreError::PollNotFound(_) => ErrorCode::Internal,
            StoreError::Denied(_) => ErrorCode::Denied,
            StoreError::NotYourAnnotation => ErrorCode::AnnotationNotYours,
            StoreError::PollNotOpen => ErrorCode::PollNotOpen,
            StoreError::NotEligible => ErrorCode::NotEligible,
            StoreError::InvalidBallot(_) => ErrorCode::InvalidBallot,
            StoreError::BadDeviceKey => ErrorCode::NotEnrolled,
            StoreError::Edit(_) => ErrorCode::AnnotationEditRefused,
            StoreError::Migration(_)
            | StoreError::Sqlite(_)
            | StoreError::Record(_)
            | StoreError::InvalidMeeting(_) => ErrorCode::Internal,
        };
        Self {
            code,
            detail: error.to_string(),
        }
    }
}

impl From<AppError> for IpcError {
    fn from(error: AppError) -> Self {
        let detail = error.to_string();
        let code = match error {
            AppError::Store(error) | AppError::Sync(SyncError::Store(error)) => {
                return error.into();
            }
            AppError::Pdf(error) => return error.into(),
            AppError::Sync(SyncError::NotEnrolled) => ErrorCode::NotEnrolled,
            // The profile's own folders: the store's folder cannot be made or read.
            AppError::Sync(SyncError::Io { .. }) => ErrorCode::StoreUnreadable,
            AppError::CannotRead { .. } | AppError::NotAFolder(_) => ErrorCode::FileUnreadable,
            AppError::CannotWrite { .. } => ErrorCode::FileUnwritable,
            AppError::NotDownloaded(_) => ErrorCode::DocumentNotDownloaded,
            AppError::NoPageShown { .. } => ErrorCode::DocumentDamaged,
            AppError::Sync(_) | AppError::Sample(_) | AppError::StorePoisoned => {
                ErrorCode::Internal
            }
        };
        Self { code, detail }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_errors_reach_the_ui_with_a_code_it_can_translate() {
        let too_new = StoreError::TooNew {
            path: "/p/store.sqlite3".into(),
            found: 9,
            supported: 2,
        };
        let ipc = IpcError::from(too_new);
        assert_eq!(
            ipc.code,
            ErrorCode::StoreTooNew,
            "the UI explains a store from a newer build"
        );
        assert!(
            ipc.detail.contains("/p/store.sqlite3"),
            "the detail names the file: {}",
            ipc.detail
        );
    }
}
