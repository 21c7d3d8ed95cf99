//! A laptop's use-cases on a real profile folder and store, without a hub: what is
//! refused says which file and why, and changes nothing.
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use std::sync::Arc;

use quorum_app_core::{AppError, Laptop, SignedFor, export_dir};
use quorum_core::{AgendaItemId, Capabilities, MeetingId, SystemClock};
use quorum_pdf::PdfError;
use quorum_sync::Profile;

fn laptop(dir: &std::path::Path) -> Laptop {
    let no_reader = Err(PdfError::Worker("no reader in this test".into()));
    Laptop::open(Profile::new(dir), Arc::new(SystemClock), no_reader).unwrap()
}

#[test]
fn a_file_that_cannot_be_read_is_named_as_unreadable_not_as_the_data_folder() {
    let profile = tempfile::tempdir().unwrap();
    let laptop = laptop(profile.path());
    let missing = profile.path().join("Tờ trình số 12.pdf");
    let error = laptop
        .attach_path(MeetingId::new_v7(), AgendaItemId::new_v7(), &missing)
        .unwrap_err();
    assert!(
        matches!(&error, AppError::CannotRead { path, .. } if *path == missing),
        "the file the secretary picked is named: {error}"
    );
}

#[test]
fn an_export_that_cannot_be_written_says_where_and_leaves_nothing_behind() {
    let profile = tempfile::tempdir().unwrap();
    let laptop = laptop(profile.path());
    let gone = profile.path().join("no such folder");
    let error = laptop
        .save_notes_list(&gone, "Phiên họp tháng 12", "1. Báo cáo")
        .unwrap_err();
    assert!(
        matches!(&error, AppError::CannotWrite { path, .. } if path.starts_with(&gone)),
        "the file being written is named: {error}"
    );
    assert!(!gone.exists(), "no folder was made on the way");
}

#[test]
fn exports_go_to_documents_quorum_or_to_the_profile_without_a_documents_folder() {
    let profile = tempfile::tempdir().unwrap();
    let laptop = laptop(profile.path());
    let documents = tempfile::tempdir().unwrap();
    assert_eq!(
        export_dir(&laptop, Some(documents.path().to_path_buf())).unwrap(),
        documents.path().join("Quorum")
    );
    let fallback = export_dir(&laptop, Some(profile.path().join("missing"))).unwrap();
    assert!(
        fallback == profile.path().join("exports") && fallback.is_dir(),
        "no Documents folder: the profile's exports, made: {}",
        fallback.display()
    );
    let saved = laptop
        .save_notes_list(&fallback, "Phiên họp: tháng 12/2026", "1. Báo cáo")
        .unwrap();
    assert_eq!(
        std::fs::read_to_string(&saved.path).unwrap(),
        "1. Báo cáo",
        "written where it says, with what a file system refuses in the title replaced: {}",
        saved.path
    );
}

#[test]
fn a_watched_folder_that_is_not_a_folder_is_refused_and_not_remembered() {
    let profile = tempfile::tempdir().unwrap();
    let laptop = laptop(profile.path());
    let file = profile.path().join("store.sqlite3");
    let meeting = MeetingId::new_v7();
    let error = laptop.watch_folder(meeting, file.clone()).unwrap_err();
    assert!(matches!(error, AppError::NotAFolder(path) if path == file));
    let saved = laptop
        .with_store(|store| store.settings_with_prefix("watch."))
        .unwrap();
    assert!(
        saved.is_empty(),
        "nothing is watched at the next start: {saved:?}"
    );
}

#[test]
fn a_laptop_never_enrolled_may_do_nothing_and_cannot_sync() {
    let profile = tempfile::tempdir().unwrap();
    let laptop = laptop(profile.path());
    let context = laptop.meeting_context(None).unwrap();
    assert!(context.me.is_none() && context.members.is_empty());
    assert_eq!(context.may, Capabilities::default());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let error = runtime.block_on(laptop.sync_once()).unwrap_err();
    assert!(
        matches!(error, AppError::Sync(quorum_sync::SyncError::NotEnrolled)),
        "told to enroll: {error}"
    );
}

#[test]
fn results_are_not_signed_before_they_are_final_and_nothing_is_written() {
    let profile = tempfile::tempdir().unwrap();
    let laptop = laptop(profile.path());
    let closed_at = quorum_core::Clock::now(&SystemClock);
    // Closed, but ballots cast offline may still arrive: the hub states no log head.
    let poll = received_written_opinion(
        &laptop,
        false,
        quorum_core::PollState::Closed {
            opened_at: closed_at,
            closed_at,
        },
        Some(closed_at + chrono::Duration::minutes(10)),
    );
    let dir = export_dir(&laptop, None).unwrap();
    let results = dir.join("Thông qua dự toán - kết quả.pdf");
    std::fs::write(&results, b"%PDF-1.7\n").unwrap();
    let error = laptop
        .sign_export_with_key_file(
            &dir,
            &results,
            &profile.path().join("signer.p12"),
            "mật khẩu 1",
            "Xác nhận kết quả",
            Some(SignedFor::Results { poll_id: poll.id }),
        )
        .unwrap_err();
    assert!(matches!(error, AppError::ResultsNotFinal), "{error}");
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        1,
        "no signed copy beside the export"
    );
}

#[test]
fn a_file_is_not_put_on_a_meeting_the_secretary_is_still_editing_and_the_draft_stays_as_it_was() {
    let profile = tempfile::tempdir().unwrap();
    let laptop = laptop(profile.path());
    let sample =
        quorum_sample::load(&quorum_sample::source_tree_sample_dir(), &SystemClock).unwrap();
    let mut editing = sample.meeting.clone();
    editing.title = "Phiên họp tháng 12 (đang sửa)".into();
    laptop
        .with_store(|store| store.save_draft(&editing))
        .unwrap();
    let dir = export_dir(&laptop, None).unwrap();
    let signed = dir.join("Biên bản (ký số).pdf");
    std::fs::write(&signed, b"%PDF-1.7\n").unwrap();
    let error = laptop
        .publish_export(&dir, editing.id, editing.agenda[0].id, &signed)
        .unwrap_err();
    assert!(
        matches!(error, AppError::DraftPending(id) if id == editing.id),
        "{error}"
    );
    let kept = laptop
        .with_store(|store| store.draft(editing.id))
        .unwrap()
        .unwrap();
    assert_eq!(
        kept.meeting, editing,
        "the unpublished edits are left alone"
    );
    assert!(!kept.queued, "and nothing was queued for publication");
}

/// A written opinion in `state`, as the hub would tell this laptop of it.
fn received_written_opinion(
    laptop: &Laptop,
    secret: bool,
    state: quorum_core::PollState,
    late_until: Option<chrono::DateTime<chrono::Utc>>,
) -> quorum_core::Poll {
    use quorum_core::protocol::{Change, PollView, Record};
    let poll = quorum_core::Poll::standard(
        quorum_core::PollSubject::WrittenOpinion {
            committee_id: quorum_core::CommitteeId::new_v7(),
        },
        "Góp ý dự thảo quy chế làm việc?".into(),
        secret,
        None,
    );
    let view = PollView {
        poll: poll.clone(),
        state,
        eligible: Vec::new(),
        voters: Vec::new(),
        answered: 0,
        tally: None,
        late_until,
        audit: None,
    };
    let change = Change {
        seq: 1,
        record: Record::Poll { poll: view },
    };
    laptop
        .with_store(|store| store.apply_changes(&[change], 1))
        .unwrap();
    poll
}

#[test]
fn no_answer_sheet_is_laid_out_or_sent_for_a_secret_poll_or_without_a_ballot() {
    let profile = tempfile::tempdir().unwrap();
    let laptop = laptop(profile.path());
    let dir = export_dir(&laptop, None).unwrap();
    let report = quorum_pdf::Report {
        title: "PHIẾU LẤY Ý KIẾN".into(),
        lines: Vec::new(),
    };
    let open = quorum_core::PollState::Open {
        opened_at: quorum_core::Clock::now(&SystemClock),
    };
    let secret = received_written_opinion(&laptop, true, open, None);
    let error = laptop
        .write_answer_sheet(&dir, secret.id, &secret.question, &report)
        .unwrap_err();
    assert!(
        matches!(error, AppError::NoAnswerSheetHere),
        "a secret poll's sheet would give the choice away: {error}"
    );
    let named = received_written_opinion(&laptop, false, open, None);
    let error = laptop
        .write_answer_sheet(&dir, named.id, &named.question, &report)
        .unwrap_err();
    assert!(matches!(error, AppError::NoBallotToAnswer), "{error}");

    // Signing a file as the sheet of a poll not answered here is refused before any key
    // is asked for, and nothing is queued.
    let sheet = dir.join("Góp ý - phiếu lấy ý kiến.pdf");
    std::fs::write(&sheet, b"%PDF-1.7\n").unwrap();
    let error = laptop
        .sign_export_with_key_file(
            &dir,
            &sheet,
            &profile.path().join("no-such.p12"),
            "mật khẩu 1",
            "Phiếu lấy ý kiến",
            Some(SignedFor::AnswerSheet { poll_id: named.id }),
        )
        .unwrap_err();
    assert!(matches!(error, AppError::NoBallotToAnswer), "{error}");
    assert_eq!(
        laptop.with_store(|store| store.pending_count()).unwrap(),
        0,
        "nothing waits for the hub"
    );
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        1,
        "no sheet and no signed copy were written"
    );
}
