//! The TypeScript twins of the types that cross to the UI, and the checks that keep
//! them true to the Rust.

use crate::errors::{ErrorCode, IpcError};
use crate::ipc::{PinnedHub, RejectedOperation, SyncView};
use quorum_core::protocol::Refusal;
use quorum_core::*;
use ts_rs::{Config, TS};

use crate::typescript::{commands, top_level};

pub(crate) const BINDINGS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../ui/src/lib/bindings.ts");

/// Each type's TypeScript declaration, in the order given.
macro_rules! declarations {
    ($($ty:ty,)*) => {
        [$(<$ty as TS>::decl(&Config::default())),*]
    };
}

/// Every type the UI receives or sends, with the types they are made of.
pub(crate) fn render_bindings() -> String {
    let declarations = declarations! {
        MeetingSummary, Meeting, MeetingStatus, AgendaItem, Document, DocumentVersion,
        Sha256Hex, CommitteeId, MemberId, MeetingId, AgendaItemId, DocumentId,
        quorum_app_core::Language, ErrorCode, IpcError, OperationId, OperationKind, SyncView,
        PinnedHub, quorum_sync::SyncStatus, quorum_sync::SyncProblem, quorum_sync::Connection,
        RejectedOperation, Refusal, quorum_pdf::PageSize, quorum_pdf::Page,
        quorum_pdf::PageProblem, quorum_app_core::Attached, quorum_app_core::AttachWarning,
        quorum_store::SearchHit, quorum_core::search::Snippet, PageRect, Annotation,
        AnnotationId, AnnotationShape, PagePoint, InkStroke, Color, Visibility, MarkupKind,
        AnnotationEdit, ShownAnnotation, quorum_app_core::PageRef,
        quorum_app_core::ExportedFile, AgendaNotes, NoteEntry, quorum_app_core::PollCard,
        quorum_app_core::ResultFiles, quorum_store::InviteeReadiness,
        quorum_store::AttendanceBoard, quorum_store::SinceLastLook, quorum_store::ItemFloor,
        quorum_store::Draft, FloorRequest, SpeechKind, SpeechState, quorum_store::ChangedPages,
        MeetingChanges, quorum_store::Attendee, Attendance, AttendanceQuorum,
        quorum_core::protocol::DeviceReadiness, quorum_core::protocol::DeviceStatus,
        quorum_core::protocol::PackState, quorum_pdf::Report, quorum_pdf::ReportLine,
        quorum_pdf::LineStyle, quorum_app_core::NewPollSubject, quorum_core::protocol::PollView, quorum_core::AuditHead,
        Poll, PollId, PollSubject, PollOption, BallotSecrecy, QuorumRule, MajorityRule,
        MajorityBasis, PollState, Tally, OptionCount, Ballot, DeviceId, quorum_store::MyBallot,
        quorum_store::BallotStatus, Member, Capabilities, quorum_app_core::MeetingContext, Role,
        Denied, quorum_core::protocol::InvalidOperation, quorum_app_core::Membership,
        quorum_app_core::JoinRequest, quorum_lan::NearbyHub,
        quorum_signatures::DocumentSignatures, quorum_signatures::SignatureCheck,
        quorum_signatures::Verdict, quorum_signatures::Problem, quorum_signatures::Party,
        quorum_signatures::TimeSource, quorum_signatures::LaterChanges,
        quorum_signatures::Revocation, quorum_signatures::CertificateSummary,
        quorum_token::TokenCertificate, quorum_app_core::SignedFor,
        quorum_app_core::AnswerSheetCheck, quorum_store::MySheet,
    };
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

/// Every type a command takes or returns has its TypeScript twin: the list in
/// `render_bindings` is written by hand, this reads the commands themselves.
#[test]
fn every_type_a_command_takes_or_gives_is_in_the_bindings() {
    let bindings = render_bindings();
    let mut checked = 0;
    for command in commands() {
        let returned = command.returns.iter().map(|ty| ts_type(ty));
        let taken = command.arguments.iter().map(|(_, ty)| ts_type(ty));
        for ty in returned.chain(taken) {
            for word in ty.split(|c: char| !c.is_alphanumeric()) {
                if word.starts_with(char::is_uppercase) {
                    assert!(
                        bindings.contains(&format!("export type {word} ")),
                        "{word}, used by the command {}, has no TypeScript twin",
                        command.name
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 50, "the commands were read: {checked} types");
}

/// A Rust type as it crosses to TypeScript.
pub(crate) fn ts_type(rust: &str) -> String {
    let rust = rust.trim();
    let inner = |prefix: &str| {
        rust.strip_prefix(prefix)
            .and_then(|rest| rest.strip_suffix('>'))
            .map(str::to_string)
    };
    if let Some(ok) = inner("Result<") {
        return ts_type(top_level(&ok)[0]);
    }
    if let Some(item) = inner("Vec<") {
        return format!("{}[]", ts_type(&item));
    }
    if let Some(item) = inner("Option<") {
        return format!("{} | null", ts_type(&item));
    }
    match rust {
        "()" => "null".into(),
        "String" | "PathBuf" | "DateTime<Utc>" => "string".into(),
        "bool" => "boolean".into(),
        "u8" | "u32" | "u64" | "usize" | "i64" | "f32" | "f64" => "number".into(),
        named => named.into(),
    }
}
