//! The store's side of sync, on real files: applying the hub's change feed, the blob
//! index, the device identity, rejected operations and a permission-checked check-in.
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use chrono::{DateTime, TimeZone, Utc};
use quorum_core::protocol::{Change, Record, Refusal};
use quorum_core::{
    AgendaItem, AgendaItemId, Committee, CommitteeId, Denied, DeviceId, Document, DocumentId,
    DocumentVersion, Meeting, MeetingId, MeetingStatus, Member, MemberId, Role, Sha256Hex,
};
use quorum_store::{DeviceIdentity, Store, StoreError};

#[path = "../../quorum-pdf/tests/common/logged.rs"]
mod logged;
use logged::logged;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).unwrap()
}

struct World {
    committee: Committee,
    me: Member,
    meeting: Meeting,
}

fn world(role: Role) -> World {
    let committee = Committee {
        id: CommitteeId::new_v7(),
        name: "UBND phường".into(),
        time_zone: quorum_core::DEFAULT_TIME_ZONE.into(),
    };
    let me = Member {
        id: MemberId::new_v7(),
        committee_id: committee.id,
        full_name: "Đỗ Thị Hoa".into(),
        position: "Ủy viên".into(),
        role,
    };
    let document = |n: u8, size| Document {
        id: DocumentId::new_v7(),
        title: format!("Tài liệu {n}"),
        current: DocumentVersion {
            number: 1,
            sha256: Sha256Hex::from_digest(&[n; 32]),
            size_bytes: size,
            page_count: 3,
            file_name: format!("tai-lieu-{n}.pdf"),
        },
    };
    let meeting = Meeting {
        id: MeetingId::new_v7(),
        committee_id: committee.id,
        title: "Họp giao ban".into(),
        starts_at: now(),
        location: "Hội trường".into(),
        status: MeetingStatus::Published,
        version: 1,
        invitees: vec![me.id],
        agenda: vec![AgendaItem {
            id: AgendaItemId::new_v7(),
            title: "Báo cáo".into(),
            presenter: "Văn phòng".into(),
            planned_minutes: 20,
            documents: vec![document(1, 5000), document(2, 300)],
        }],
    };
    World {
        committee,
        me,
        meeting,
    }
}

fn feed(world: &World) -> Vec<Change> {
    vec![
        Change {
            seq: 3,
            record: Record::Committee {
                committee: world.committee.clone(),
            },
        },
        Change {
            seq: 4,
            record: Record::Member {
                member: world.me.clone(),
            },
        },
        Change {
            seq: 9,
            record: Record::Meeting {
                meeting: world.meeting.clone(),
            },
        },
    ]
}

fn enrolled(store: &mut Store, world: &World) {
    let identity = DeviceIdentity {
        device_id: DeviceId::new_v7(),
        member_id: world.me.id,
        hub_url: "http://127.0.0.1:7878".into(),
        hub_certificate: None,
        signing_key: "00".repeat(32),
        token: "secret".into(),
        enrolled_at: now(),
    };
    store
        .enroll_device(&identity, &world.committee, &world.me)
        .unwrap();
    assert_eq!(
        store.device().unwrap(),
        Some(identity),
        "the enrollment is kept"
    );
}

/// A store in a folder of its own, on the laptop of a member with `role` in the world.
fn fresh(role: Role) -> (tempfile::TempDir, World, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = reopen(&dir);
    (dir, world(role), store)
}

/// The store in `dir`, opened again as the app opens it at start.
fn reopen(dir: &tempfile::TempDir) -> Store {
    Store::open(&dir.path().join("store.sqlite3")).unwrap()
}

/// [`fresh`], with the world's feed applied up to change 9.
fn synced(role: Role) -> (tempfile::TempDir, World, Store) {
    let (dir, w, mut store) = fresh(role);
    store.apply_changes(&feed(&w), 9).unwrap();
    (dir, w, store)
}

/// Takes in one change of the hub's feed, numbered `seq`.
fn apply_one(store: &mut Store, seq: u64, record: Record) {
    store.apply_changes(&[Change { seq, record }], seq).unwrap();
}

/// Asserts that checking in to `meeting_id` is refused (`why`) and queues nothing.
fn assert_check_in_denied(store: &mut Store, meeting_id: MeetingId, why: &str, queues: &str) {
    let before = store.pending_count().unwrap();
    assert!(
        matches!(
            store.check_in(meeting_id, now()),
            Err(StoreError::Denied(_))
        ),
        "{why}"
    );
    assert_eq!(store.pending_count().unwrap(), before, "{queues}");
}

#[test]
fn a_page_of_changes_and_its_cursor_land_together_and_survive_a_reopen() {
    let (dir, w, mut store) = fresh(Role::Member);
    assert_eq!(
        store.sync_cursor().unwrap(),
        0,
        "a new store starts at the beginning of the feed"
    );
    store.apply_changes(&feed(&w), 12).unwrap();
    drop(store);

    let store = reopen(&dir);
    assert_eq!(
        store.sync_cursor().unwrap(),
        12,
        "the cursor moved with the page"
    );
    assert_eq!(
        store.meeting(w.meeting.id).unwrap(),
        w.meeting,
        "the meeting arrived whole"
    );
}

#[test]
fn a_page_that_fails_leaves_neither_records_nor_cursor() {
    let (_dir, w, mut store) = fresh(Role::Member);
    // A whole feed applies first, then a member of a committee that never arrived
    // breaks a foreign key at the page's last record.
    let stranger = Member {
        id: MemberId::new_v7(),
        committee_id: CommitteeId::new_v7(),
        full_name: "Người lạ".into(),
        position: "Ủy viên".into(),
        role: Role::Member,
    };
    let mut page = feed(&w);
    page.push(Change {
        seq: 10,
        record: Record::Member { member: stranger },
    });
    assert!(
        store.apply_changes(&page, 10).is_err(),
        "a member of an unknown committee is refused"
    );
    assert_eq!(
        store.sync_cursor().unwrap(),
        0,
        "the cursor did not move past the failed page"
    );
    assert!(
        !store.has_meetings().unwrap() && store.members().unwrap().is_empty(),
        "the records applied before the failure were not kept either"
    );
}

#[test]
fn a_withdrawn_meeting_disappears() {
    let (_dir, w, mut store) = synced(Role::Member);
    let withdrawn = Record::MeetingWithdrawn {
        meeting_id: w.meeting.id,
    };
    apply_one(&mut store, 10, withdrawn);
    assert!(
        matches!(
            store.meeting(w.meeting.id),
            Err(StoreError::MeetingNotFound(_))
        ),
        "a meeting the member may no longer see is removed from the laptop"
    );
}

#[test]
fn missing_blobs_shrink_as_documents_are_verified() {
    let (_dir, _, store) = synced(Role::Member);
    let progress = store.pack_progress().unwrap();
    assert_eq!(
        (progress.documents_present, progress.documents_total),
        (0, 2),
        "nothing here yet"
    );
    let missing = store.missing_blobs().unwrap();
    assert_eq!(
        missing.iter().map(|(_, size)| *size).collect::<Vec<_>>(),
        [300, 5000],
        "both documents are missing, smallest first"
    );

    store.mark_blob_verified(&missing[0].0, 300, now()).unwrap();
    assert!(
        store.blob_is_verified(&missing[0].0).unwrap(),
        "the verified blob is usable"
    );
    assert_eq!(
        store.missing_blobs().unwrap().len(),
        1,
        "one document is still to fetch"
    );
    let progress = store.pack_progress().unwrap();
    assert_eq!(
        (progress.bytes_present, progress.bytes_total),
        (300, 5300),
        "bytes are counted"
    );
}

#[test]
fn a_rejected_operation_stays_visible_and_leaves_the_queue() {
    let (_dir, w, mut store) = synced(Role::Member);
    enrolled(&mut store, &w);
    let first = store.check_in(w.meeting.id, now()).unwrap();
    let second = store.check_in(w.meeting.id, now()).unwrap();

    let closed = Refusal::Denied(Denied::MeetingClosed);
    assert!(
        store
            .mark_rejected(first.id, closed, "the meeting is closed")
            .unwrap(),
        "first refused"
    );
    assert!(
        !store.acknowledge(first.id).unwrap(),
        "a refused operation is not acknowledged away"
    );
    let pending: Vec<_> = store
        .pending_operations(10)
        .unwrap()
        .iter()
        .map(|o| o.id)
        .collect();
    assert_eq!(
        pending,
        [second.id],
        "the refusal does not block the operation behind it"
    );
    let rejected = store.rejected_operations().unwrap();
    assert_eq!(
        rejected.len(),
        1,
        "the member can still see what was refused"
    );
    assert_eq!(
        rejected[0].refusal, closed,
        "with the code the window has a sentence for"
    );
    assert_eq!(
        rejected[0].reason, "the meeting is closed",
        "and the hub's own words"
    );
}

#[test]
fn an_observer_may_check_in_but_only_when_enrolled_and_invited() {
    let (_dir, w, mut store) = synced(Role::Observer);
    assert!(
        matches!(
            store.check_in(w.meeting.id, now()),
            Err(StoreError::NotEnrolled)
        ),
        "a laptop that belongs to nobody cannot check anyone in"
    );
    enrolled(&mut store, &w);
    store
        .check_in(w.meeting.id, now())
        .expect("an invited observer checks in");
    let mut uninvited = w.meeting.clone();
    uninvited.id = MeetingId::new_v7();
    uninvited.invitees = vec![];
    for document in uninvited
        .agenda
        .iter_mut()
        .flat_map(|item| &mut item.documents)
    {
        document.id = DocumentId::new_v7();
    }
    uninvited.agenda[0].id = AgendaItemId::new_v7();
    let uninvited_id = uninvited.id;
    apply_one(&mut store, 9, Record::Meeting { meeting: uninvited });
    assert_check_in_denied(
        &mut store,
        uninvited_id,
        "an observer not invited to a meeting does not check in to it",
        "and nothing is queued for it",
    );

    let mut closed = w.meeting.clone();
    closed.status = MeetingStatus::Closed;
    apply_one(&mut store, 10, Record::Meeting { meeting: closed });
    assert_check_in_denied(
        &mut store,
        w.meeting.id,
        "nobody checks in to a closed meeting",
        "a refused check-in queues nothing",
    );
}

#[test]
fn a_note_is_kept_with_its_operation_and_deleted_as_a_tombstone() {
    use quorum_core::{Annotation, AnnotationShape, Color, OperationPayload, PagePoint};
    let (dir, w, mut store) = synced(Role::Member);
    let document = &w.meeting.agenda[0].documents[0];
    let sha256 = document.current.sha256.clone();
    let at = PagePoint { x: 120.5, y: 700.0 };
    let shape = AnnotationShape::Note {
        at,
        text: "Hỏi lại".into(),
    };
    let note = Annotation::private(
        document.id,
        sha256.clone(),
        2,
        w.me.id,
        Color::Yellow,
        shape,
        now(),
    );
    store.save_annotation(&note, now()).unwrap();
    drop(store);

    let mut store = reopen(&dir);
    enrolled(&mut store, &w);
    let shown = store.annotations(&sha256).unwrap();
    assert_eq!(
        shown.iter().map(|s| &s.annotation).collect::<Vec<_>>(),
        [&note],
        "the note survives a reopen whole"
    );
    assert!(
        shown[0].mine && shown[0].author_name == "Đỗ Thị Hoa",
        "shown as the member's own, with their name"
    );
    store.delete_annotation(note.id, now()).unwrap();
    assert!(
        store.annotations(&sha256).unwrap().is_empty(),
        "a deleted note is no longer shown"
    );
    let kinds: Vec<_> = store
        .pending_operations(10)
        .unwrap()
        .iter()
        .map(|o| o.payload.kind())
        .collect();
    assert_eq!(
        kinds,
        [
            quorum_core::OperationKind::SaveAnnotation,
            quorum_core::OperationKind::DeleteAnnotation
        ],
        "both reach the hub, in order"
    );
    let queued_delete = &store.pending_operations(10).unwrap()[1];
    assert!(
        matches!(queued_delete.payload, OperationPayload::DeleteAnnotation { annotation_id } if annotation_id == note.id),
        "the deletion names the note"
    );
}

#[test]
fn annotations_from_the_hub_arrive_but_never_overwrite_an_edit_still_waiting_to_be_sent() {
    use quorum_core::{Annotation, AnnotationEdit, AnnotationShape, Color, PageRect, Visibility};
    let (_dir, w, mut store) = synced(Role::Member);
    enrolled(&mut store, &w);
    let colleague = Member {
        id: MemberId::new_v7(),
        full_name: "Lê Văn Nam".into(),
        ..w.me.clone()
    };
    let document = &w.meeting.agenda[0].documents[0];
    let sha256 = document.current.sha256.clone();
    let rect = PageRect {
        left: 10.0,
        bottom: 10.0,
        right: 50.0,
        top: 30.0,
    };
    let shared = Annotation {
        visibility: Visibility::Shared,
        ..Annotation::private(
            document.id,
            sha256.clone(),
            0,
            colleague.id,
            Color::Blue,
            AnnotationShape::Rectangle { rect },
            now(),
        )
    };
    let mine = Annotation::private(
        document.id,
        sha256.clone(),
        1,
        w.me.id,
        Color::Red,
        AnnotationShape::Rectangle { rect },
        now(),
    );
    store.save_annotation(&mine, now()).unwrap();
    // The hub sends an older copy of the member's own rectangle (from another laptop)
    // while the edit made here is still queued.
    let older_mine = Annotation {
        color: Color::Black,
        ..mine.clone()
    };
    let change = |seq, record| Change { seq, record };
    store
        .apply_changes(
            &[
                change(
                    10,
                    Record::Member {
                        member: colleague.clone(),
                    },
                ),
                change(
                    11,
                    Record::Annotation {
                        meeting_id: w.meeting.id,
                        annotation: shared.clone(),
                    },
                ),
                change(
                    12,
                    Record::Annotation {
                        meeting_id: w.meeting.id,
                        annotation: older_mine,
                    },
                ),
            ],
            12,
        )
        .unwrap();
    let shown = store.annotations(&sha256).unwrap();
    assert_eq!(shown.len(), 2, "the shared one and the member's own");
    assert_eq!(
        (
            &shown[0].annotation,
            shown[0].author_name.as_str(),
            shown[0].mine
        ),
        (&shared, "Lê Văn Nam", false),
        "the colleague's shared rectangle, with their name"
    );
    assert_eq!(
        shown[1].annotation.color,
        Color::Red,
        "the member's queued version stays"
    );
    assert!(
        matches!(
            store.edit_annotation(
                shared.id,
                AnnotationEdit::Recolor { color: Color::Red },
                now()
            ),
            Err(StoreError::NotYourAnnotation)
        ),
        "a colleague's annotation cannot be changed here"
    );
    assert!(
        matches!(
            store.delete_annotation(shared.id, now()),
            Err(StoreError::NotYourAnnotation)
        ),
        "nor deleted"
    );
    store
        .apply_changes(
            &[change(
                13,
                Record::AnnotationWithdrawn {
                    annotation_id: shared.id,
                    author: colleague.id,
                },
            )],
            13,
        )
        .unwrap();
    assert_eq!(
        store
            .annotations(&sha256)
            .unwrap()
            .iter()
            .map(|s| s.annotation.id)
            .collect::<Vec<_>>(),
        [mine.id],
        "made private again by its author, the colleague's rectangle is gone"
    );
}

#[test]
fn casting_a_ballot_logs_neither_the_choice_nor_whose_vote_it_is() {
    let (_dir, w, mut store) = fresh(Role::Member);
    enrolled(&mut store, &w);
    store.apply_changes(&feed(&w), 9).unwrap();
    let poll = quorum_core::Poll::standard(
        quorum_core::PollSubject::WrittenOpinion {
            committee_id: w.committee.id,
        },
        "Thông qua dự toán?".into(),
        true,
        None,
    );
    let view = quorum_core::protocol::PollView {
        poll: poll.clone(),
        state: quorum_core::PollState::Open { opened_at: now() },
        eligible: vec![w.me.id],
        voters: vec![],
        answered: 0,
        tally: None,
        late_until: None,
        audit: None,
    };
    let opened = Change {
        seq: 10,
        record: Record::Poll { poll: view },
    };
    store.apply_changes(&[opened], 10).unwrap();
    let secret_words = "Tôi phản đối khoản chi số 7";
    let log = logged(tracing::Level::TRACE, || {
        store
            .cast_ballot(poll.id, w.me.id, "disagree", None, now())
            .unwrap();
        // Refused here: not an option of the poll, and a required comment missing.
        assert!(
            store
                .cast_ballot(
                    poll.id,
                    w.me.id,
                    "disagreeSecretly",
                    Some(secret_words.into()),
                    now()
                )
                .is_err()
        );
        assert!(
            store
                .cast_ballot(poll.id, w.me.id, "other", None, now())
                .is_err()
        );
    });
    assert!(
        log.contains(&poll.id.to_string()),
        "the poll is logged: {log}"
    );
    for secret in ["disagree", "other", secret_words, &w.me.id.to_string()] {
        assert!(
            !log.contains(secret),
            "{secret:?} must not be logged: {log}"
        );
    }
}

#[test]
fn the_committees_time_zone_comes_with_the_feed_and_vietnams_is_the_default() {
    let (_dir, world, mut store) = fresh(Role::Member);
    assert_eq!(store.time_zone().unwrap(), "Asia/Ho_Chi_Minh");
    apply_one(
        &mut store,
        20,
        Record::Committee {
            committee: Committee {
                time_zone: "Europe/Paris".into(),
                ..world.committee.clone()
            },
        },
    );
    assert_eq!(
        store.time_zone().unwrap(),
        "Europe/Paris",
        "the hub moved the committee"
    );
}
