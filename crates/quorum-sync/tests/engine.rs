//! The sync engine against a real hub served over HTTPS on loopback, in this process:
//! a laptop's profile enrolled with it, its store, and one round at a time.
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

// The hub's own test kit: a served hub, a committee, published meetings.
#[path = "../../quorum-hub/tests/common/mod.rs"]
mod common;

use std::sync::{Arc, Mutex};

use common::{Committee4, TestHub, document_bytes, meeting_with_document, sha256_of};
use futures_util::stream::{self, BoxStream, StreamExt};
use quorum_core::protocol::{Change, ChangesPage, DeviceStatus, PushRequest, PushResponse, Record};
use quorum_core::{Clock, Committee, CommitteeId, Meeting, Sha256Hex, SystemClock};
use quorum_store::Store;
use quorum_sync::{
    Connection, Download, Hub, Profile, SyncEngine, SyncError, SyncProblem, SyncStatus, enroll,
};
use tokio::sync::watch;

/// A member's laptop: its profile folder, its open store and its engine.
struct Laptop {
    _dir: tempfile::TempDir,
    profile: Profile,
    store: Arc<Mutex<Store>>,
    engine: SyncEngine,
}

impl Laptop {
    async fn enrolled(hub: &TestHub, code: &str) -> Laptop {
        let dir = tempfile::tempdir().unwrap();
        let profile = Profile::new(dir.path());
        hub.enroll_profile(&profile, code).await;
        let store = Arc::new(Mutex::new(profile.open_store().unwrap()));
        let engine =
            SyncEngine::new(profile.clone(), store.clone(), Arc::new(SystemClock)).unwrap();
        Laptop {
            _dir: dir,
            profile,
            store,
            engine,
        }
    }

    fn pending(&self) -> u64 {
        self.store.lock().unwrap().pending_count().unwrap()
    }

    fn check_in(&self, meeting: &Meeting) {
        self.store
            .lock()
            .unwrap()
            .check_in(meeting.id, SystemClock.now())
            .unwrap();
    }
}

/// A committee with a meeting of one document, published by its secretary to all four;
/// with the secretary's token.
async fn published_meeting(hub: &TestHub) -> (Committee4, Meeting, Vec<u8>, String) {
    let committee = hub.add_committee("UBND phường Bến Nghé").await;
    let (meeting, bytes, secretary) = hub.publish_meeting(&committee, 70_000).await;
    (committee, meeting, bytes, secretary)
}

fn operations_on_hub(hub: &TestHub) -> i64 {
    hub.count("SELECT COUNT(*) FROM operations")
}

#[tokio::test]
async fn a_round_sends_the_outbox_once_and_brings_the_meeting_and_its_document() {
    let hub = TestHub::start().await;
    let (committee, meeting, bytes, _) = published_meeting(&hub).await;
    let laptop = Laptop::enrolled(&hub, &committee.member.1).await;

    let first = laptop.engine.sync_once().await.unwrap();
    assert!(
        first.changes_applied > 0
            && (first.blobs_fetched, first.bytes_downloaded) == (1, bytes.len() as u64),
        "the meeting and its document came down: {first:?}"
    );
    let document = &meeting.agenda[0].documents[0].current.sha256;
    assert_eq!(
        std::fs::read(laptop.profile.blob_path(document)).unwrap(),
        bytes,
        "the document on the laptop is the one published"
    );
    let status = laptop.engine.status().borrow().clone();
    assert!(
        status.connection == Connection::Online
            && status.last_synced_at.is_some()
            && (status.documents_present, status.documents_total) == (1, 1)
            && status.pending_operations == 0,
        "the window would show online, synced, 1/1 documents, nothing waiting: {status:?}"
    );

    laptop.check_in(&meeting);
    let second = laptop.engine.sync_once().await.unwrap();
    assert_eq!(
        (second.operations_applied, second.blobs_fetched),
        (1, 0),
        "the check-in went up, the document was not fetched again: {second:?}"
    );
    let third = laptop.engine.sync_once().await.unwrap();
    assert_eq!(
        third.operations_applied, 0,
        "a further round sends nothing again: {third:?}"
    );
    assert_eq!(
        operations_on_hub(&hub),
        1,
        "the hub holds the check-in once"
    );
}

/// The window and `quorum sync` on the same profile (the member runs the command while
/// the app is open) each sync at once: both finish, and the document is whole.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_syncs_of_one_profile_at_the_same_moment_both_finish_with_the_document_whole() {
    let hub = TestHub::start().await;
    let committee = hub.add_committee("UBND phường Bến Nghé").await;
    let (meeting, bytes, _) = hub.publish_meeting(&committee, 6_000_000).await;
    let window = Laptop::enrolled(&hub, &committee.member.1).await;
    let command = SyncEngine::new(
        window.profile.clone(),
        Arc::new(Mutex::new(window.profile.open_store().unwrap())),
        Arc::new(SystemClock),
    )
    .unwrap();

    let (by_window, by_command) = tokio::join!(window.engine.sync_once(), command.sync_once());
    let (by_window, by_command) = (by_window.unwrap(), by_command.unwrap());
    assert_eq!(
        by_window.blobs_fetched + by_command.blobs_fetched,
        1,
        "the document came down once: {by_window:?} {by_command:?}"
    );
    let document = &meeting.agenda[0].documents[0].current.sha256;
    assert_eq!(
        std::fs::read(window.profile.blob_path(document)).unwrap(),
        bytes,
        "the document on the laptop is the one published"
    );
    assert_eq!(
        window.engine.status().borrow().documents_present,
        1,
        "the window counts it present"
    );
}

#[tokio::test]
async fn a_hub_out_of_reach_keeps_the_outbox_whole_and_the_laptop_says_offline() {
    let hub = TestHub::start().await;
    let (committee, meeting, _, _) = published_meeting(&hub).await;
    let laptop = Laptop::enrolled(&hub, &committee.member.1).await;
    laptop.engine.sync_once().await.unwrap();
    let synced_at = laptop.engine.status().borrow().last_synced_at;
    drop(hub);

    laptop.check_in(&meeting);
    let error = laptop.engine.sync_once().await.unwrap_err();
    assert!(
        matches!(error, SyncError::Unreachable { .. }) && error.is_retryable(),
        "a hub that is gone is worth trying again: {error}"
    );
    let status = laptop.engine.status().borrow().clone();
    assert!(
        status.connection == Connection::Offline
            && status.pending_operations == 1
            && status.last_synced_at == synced_at
            && status.problem.is_none(),
        "offline, the check-in waiting, the last good sync still shown, nothing for the \
         member to fix: {status:?}"
    );
    assert_eq!(laptop.pending(), 1, "the check-in is still queued");
}

#[tokio::test]
async fn a_revoked_laptop_is_told_to_enroll_again_and_sends_nothing() {
    let hub = TestHub::start().await;
    let (committee, meeting, _, _) = published_meeting(&hub).await;
    let laptop = Laptop::enrolled(&hub, &committee.member.1).await;
    laptop.engine.sync_once().await.unwrap();
    let device = laptop.store.lock().unwrap().device().unwrap().unwrap();
    hub.revoke(device.device_id).await;

    laptop.check_in(&meeting);
    let error = laptop.engine.sync_once().await.unwrap_err();
    assert!(
        matches!(error, SyncError::Unauthorized) && !error.is_retryable(),
        "retrying cannot help a revoked laptop: {error}"
    );
    let status = laptop.engine.status().borrow().clone();
    assert_eq!(
        status.problem,
        Some(SyncProblem::Unauthorized),
        "the window can say why in words: {status:?}"
    );
    assert_eq!(
        (laptop.pending(), operations_on_hub(&hub)),
        (1, 0),
        "the check-in stays on the laptop and never reached the hub"
    );
}

#[tokio::test]
async fn an_outbox_stuck_at_a_gap_still_brings_the_newly_published_meeting() {
    let hub = TestHub::start().await;
    let (committee, meeting, _, secretary) = published_meeting(&hub).await;
    let laptop = Laptop::enrolled(&hub, &committee.member.1).await;
    laptop.engine.sync_once().await.unwrap();
    laptop.check_in(&meeting);
    laptop.check_in(&meeting);
    let outbox = rusqlite::Connection::open(laptop.profile.store_path()).unwrap();
    outbox
        .execute(
            "DELETE FROM outbox WHERE device_seq = (SELECT MIN(device_seq) FROM outbox)",
            [],
        )
        .unwrap();
    let current = &meeting.agenda[0].documents[0].current;
    let mut next = meeting_with_document(
        committee.committee.id,
        meeting.invitees.clone(),
        current.sha256.clone(),
        current.size_bytes,
    );
    next.title = "Phiên họp bất thường".into();
    let stored = hub.put_meeting(&secretary, &next).await;
    assert!(
        stored.status().is_success(),
        "a second meeting is published"
    );

    let error = laptop.engine.sync_once().await.unwrap_err();
    assert!(
        matches!(error, SyncError::OutboxGap { expected: 1 }),
        "the gap is told: {error}"
    );
    let meetings = laptop
        .store
        .lock()
        .unwrap()
        .meetings(SystemClock.now())
        .unwrap();
    assert!(
        meetings.iter().any(|m| m.title == "Phiên họp bất thường"),
        "the new meeting arrived all the same: {meetings:?}"
    );
    assert_eq!(
        (laptop.pending(), operations_on_hub(&hub)),
        (1, 0),
        "the operation after the gap waits; nothing past it was applied"
    );
}

#[tokio::test]
async fn enrolling_with_a_hub_that_shows_another_certificate_leaves_the_profile_unbound() {
    let hub = TestHub::start().await;
    let impostor = TestHub::start().await;
    let committee = impostor.add_committee("UBND phường Đa Kao").await;
    let dir = tempfile::tempdir().unwrap();
    let profile = Profile::new(dir.path());

    let error = enroll(
        &profile,
        impostor.base.trim_end_matches("/v1"),
        &committee.member.1,
        Some(&hub.fingerprint),
        "Laptop",
        &SystemClock,
    )
    .await
    .unwrap_err();
    assert!(
        matches!(error, SyncError::CertificateMismatch { .. }),
        "a hub showing another certificate than the one printed with the code: {error}"
    );
    assert!(
        profile
            .open_store()
            .unwrap()
            .enrollment()
            .unwrap()
            .is_none(),
        "the profile is not enrolled with anyone"
    );
    assert_eq!(
        impostor.count("SELECT COUNT(*) FROM devices"),
        0,
        "the code never reached the other hub, so it is still unused"
    );
}

/// A hub scripted in the test, for what a real one cannot be made to do on cue: it
/// serves one meeting, and its document in as many small chunks as asked.
struct ScriptedHub {
    meeting: Meeting,
    bytes: Vec<u8>,
    chunk: usize,
    /// Set once the engine exists: the body looks at it before each chunk.
    status: Arc<Mutex<Option<watch::Receiver<SyncStatus>>>>,
    /// Chunks before which the engine had told the window something new.
    told: Arc<std::sync::atomic::AtomicUsize>,
}

impl Hub for ScriptedHub {
    async fn push(&self, _: &PushRequest) -> quorum_sync::Result<PushResponse> {
        Ok(PushResponse { results: vec![] })
    }

    async fn changes(&self, since: u64) -> quorum_sync::Result<ChangesPage> {
        let committee = Committee {
            id: self.meeting.committee_id,
            name: "UBND phường Bến Nghé".into(),
            time_zone: quorum_core::DEFAULT_TIME_ZONE.into(),
        };
        let records = [
            Record::Committee { committee },
            Record::Meeting {
                meeting: self.meeting.clone(),
            },
        ];
        let changes = (1..)
            .zip(records)
            .map(|(seq, record)| Change { seq, record })
            .filter(|change| change.seq > since)
            .collect();
        Ok(ChangesPage {
            changes,
            next_cursor: 2,
            more: false,
        })
    }

    async fn report_status(&self, _: &DeviceStatus) -> quorum_sync::Result<()> {
        Ok(())
    }

    async fn publish(&self, meeting: &Meeting) -> quorum_sync::Result<Meeting> {
        Ok(meeting.clone())
    }

    async fn put_blob(&self, _: &Sha256Hex, _: Vec<u8>) -> quorum_sync::Result<()> {
        Ok(())
    }

    async fn get_blob(&self, _: &Sha256Hex, offset: u64) -> quorum_sync::Result<Download> {
        assert_eq!(offset, 0, "nothing was downloaded before");
        let mut status = self
            .status
            .lock()
            .unwrap()
            .clone()
            .expect("the engine exists");
        let told = self.told.clone();
        let chunks: Vec<Vec<u8>> = self.bytes.chunks(self.chunk).map(<[u8]>::to_vec).collect();
        let body = stream::iter(chunks).map(move |chunk| {
            if status.has_changed().unwrap_or(false) {
                status.borrow_and_update();
                told.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
            Ok(chunk.into())
        });
        Ok(Download {
            status: reqwest::StatusCode::OK,
            body: body.boxed(),
        })
    }

    async fn announcements(&self) -> quorum_sync::Result<BoxStream<'static, ()>> {
        Ok(stream::pending().boxed())
    }
}

#[tokio::test]
async fn a_document_in_thousands_of_chunks_tells_the_window_its_progress_a_few_times() {
    let bytes = document_bytes(256 * 1024);
    let sha256 = sha256_of(&bytes);
    let meeting = meeting_with_document(CommitteeId::new_v7(), vec![], sha256.clone(), 256 * 1024);
    let hub = ScriptedHub {
        meeting,
        bytes: bytes.clone(),
        chunk: 64,
        status: Arc::default(),
        told: Arc::default(),
    };
    let (told, status) = (hub.told.clone(), hub.status.clone());
    let dir = tempfile::tempdir().unwrap();
    let profile = Profile::new(dir.path());
    let store = Arc::new(Mutex::new(profile.open_store().unwrap()));
    let engine =
        SyncEngine::with_hub(hub, profile.clone(), store.clone(), Arc::new(SystemClock)).unwrap();
    *status.lock().unwrap() = Some(engine.status());

    let report = engine
        .sync_once()
        .await
        .expect("the scripted hub answers everything");

    assert_eq!(report.blobs_fetched, 1);
    assert_eq!(
        std::fs::read(profile.blob_path(&sha256)).unwrap(),
        bytes,
        "all 4,096 chunks were kept, in order"
    );
    let told = told.load(std::sync::atomic::Ordering::SeqCst);
    assert!(
        told <= 10,
        "the window heard of the download {told} times in 4,096 chunks: every chunk would \
         reload its components"
    );
    assert_eq!(
        engine.status().borrow().bytes_downloaded,
        256 * 1024,
        "the last word is the whole document"
    );
}
