//! What a client use-case can fail with: the store's, sync's and the reader's errors as
//! they are, and a file that cannot be read or written named as such.

use std::path::PathBuf;

use quorum_pdf::PdfError;
use quorum_store::StoreError;
use quorum_sync::SyncError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Sync(#[from] SyncError),
    #[error(transparent)]
    Pdf(#[from] PdfError),
    #[error(transparent)]
    Sample(#[from] quorum_sample::SampleError),
    #[error(transparent)]
    Time(#[from] quorum_core::CommitteeTimeError),
    #[error("cannot read {path}: {source}")]
    CannotRead {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    CannotWrite {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0} is not a folder")]
    NotAFolder(PathBuf),
    /// The document's bytes are not on this laptop, or did not match their hash.
    #[error("document {0} is not on this laptop yet")]
    NotDownloaded(quorum_core::Sha256Hex),
    /// A file none of whose pages can be drawn is not put on the agenda.
    #[error("{file}: no page can be shown")]
    NoPageShown { file: String },
    #[error("the local store is unavailable after an earlier failure; restart Quorum")]
    StorePoisoned,
    #[error(transparent)]
    Token(#[from] quorum_token::TokenError),
    #[error(transparent)]
    Signing(#[from] quorum_signatures::SigningError),
    /// Only what Quorum exported (results, minutes) is signed from the window.
    #[error("{0} is not a file Quorum exported")]
    NotAnExport(PathBuf),
    #[error("the certificate is not on a token plugged in")]
    NoSuchCertificate,
    /// A poll's results are signed only once final (closed, and late ballots' time over).
    #[error("the poll's results are not final yet")]
    ResultsNotFinal,
    /// The secretary's unpublished edits of this meeting would go out with the file.
    #[error("meeting {0} has unpublished edits on this laptop: publish or discard them first")]
    DraftPending(quorum_core::MeetingId),
    /// Only a named written opinion's answer is signed: a secret one's sheet would tie
    /// the member to their choice.
    #[error("this poll takes no signed answer sheet")]
    NoAnswerSheetHere,
    /// A sheet answers a ballot cast on this laptop, which it names.
    #[error("no ballot of the member's cast on this laptop to answer for")]
    NoBallotToAnswer,
    #[error("the signed answer sheet is larger than the hub takes ({0} bytes)")]
    AnswerSheetTooLarge(usize),
    #[error("no signed answer sheet of that member for this poll is on this laptop")]
    NoSuchAnswerSheet,
}

impl AppError {
    pub(crate) fn reading(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| Self::CannotRead { path, source }
    }

    pub(crate) fn writing(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| Self::CannotWrite { path, source }
    }
}

pub type Result<T, E = AppError> = std::result::Result<T, E>;
