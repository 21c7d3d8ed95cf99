//! A laptop's running sync engine against a real hub served over HTTPS on loopback:
//! whatever the member does is sent at once, not at the next periodic round.
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

// The hub's own test kit: a served hub, a committee, published meetings.
#[path = "../../quorum-hub/tests/common/mod.rs"]
mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::TestHub;
use quorum_app_core::{Laptop, PageRef};
use quorum_core::{PagePoint, SystemClock, Visibility};
use quorum_pdf::PdfError;
use quorum_sync::Profile;

/// Longer than any round on a busy machine, shorter than the 30 s between periodic
/// rounds: an operation that arrives within it was sent because it was made.
const SENT_AT_ONCE: Duration = Duration::from_secs(15);

/// Waits until the engine has been idle for two seconds.
async fn settle(status: &mut tokio::sync::watch::Receiver<quorum_sync::SyncStatus>) {
    while let Ok(Ok(())) = tokio::time::timeout(Duration::from_secs(2), status.changed()).await {}
    assert!(!status.borrow().syncing, "no round is under way");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_note_and_a_check_in_reach_the_hub_without_waiting_for_the_next_round() {
    let hub = TestHub::start().await;
    let committee = hub.add_committee("UBND phường Bến Nghé").await;
    let (meeting, _, _) = hub.publish_meeting(&committee, 5_000).await;

    let dir = tempfile::tempdir().unwrap();
    let profile = Profile::new(dir.path());
    hub.enroll_profile(&profile, &committee.member.1).await;
    let no_reader = Err(PdfError::Worker("no reader in this test".into()));
    let laptop = Laptop::open(profile, Arc::new(SystemClock), no_reader).unwrap();
    let engine = laptop.engine().unwrap().clone();
    let mut status = engine.status();
    let (_stop, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(engine.clone().run(stopped));
    // The engine's first round brings the meeting; its report to the hub comes back on
    // the live channel and starts another. Once they are over, only the member's own
    // actions or the periodic round 30 s on can start one.
    settle(&mut status).await;
    let operations_on_hub = || hub.count("SELECT COUNT(*) FROM operations");
    let arrives = |expected: i64| async move {
        let deadline = Instant::now() + SENT_AT_ONCE;
        while operations_on_hub() < expected {
            assert!(
                Instant::now() < deadline,
                "operation {expected} was still waiting for a periodic round"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    let document = &meeting.agenda[0].documents[0];
    let at = PageRef {
        document_id: document.id,
        sha256: document.current.sha256.clone(),
        page: 0,
    };
    laptop
        .add_note(
            at,
            PagePoint { x: 72.0, y: 700.0 },
            "Đề nghị bổ sung số liệu".into(),
            Visibility::Private,
        )
        .unwrap();
    arrives(1).await;
    settle(&mut status).await;
    laptop.check_in(meeting.id).unwrap();
    arrives(2).await;
    assert_eq!(
        laptop.sync_status().unwrap().pending_operations,
        0,
        "nothing left waiting"
    );
}
