//! Types that cross to the UI. Their TypeScript twins in ui/src/lib/bindings.ts are
//! generated from here by ts-rs; a test fails when that file is stale.

use std::fmt::Display;
use std::path::Path;

use chrono::{DateTime, Utc};
use quorum_core::OperationId;
use quorum_core::protocol::Refusal;
use quorum_pdf::PdfError;
use quorum_store::{RefusedOperation, StoreError};
use quorum_sync::SyncStatus;
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

    pub fn unreadable_profile(dir: &Path, error: std::io::Error) -> Self {
        Self {
            code: ErrorCode::StoreUnreadable,
            detail: format!("{}: {error}", dir.display()),
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SyncView {
    /// False on a laptop that only holds the sample and never met a hub.
    pub enrolled: bool,
    pub status: SyncStatus,
    /// The hub this laptop is enrolled with, and the certificate it pinned.
    pub hub: Option<PinnedHub>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PinnedHub {
    pub url: String,
    /// SHA-256 of the hub's certificate, hex; `None` for plain HTTP on this machine.
    pub certificate: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RejectedOperation {
    pub id: OperationId,
    /// The operation's kind, e.g. "checkIn"; the UI names it in the member's language.
    pub kind: String,
    pub created_at: DateTime<Utc>,
    /// Why, as a code the UI has a sentence for.
    pub refusal: Refusal,
}

impl From<RefusedOperation> for RejectedOperation {
    fn from(refused: RefusedOperation) -> Self {
        Self {
            id: refused.operation.id,
            kind: refused.operation.payload.kind().to_string(),
            created_at: refused.operation.created_at,
            refusal: refused.refusal,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Language {
    #[default]
    Vi,
    En,
}

impl Language {
    pub fn code(self) -> &'static str {
        match self {
            Self::Vi => "vi",
            Self::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Vi, Self::En].into_iter().find(|l| l.code() == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quorum_core::*;
    use ts_rs::Config;

    const BINDINGS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../ui/src/lib/bindings.ts");

    /// Every type the UI receives or sends, with the types they are made of.
    fn render_bindings() -> String {
        let cfg = Config::default();
        let declarations = [
            MeetingSummary::decl(&cfg),
            Meeting::decl(&cfg),
            MeetingStatus::decl(&cfg),
            AgendaItem::decl(&cfg),
            Document::decl(&cfg),
            DocumentVersion::decl(&cfg),
            Sha256Hex::decl(&cfg),
            CommitteeId::decl(&cfg),
            MemberId::decl(&cfg),
            MeetingId::decl(&cfg),
            AgendaItemId::decl(&cfg),
            DocumentId::decl(&cfg),
            Language::decl(&cfg),
            ErrorCode::decl(&cfg),
            IpcError::decl(&cfg),
            OperationId::decl(&cfg),
            SyncView::decl(&cfg),
            PinnedHub::decl(&cfg),
            quorum_sync::SyncStatus::decl(&cfg),
            quorum_sync::SyncProblem::decl(&cfg),
            quorum_sync::Connection::decl(&cfg),
            RejectedOperation::decl(&cfg),
            Refusal::decl(&cfg),
            quorum_pdf::PageSize::decl(&cfg),
            quorum_pdf::Page::decl(&cfg),
            quorum_pdf::PageProblem::decl(&cfg),
            crate::secretary::Attached::decl(&cfg),
            crate::secretary::AttachWarning::decl(&cfg),
            quorum_store::SearchHit::decl(&cfg),
            quorum_core::search::Snippet::decl(&cfg),
            PageRect::decl(&cfg),
            Annotation::decl(&cfg),
            AnnotationId::decl(&cfg),
            AnnotationShape::decl(&cfg),
            PagePoint::decl(&cfg),
            InkStroke::decl(&cfg),
            Color::decl(&cfg),
            Visibility::decl(&cfg),
            MarkupKind::decl(&cfg),
            AnnotationEdit::decl(&cfg),
            ShownAnnotation::decl(&cfg),
            crate::annotating::PageRef::decl(&cfg),
            crate::annotating::ExportedFile::decl(&cfg),
            AgendaNotes::decl(&cfg),
            NoteEntry::decl(&cfg),
            crate::voting::PollCard::decl(&cfg),
            crate::voting::ResultFiles::decl(&cfg),
            quorum_store::InviteeReadiness::decl(&cfg),
            quorum_store::AttendanceBoard::decl(&cfg),
            quorum_store::SinceLastLook::decl(&cfg),
            quorum_store::ItemFloor::decl(&cfg),
            quorum_store::Draft::decl(&cfg),
            FloorRequest::decl(&cfg),
            SpeechKind::decl(&cfg),
            SpeechState::decl(&cfg),
            quorum_store::ChangedPages::decl(&cfg),
            MeetingChanges::decl(&cfg),
            quorum_store::Attendee::decl(&cfg),
            Attendance::decl(&cfg),
            AttendanceQuorum::decl(&cfg),
            quorum_core::protocol::DeviceReadiness::decl(&cfg),
            quorum_core::protocol::DeviceStatus::decl(&cfg),
            quorum_core::protocol::PackState::decl(&cfg),
            quorum_pdf::Report::decl(&cfg),
            quorum_pdf::ReportLine::decl(&cfg),
            quorum_pdf::LineStyle::decl(&cfg),
            crate::voting::NewPollSubject::decl(&cfg),
            quorum_core::protocol::PollView::decl(&cfg),
            Poll::decl(&cfg),
            PollId::decl(&cfg),
            PollSubject::decl(&cfg),
            PollOption::decl(&cfg),
            BallotSecrecy::decl(&cfg),
            QuorumRule::decl(&cfg),
            MajorityRule::decl(&cfg),
            MajorityBasis::decl(&cfg),
            PollState::decl(&cfg),
            Tally::decl(&cfg),
            OptionCount::decl(&cfg),
            Ballot::decl(&cfg),
            DeviceId::decl(&cfg),
            quorum_store::MyBallot::decl(&cfg),
            quorum_store::BallotStatus::decl(&cfg),
            Member::decl(&cfg),
            Role::decl(&cfg),
            Denied::decl(&cfg),
            quorum_core::protocol::InvalidOperation::decl(&cfg),
        ];
        let mut out = String::from(
            "// Generated from the Rust types by ts-rs. Do not edit: run\n\
             // `cargo test -p quorum-app write_bindings -- --ignored` instead.\n\n",
        );
        for declaration in declarations {
            out.push_str("export ");
            out.push_str(&declaration);
            out.push_str("\n\n");
        }
        out.truncate(out.trim_end().len());
        out.push('\n');
        out
    }

    #[test]
    fn bindings_are_fresh() {
        let committed = std::fs::read_to_string(BINDINGS).unwrap_or_default();
        assert!(
            committed == render_bindings(),
            "ui/src/lib/bindings.ts is stale: run `cargo test -p quorum-app write_bindings -- --ignored`"
        );
    }

    /// Rewrites ui/src/lib/bindings.ts; not a check, so only run when asked for.
    #[test]
    #[ignore = "rewrites ui/src/lib/bindings.ts: cargo test -p quorum-app write_bindings -- --ignored"]
    fn write_bindings() {
        std::fs::write(BINDINGS, render_bindings()).expect("bindings written");
    }

    /// Every type a command takes or returns has its TypeScript twin: the list in
    /// `render_bindings` is written by hand, this reads the commands themselves.
    #[test]
    fn every_type_a_command_takes_or_gives_is_in_the_bindings() {
        // Tauri's and the standard library's, which never cross as themselves, and
        // chrono's, which cross as strings.
        const NOT_CROSSING: &[&str] = &[
            "State",
            "AppState",
            "AppHandle",
            "Result",
            "Option",
            "Vec",
            "String",
            "PathBuf",
            "DateTime",
            "Utc",
        ];
        let rendered = render_bindings();
        let sources = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/src")).unwrap();
        let mut checked = 0;
        for source in sources {
            let text = std::fs::read_to_string(source.unwrap().path()).unwrap();
            for command in text.split("#[tauri::command").skip(1) {
                let signature = command
                    .split_once("pub fn ")
                    .and_then(|(_, rest)| rest.split_once('{'))
                    .map(|(signature, _)| signature)
                    .expect("a command is a pub fn");
                let (name, arguments) = signature.split_once('(').unwrap();
                for word in arguments.split(|c: char| !c.is_alphanumeric() && c != '_') {
                    if word.starts_with(char::is_uppercase) && !NOT_CROSSING.contains(&word) {
                        assert!(
                            rendered.contains(&format!("export type {word} ")),
                            "{word}, used by the command {name}, has no TypeScript twin"
                        );
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 50, "the commands were read: {checked} types");
    }

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
    fn language_codes_round_trip() {
        for language in [Language::Vi, Language::En] {
            assert_eq!(
                Language::from_code(language.code()),
                Some(language),
                "{language:?}"
            );
        }
        assert_eq!(
            Language::from_code("fr"),
            None,
            "unknown codes fall back to the default"
        );
        assert_eq!(
            Language::default(),
            Language::Vi,
            "Quorum speaks Vietnamese first"
        );
    }
}
