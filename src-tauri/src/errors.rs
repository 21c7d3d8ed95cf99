//! Errors as they cross to the UI: a code the UI has a sentence for in each language,
//! and the technical detail for support.

use std::fmt::Display;

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
    /// Joining: the hub cannot be reached at that address.
    HubUnreachable,
    /// Joining: the address is not `https://HOST:PORT` (or is plain HTTP on the network).
    BadHubAddress,
    /// Joining: the certificate fingerprint is missing or is not 64 hex digits.
    BadFingerprint,
    /// The hub shows another certificate than the fingerprint given or pinned.
    CertificateMismatch,
    /// Joining: the hub refused the code (unknown, already used or replaced by a newer one).
    CodeRefused,
    /// Joining: the code was right but is past its expiry.
    CodeExpired,
    /// A date not written dd/mm/yyyy, or a day that does not exist.
    BadDate,
    /// A time not written HH:MM on a 24-hour clock, or one the committee's clocks skip.
    BadTime,
    /// Joining: too many wrong codes from this laptop; wait a little.
    TooManyAttempts,
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
    /// The PIN typed for the token is wrong.
    TokenWrongPin,
    /// The token is locked after too many wrong PINs.
    TokenLocked,
    /// The certificate picked is no longer on a token plugged in, or has no key there.
    TokenCertificateGone,
    /// The token or the document could not be signed (the detail says why).
    CannotSign,
    /// A poll's results are signed only once final: late ballots may still come.
    ResultsNotFinal,
    /// The secretary's unpublished edits of the meeting would go out with the file.
    DraftPending,
    /// A secret poll's answer is not signed: the sheet would tie the member to it.
    NoAnswerSheetHere,
    /// An answer sheet answers a ballot cast on this laptop; there is none.
    NoBallotToAnswer,
    /// The signed answer sheet is larger than the hub takes.
    AnswerSheetTooLarge,
    /// The member's signed sheet is not on this laptop (withdrawn meanwhile).
    NoSuchAnswerSheet,
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
