//! The TypeScript twins of the types that cross to the UI, and the checks that keep
//! them true to the Rust.

use crate::errors::{ErrorCode, IpcError};
use crate::ipc::{PinnedHub, RejectedOperation, SyncView};
use quorum_core::protocol::Refusal;
use quorum_core::*;
use ts_rs::{Config, TS};

use crate::typescript::{commands, ts_type};

const BINDINGS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../ui/src/lib/bindings.ts");

/// Every type the UI receives or sends, with the types they are made of.
pub(crate) fn render_bindings() -> String {
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
        quorum_app_core::Language::decl(&cfg),
        ErrorCode::decl(&cfg),
        IpcError::decl(&cfg),
        OperationId::decl(&cfg),
        OperationKind::decl(&cfg),
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
        quorum_app_core::Attached::decl(&cfg),
        quorum_app_core::AttachWarning::decl(&cfg),
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
        quorum_app_core::PageRef::decl(&cfg),
        quorum_app_core::ExportedFile::decl(&cfg),
        AgendaNotes::decl(&cfg),
        NoteEntry::decl(&cfg),
        quorum_app_core::PollCard::decl(&cfg),
        quorum_app_core::ResultFiles::decl(&cfg),
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
        quorum_app_core::NewPollSubject::decl(&cfg),
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
        Capabilities::decl(&cfg),
        quorum_app_core::MeetingContext::decl(&cfg),
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
