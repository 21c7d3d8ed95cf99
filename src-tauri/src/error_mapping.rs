//! How each library's error reaches the UI: the code it has a sentence for, and the
//! library's own message as the detail.

use quorum_app_core::AppError;
use quorum_core::CommitteeTimeError;
use quorum_pdf::PdfError;
use quorum_store::StoreError;
use quorum_sync::SyncError;
use quorum_token::TokenError;

use crate::errors::{ErrorCode, IpcError};

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
            PdfError::PageOutOfRange { .. } | PdfError::TooLarge { .. } | PdfError::Encoding(_) => {
                ErrorCode::Internal
            }
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
            AppError::Sync(SyncError::Unreachable { .. }) => ErrorCode::HubUnreachable,
            AppError::Sync(SyncError::BadHubUrl(_) | SyncError::PlainHttpRefused(_)) => {
                ErrorCode::BadHubAddress
            }
            AppError::Sync(SyncError::CertificateRequired | SyncError::BadFingerprint(_)) => {
                ErrorCode::BadFingerprint
            }
            AppError::Sync(SyncError::CertificateMismatch { .. }) => ErrorCode::CertificateMismatch,
            AppError::Sync(SyncError::Refused { code, .. }) if code == "enrollment_refused" => {
                ErrorCode::CodeRefused
            }
            AppError::Sync(SyncError::Refused { code, .. })
                if code == "enrollment_code_expired" =>
            {
                ErrorCode::CodeExpired
            }
            AppError::Sync(SyncError::Refused { code, .. }) if code == "too_many_attempts" => {
                ErrorCode::TooManyAttempts
            }
            AppError::Time(CommitteeTimeError::BadDate(_)) => ErrorCode::BadDate,
            AppError::Time(CommitteeTimeError::BadTime(_) | CommitteeTimeError::Skipped { .. }) => {
                ErrorCode::BadTime
            }
            // The profile's own folders: the store's folder cannot be made or read.
            AppError::Sync(SyncError::Io { .. }) => ErrorCode::StoreUnreadable,
            AppError::CannotRead { .. } | AppError::NotAFolder(_) => ErrorCode::FileUnreadable,
            AppError::CannotWrite { .. } => ErrorCode::FileUnwritable,
            AppError::NotDownloaded(_) => ErrorCode::DocumentNotDownloaded,
            AppError::NoPageShown { .. } => ErrorCode::DocumentDamaged,
            AppError::Token(TokenError::WrongPin) => ErrorCode::TokenWrongPin,
            AppError::Token(TokenError::Locked) => ErrorCode::TokenLocked,
            AppError::NoSuchCertificate
            | AppError::Token(TokenError::CertificateGone | TokenError::NoKey) => {
                ErrorCode::TokenCertificateGone
            }
            AppError::Token(_) | AppError::Signing(_) => ErrorCode::CannotSign,
            AppError::NotAnExport(_) => ErrorCode::FileUnreadable,
            AppError::ResultsNotFinal => ErrorCode::ResultsNotFinal,
            AppError::DraftPending(_) => ErrorCode::DraftPending,
            AppError::NoAnswerSheetHere => ErrorCode::NoAnswerSheetHere,
            AppError::NoBallotToAnswer => ErrorCode::NoBallotToAnswer,
            AppError::AnswerSheetTooLarge(_) => ErrorCode::AnswerSheetTooLarge,
            AppError::NoSuchAnswerSheet => ErrorCode::NoSuchAnswerSheet,
            AppError::Sync(_)
            | AppError::Sample(_)
            | AppError::Time(CommitteeTimeError::UnknownZone(_))
            | AppError::StorePoisoned => ErrorCode::Internal,
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

    #[test]
    fn a_file_error_reaches_the_ui_as_reading_or_writing_that_file() {
        let io = || std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        let read = IpcError::from(AppError::CannotRead {
            path: "/home/thu/Tờ trình.pdf".into(),
            source: io(),
        });
        let written = IpcError::from(AppError::CannotWrite {
            path: "/home/thu/Documents/Quorum/kết quả.csv".into(),
            source: io(),
        });
        assert_eq!(
            (read.code, written.code),
            (ErrorCode::FileUnreadable, ErrorCode::FileUnwritable),
            "not 'the data folder cannot be read'"
        );
        assert!(
            read.detail.contains("Tờ trình.pdf") && written.detail.contains("kết quả.csv"),
            "the detail names the file: {read:?} {written:?}"
        );
        let corrupt = IpcError::from(AppError::Sync(SyncError::Store(StoreError::Corrupt {
            path: "/p/store.sqlite3".into(),
            detail: "malformed".into(),
        })));
        assert_eq!(
            corrupt.code,
            ErrorCode::StoreCorrupt,
            "the profile's store, opened through sync, keeps its own code"
        );
    }
}
