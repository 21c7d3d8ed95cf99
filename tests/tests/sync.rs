//! Hub and sync, end to end: the real `quorum-hub` and `quorum` processes on loopback,
//! each laptop with its own profile folder.
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use quorum_core::{Clock, MeetingId, SystemClock};
use quorum_e2e::processes::{
    DemoHub, HubProcess, Laptop, code_for, demo_hub_and_laptops, enrolled_laptop, get_json,
    hub_admin_output, new_code, synced_laptop,
};
use quorum_e2e::proxy::{Faults, FaultyProxy};
use serde_json::Value;
use sha2::{Digest, Sha256};

const SAMPLE_DOCUMENTS: u64 = 7;
const REPORT: &str = "02-bao-cao-kinh-te-xa-hoi.pdf";
const PROGRAMME: &str = "01-chuong-trinh.pdf";

fn sample_documents_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/sample/documents")
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A sample document's bytes, and their SHA-256: the name of its blob.
fn sample_document(name: &str) -> (Vec<u8>, String) {
    let bytes = std::fs::read(sample_documents_dir().join(name)).unwrap();
    let sha256 = sha256_hex(&bytes);
    (bytes, sha256)
}

/// The demo hub, and a member's laptop enrolled with it, not synced yet.
fn demo_and_member() -> (DemoHub, tempfile::TempDir, Laptop) {
    let (demo, laptops) = demo_hub_and_laptops();
    let laptop = demo.enrolled(laptops.path(), "member");
    (demo, laptops, laptop)
}

/// Runs `quorum sync` on `laptop`, which must fail (`why`); returns the error it prints.
fn failed_sync(laptop: &Laptop, why: &str) -> String {
    let (ok, answer) = laptop.try_run(&["sync"]);
    assert!(!ok, "{why}: {answer}");
    answer["error"].as_str().unwrap_or_default().to_string()
}

fn only_meeting(laptop: &Laptop) -> String {
    let meetings = laptop.run(&["meetings"]);
    assert_eq!(
        meetings.as_array().map(Vec::len),
        Some(1),
        "one meeting: {meetings}"
    );
    meetings[0]["id"].as_str().unwrap().to_string()
}

fn hub_operation_count(data: &Path) -> i64 {
    let db = rusqlite::Connection::open(data.join("hub.sqlite3")).unwrap();
    db.query_row("SELECT count(*) FROM operations", [], |row| row.get(0))
        .unwrap()
}

#[test]
fn three_laptops_each_end_with_the_whole_pack_verified() {
    let (demo, laptops) = demo_hub_and_laptops();
    for role in ["chair", "member", "observer"] {
        let laptop = demo.enrolled(laptops.path(), role);
        let synced = laptop.run(&["sync"]);
        for (counted, what) in [
            (&synced["report"]["blobsFetched"], "every PDF fetched"),
            (
                &synced["status"]["documentsPresent"],
                "the pack is complete",
            ),
            (
                &synced["status"]["documentsTotal"],
                "seven documents in all",
            ),
        ] {
            assert_eq!(*counted, SAMPLE_DOCUMENTS, "{role}: {what}");
        }
        // The profile holds the device's token and key: nobody else on the machine reads it.
        let mode = |path: &Path| {
            use std::os::unix::fs::PermissionsExt;
            std::fs::metadata(path).unwrap().permissions().mode() & 0o777
        };
        assert_eq!(mode(&laptop.profile), 0o700, "{role}: the profile folder");
        assert_eq!(
            mode(&laptop.profile.join("store.sqlite3")),
            0o600,
            "{role}: the store"
        );
        let blob = std::fs::read_dir(laptop.profile.join("blobs"))
            .unwrap()
            .next()
            .unwrap()
            .unwrap();
        assert_eq!(mode(&blob.path()), 0o600, "{role}: a document");

        let shown = laptop.run(&["show", &only_meeting(&laptop)]);
        assert_eq!(
            shown["meeting"]["agenda"].as_array().unwrap().len(),
            6,
            "{role}: six agenda items"
        );
        for document in shown["documents"].as_array().unwrap() {
            let sha256 = document["sha256"].as_str().unwrap();
            assert_eq!(
                document["present"], true,
                "{role}: {sha256} is on the laptop"
            );
            let bytes = std::fs::read(laptop.blob_path(sha256)).unwrap();
            assert_eq!(
                sha256_hex(&bytes),
                sha256,
                "{role}: the stored bytes are the document's own"
            );
        }

        // The chair's board takes in the chair's own laptop's report once.
        laptop.run(&["sync"]);
        let again = laptop.run(&["sync"]);
        for (field, what) in [
            ("changesApplied", "nothing new once in step"),
            ("blobsFetched", "nothing downloaded twice"),
        ] {
            assert_eq!(again["report"][field], 0, "{role}: {what}");
        }
    }
}

#[test]
fn operations_queued_while_the_hub_is_down_are_applied_exactly_once() {
    let (demo, laptops) = demo_hub_and_laptops();
    let address = demo.hub.address.clone();
    let laptop = synced_laptop(&demo.hub, laptops.path(), &demo.members, "member");
    let meeting = only_meeting(&laptop);
    demo.hub.kill();

    laptop.run(&["check-in", &meeting]);
    laptop.run(&["check-in", &meeting]);
    let error = failed_sync(&laptop, "sync fails while the hub is down");
    assert!(
        error.contains("cannot be reached"),
        "the member is told the hub is unreachable: {error}"
    );
    let status = laptop.run(&["status"]);
    assert_eq!(
        status["status"]["pendingOperations"], 2,
        "both check-ins wait in the outbox"
    );

    let hub = HubProcess::start(demo.data.path(), &address);
    let synced = laptop.run(&["sync"]);
    assert_eq!(
        synced["report"]["operationsApplied"], 2,
        "both are applied once the hub is back"
    );
    assert_eq!(
        synced["status"]["pendingOperations"], 0,
        "the outbox is empty"
    );
    let again = laptop.run(&["sync"]);
    assert_eq!(
        again["report"]["operationsApplied"], 0,
        "nothing is sent twice"
    );
    assert_eq!(
        hub_operation_count(demo.data.path()),
        2,
        "the hub recorded each operation once"
    );
    drop(hub);
}

#[test]
fn a_client_killed_mid_upload_loses_nothing_and_counts_nothing_twice() {
    const QUEUED: i64 = 5000;
    let (demo, laptops) = demo_hub_and_laptops();
    let laptop = synced_laptop(&demo.hub, laptops.path(), &demo.members, "chair");
    let meeting: MeetingId = only_meeting(&laptop).parse().unwrap();
    {
        // Queue a long outbox through the real store, as many offline actions would.
        let mut store = quorum_store::Store::open(&laptop.profile.join("store.sqlite3")).unwrap();
        for _ in 0..QUEUED {
            store.check_in(meeting, SystemClock.now()).unwrap();
        }
    }

    let mut upload = laptop.command(&["sync"]).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut at_kill = 0;
    while at_kill == 0 {
        assert!(Instant::now() < deadline, "the upload never started");
        std::thread::sleep(Duration::from_millis(2));
        at_kill = hub_operation_count(demo.data.path());
    }
    upload.kill().unwrap();
    upload.wait().unwrap();
    let at_kill = hub_operation_count(demo.data.path());
    assert!(
        at_kill < QUEUED,
        "the client was killed in the middle of its upload ({at_kill} of {QUEUED})"
    );

    let synced = laptop.run(&["sync"]);
    let report = &synced["report"];
    let answered = report["operationsApplied"].as_i64().unwrap()
        + report["operationsDuplicate"].as_i64().unwrap();
    assert!(
        answered >= QUEUED - at_kill,
        "the rest was sent after the restart: {report}"
    );
    assert_eq!(
        synced["status"]["pendingOperations"], 0,
        "nothing is left behind"
    );
    assert_eq!(
        hub_operation_count(demo.data.path()),
        QUEUED,
        "every operation counted exactly once"
    );
}

#[test]
fn a_cut_download_resumes_and_a_corrupt_one_is_fetched_again() {
    let (_demo, _laptops, laptop) = demo_and_member();

    // What an interrupted download leaves behind: half of the report...
    let (report, report_sha) = sample_document(REPORT);
    let half = report.len() / 2;
    std::fs::write(laptop.partial_blob_path(&report_sha), &report[..half]).unwrap();
    // ...and a download of the programme whose bytes were damaged on the way.
    let (programme, programme_sha) = sample_document(PROGRAMME);
    let damaged = vec![0x5a; programme.len()];
    std::fs::write(laptop.partial_blob_path(&programme_sha), damaged).unwrap();

    let synced = laptop.run(&["sync"]);
    let done = &synced["report"];
    assert_eq!(
        done["bytesResumed"].as_u64(),
        Some(half as u64),
        "the report resumed where it stopped"
    );
    assert_eq!(
        done["blobsDiscarded"], 1,
        "the damaged download was thrown away"
    );
    assert_eq!(
        done["blobsFetched"], SAMPLE_DOCUMENTS,
        "and every document arrived"
    );
    let total: u64 = std::fs::read_dir(sample_documents_dir())
        .unwrap()
        .map(|entry| entry.unwrap().metadata().unwrap().len())
        .sum();
    assert_eq!(
        done["bytesDownloaded"].as_u64(),
        Some(total - half as u64),
        "only the missing half of the report came over the network again"
    );
    for (sha256, original) in [(&report_sha, &report), (&programme_sha, &programme)] {
        let stored = std::fs::read(laptop.blob_path(sha256)).unwrap();
        assert_eq!(
            &stored, original,
            "{sha256} is byte for byte the secretary's file"
        );
    }
}

#[test]
fn a_document_the_hub_serves_wrong_is_refused_every_time_and_the_rest_of_the_pack_arrives() {
    let (demo, _laptops, laptop) = demo_and_member();
    // The programme's file on the hub is damaged on its disk; it is the smallest, so
    // the first downloaded.
    let (programme, programme_sha) = sample_document(PROGRAMME);
    let on_hub = demo
        .data
        .path()
        .join("blobs")
        .join(&programme_sha[..2])
        .join(&programme_sha);
    let mut damaged = programme.clone();
    damaged[programme.len() / 2] ^= 0xff;
    std::fs::write(&on_hub, &damaged).unwrap();

    for attempt in ["first", "second"] {
        let (ok, answer) = laptop.try_run(&["sync"]);
        assert!(
            !ok && answer["error"].as_str().unwrap().contains(&programme_sha),
            "the {attempt} sync says which document came wrong: {answer}"
        );
        assert!(
            !laptop.blob_path(&programme_sha).exists()
                && !laptop.partial_blob_path(&programme_sha).exists(),
            "the {attempt} time, the wrong bytes are neither kept nor left half-way"
        );
    }
    let status = &laptop.run(&["status"])["status"];
    assert_eq!(
        (
            status["documentsPresent"].as_u64(),
            status["documentsTotal"].as_u64()
        ),
        (Some(SAMPLE_DOCUMENTS - 1), Some(SAMPLE_DOCUMENTS)),
        "every other document arrived: only the damaged one is missing: {status}"
    );

    std::fs::write(&on_hub, &programme).unwrap();
    laptop.run(&["sync"]);
    assert_eq!(
        std::fs::read(laptop.blob_path(&programme_sha)).unwrap(),
        programme,
        "once the hub has it right, it arrives"
    );
}

#[test]
fn a_partial_download_longer_than_its_document_is_started_over() {
    let (report, report_sha) = sample_document(REPORT);
    let (_demo, _laptops, laptop) = demo_and_member();
    let mut longer = report.clone();
    longer.extend_from_slice(&[0x5a; 100]);
    std::fs::write(laptop.partial_blob_path(&report_sha), longer).unwrap();
    assert_synced_anew(
        &laptop,
        &report,
        "nothing of it was taken as a prefix",
        "the document arrived whole",
    );
}

/// Syncs `laptop`, and asserts that the partial download of `document` on it was
/// neither resumed nor thrown away (`why`) and that the document arrived whole
/// (`whole`).
fn assert_synced_anew(laptop: &Laptop, document: &[u8], why: &str, whole: &str) {
    let synced = laptop.run(&["sync"]);
    let report = &synced["report"];
    assert_eq!(
        (
            report["bytesResumed"].as_u64(),
            report["blobsDiscarded"].as_u64()
        ),
        (Some(0), Some(0)),
        "{why}: {synced}"
    );
    let stored = std::fs::read(laptop.blob_path(&sha256_hex(document))).unwrap();
    assert_eq!(stored, document, "{whole}");
}

/// Every sample document is on `laptop`, byte for byte: none cut short, none with bytes
/// twice.
fn assert_whole_pack(laptop: &Laptop) {
    for document in std::fs::read_dir(sample_documents_dir()).unwrap() {
        let bytes = std::fs::read(document.unwrap().path()).unwrap();
        assert_eq!(
            std::fs::read(laptop.blob_path(&sha256_hex(&bytes))).unwrap(),
            bytes,
            "every document is whole, none with bytes twice"
        );
    }
}

/// The demo hub, and a member's laptop enrolled through a proxy that breaks downloads
/// on purpose.
fn behind_a_faulty_proxy() -> (DemoHub, tempfile::TempDir, FaultyProxy, Laptop) {
    let (demo, laptops) = demo_hub_and_laptops();
    let proxy = FaultyProxy::start(&demo.hub);
    let laptop = Laptop::new(laptops.path().join("member"));
    laptop.run(&["enroll", &proxy.url, &code_for(&demo.members, "member")]);
    (demo, laptops, proxy, laptop)
}

#[test]
fn a_whole_document_sent_in_answer_to_a_range_request_replaces_the_partial_one() {
    let (_demo, _laptops, proxy, laptop) = behind_a_faulty_proxy();
    let (report, sha256) = sample_document(REPORT);
    std::fs::write(
        laptop.partial_blob_path(&sha256),
        &report[..report.len() / 2],
    )
    .unwrap();
    proxy.set(Faults {
        ignore_range: true,
        ..Faults::default()
    });
    assert_synced_anew(
        &laptop,
        &report,
        "a 200 is the whole document, not the rest of it, and nothing was thrown away",
        "and it is kept whole, not appended to the half already here",
    );
}

#[test]
fn a_download_cut_mid_transfer_resumes_from_what_arrived() {
    let (_demo, _laptops, proxy, laptop) = behind_a_faulty_proxy();
    // The first document downloaded (the smallest) loses its connection 20 KB in.
    let cut = 20_000;
    proxy.set(Faults::cutting_after(cut));
    failed_sync(&laptop, "the sync whose download was cut fails");
    assert_eq!(proxy.faults().cut_after, None, "the download was cut");
    let synced = laptop.run(&["sync"]);
    let resumed = synced["report"]["bytesResumed"].as_u64().unwrap();
    assert!(
        resumed > 0,
        "the next sync goes on from the bytes that arrived: {synced}"
    );
    assert_whole_pack(&laptop);
}

#[test]
fn a_client_killed_while_bytes_flow_resumes_and_keeps_nothing_twice() {
    let (_demo, _laptops, proxy, laptop) = behind_a_faulty_proxy();
    let held = 30_000;
    proxy.set(Faults::stalling_after(held));
    let mut sync = laptop.command(&["sync"]).spawn().unwrap();
    // Wait until a download has its bytes on disk and is held still, then kill the client.
    let blobs = laptop.profile.join("blobs");
    let deadline = std::time::Instant::now() + quorum_e2e::PATIENCE;
    let part = loop {
        let part = std::fs::read_dir(&blobs).unwrap().find_map(|entry| {
            let path = entry.unwrap().path();
            let size = std::fs::metadata(&path).ok()?.len();
            (path.extension()? == "part" && size as usize >= held).then_some(path)
        });
        if let Some(part) = part {
            break part;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no download got going"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    sync.kill().unwrap(); // SIGKILL, mid-transfer
    sync.wait().unwrap();
    assert!(part.exists(), "the partial download is left for next time");
    proxy.set(Faults::default());

    let synced = laptop.run(&["sync"]);
    assert!(
        synced["report"]["bytesResumed"].as_u64().unwrap() >= held as u64,
        "the next sync resumes from the bytes kept: {synced}"
    );
    assert_whole_pack(&laptop);
}

async fn http_status(hub: &HubProcess, url: &str, token: Option<&str>) -> u16 {
    let mut request = hub.client().get(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn outsiders_revoked_laptops_and_forged_credentials_get_nothing() {
    let (demo, laptops) = demo_hub_and_laptops();
    let data = demo.data.path();
    let url = demo.hub.url();
    let (_, report_sha) = sample_document(REPORT);
    let blob_url = format!("{url}/v1/blobs/{report_sha}");

    // A member of another committee.
    let committee = String::from_utf8(
        hub_admin_output(data, &["admin", "add-committee", "Sở Tài chính"]).stdout,
    )
    .unwrap();
    let added = hub_admin_output(
        data,
        &[
            "admin",
            "add-member",
            "--committee",
            committee.trim(),
            "--name",
            "Người ngoài",
            "--role",
            "member",
        ],
    );
    let added = String::from_utf8(added.stdout).unwrap();
    let outsider_code = added
        .trim()
        .split('\t')
        .nth(1)
        .expect("add-member prints MEMBER_ID<TAB>CODE");
    let outsider = enrolled_laptop(&demo.hub, laptops.path(), "outsider", outsider_code);
    let synced = outsider.run(&["sync"]);
    assert_eq!(
        synced["status"]["documentsTotal"], 0,
        "no document of another committee"
    );
    assert_eq!(
        outsider.run(&["meetings"]),
        Value::Array(vec![]),
        "no meeting of another committee"
    );
    assert_eq!(
        http_status(&demo.hub, &blob_url, Some(&outsider.token())).await,
        404,
        "no blob either"
    );

    // A laptop whose device was revoked.
    let member = synced_laptop(&demo.hub, laptops.path(), &demo.members, "member");
    let token = member.token();
    let device = member.run(&["status"])["deviceId"]
        .as_str()
        .unwrap()
        .to_string();
    hub_admin_output(data, &["admin", "revoke-device", &device]);
    let refused = failed_sync(&member, "a revoked laptop cannot sync");
    assert!(
        refused.contains("no longer accepts"),
        "and is told why: {refused}"
    );
    assert_eq!(
        http_status(
            &demo.hub,
            &format!("{url}/v1/changes?since=0"),
            Some(&token)
        )
        .await,
        401,
        "no changes"
    );
    assert_eq!(
        http_status(&demo.hub, &blob_url, Some(&token)).await,
        401,
        "no blob"
    );

    // No credential, or a forged one.
    for token in [None, Some("forged-token"), Some("")] {
        assert_eq!(
            http_status(&demo.hub, &format!("{url}/v1/changes?since=0"), token).await,
            401,
            "{token:?}: no changes"
        );
        assert_eq!(
            http_status(&demo.hub, &blob_url, token).await,
            401,
            "{token:?}: no blob"
        );
    }
}

#[tokio::test]
async fn malformed_requests_get_a_clear_4xx_and_change_nothing() {
    let (demo, _laptops, laptop) = demo_and_member();
    let url = demo.hub.url();
    let token = laptop.token();
    // A new client for each request: the hub closes a connection whose body it refused.
    let client = || demo.hub.client();
    // What the member's feed holds: no refused request may add to it.
    let feed = || async {
        let changes = format!("{url}/v1/changes?since=0");
        get_json(&client(), &changes, &token).await["nextCursor"].clone()
    };
    let before = feed().await;

    let cases: Vec<(&str, reqwest::RequestBuilder, u16)> = vec![
        (
            "bad JSON",
            client()
                .post(format!("{url}/v1/operations"))
                .bearer_auth(&token)
                .header("content-type", "application/json")
                .body("{ not json"),
            400,
        ),
        (
            "a body over the limit",
            client()
                .post(format!("{url}/v1/operations"))
                .bearer_auth(&token)
                .header("content-type", "application/json")
                .body(vec![b' '; quorum_core::protocol::MAX_JSON_BODY_BYTES + 1]),
            413,
        ),
        (
            "an unknown protocol version",
            client()
                .get(format!("{url}/v2/changes?since=0"))
                .bearer_auth(&token),
            404,
        ),
        (
            "an enrollment without its fields",
            client()
                .post(format!("{url}/v1/enroll"))
                .header("content-type", "application/json")
                .body("{}"),
            400,
        ),
    ];
    for (what, request, expected) in cases {
        let response = request.send().await.unwrap();
        assert_eq!(response.status().as_u16(), expected, "{what}");
        let body: Value = response.json().await.unwrap_or(Value::Null);
        assert!(
            body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{what}: a sentence says why: {body}"
        );
    }
    assert_eq!(feed().await, before, "none of them changed anything");
    assert_eq!(
        hub_operation_count(demo.data.path()),
        0,
        "no operation was recorded"
    );
}

/// The first document of the laptop's only meeting.
fn first_document(laptop: &Laptop) -> String {
    let shown = laptop.run(&["show", &only_meeting(laptop)]);
    shown["documents"][0]["documentId"]
        .as_str()
        .unwrap()
        .to_string()
}

fn note_texts(laptop: &Laptop, document: &str) -> Vec<(String, String)> {
    let shown = laptop.run(&["annotations", document]);
    shown
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["annotation"]["shape"]["text"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                s["authorName"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_shared_note_reaches_the_colleague_and_a_private_one_only_the_authors_other_laptop() {
    let (demo, laptops) = demo_hub_and_laptops();
    let chair = demo.enrolled(laptops.path(), "chair");
    let member = demo.enrolled(laptops.path(), "member");
    chair.run(&["sync"]);
    member.run(&["sync"]);
    let document = first_document(&chair);
    let chair_name = &demo
        .members
        .iter()
        .find(|m| m.role == "chair")
        .unwrap()
        .name;

    let private_text = "Ghi chú riêng: hỏi lại Sở Tài chính";
    let shared_text = "Đề nghị các đồng chí xem kỹ số liệu quý III";
    let private = chair.run(&[
        "note",
        &document,
        "--page",
        "2",
        "--x",
        "100",
        "--y",
        "700",
        private_text,
    ]);
    chair.run(&[
        "note",
        &document,
        "--page",
        "1",
        "--x",
        "300",
        "--y",
        "500",
        "--share",
        shared_text,
    ]);
    chair.run(&["sync"]);
    member.run(&["sync"]);

    assert_eq!(
        note_texts(&member, &document),
        [(shared_text.to_string(), chair_name.clone())],
        "the colleague sees the shared note, with the chair's name, and nothing else"
    );
    let feed = demo
        .hub
        .client()
        .get(format!("{}/v1/changes?since=0", demo.hub.url()))
        .bearer_auth(member.token())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        feed.contains(shared_text) && !feed.contains(private_text),
        "asked directly, the hub gives the colleague the shared note and not the private one"
    );
    assert!(
        !feed.contains(private["id"].as_str().unwrap()),
        "not even the private note's id"
    );

    // The chair's second laptop gets both: a private note follows its author.
    let chair_id = chair.run(&["status"])["member"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let code = new_code(demo.data.path(), &chair_id);
    let second = Laptop::new(laptops.path().join("chair-2"));
    second.enroll(&demo.hub, &code);
    second.run(&["sync"]);
    let mut texts = note_texts(&second, &document);
    texts.sort();
    assert_eq!(
        texts,
        [
            (private_text.to_string(), chair_name.clone()),
            (shared_text.to_string(), chair_name.clone())
        ],
        "the chair's other laptop has both notes"
    );
}

/// The secretary's board as `quorum readiness` prints it: (member name, ready).
fn board(secretary: &Laptop, meeting: &str) -> Vec<(String, bool)> {
    secretary.run(&["sync"]);
    let board = secretary.run(&["readiness", meeting]);
    board
        .as_array()
        .unwrap()
        .iter()
        .map(|invitee| {
            (
                invitee["member"]["fullName"].as_str().unwrap().to_string(),
                invitee["ready"].as_bool().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_readiness_board_shows_a_member_ready_only_once_their_laptop_holds_the_latest_pack() {
    let (demo, laptops) = demo_hub_and_laptops();
    let secretary = synced_laptop(&demo.hub, laptops.path(), &demo.members, "secretary");
    let meeting = only_meeting(&secretary);
    let member = demo.enrolled(laptops.path(), "member");
    let name = demo
        .members
        .iter()
        .find(|m| m.role == "member")
        .unwrap()
        .name
        .clone();
    let is_ready = |secretary: &Laptop| {
        board(secretary, &meeting)
            .into_iter()
            .find(|(n, _)| *n == name)
            .expect("the member is on the board")
            .1
    };

    assert!(
        !is_ready(&secretary),
        "enrolled, nothing downloaded: not ready"
    );
    member.run(&["sync"]);
    assert!(
        is_ready(&secretary),
        "the whole pack is on the member's laptop: ready"
    );
    let report = secretary.run(&["readiness", &meeting]);
    let device = report
        .as_array()
        .unwrap()
        .iter()
        .find(|invitee| invitee["member"]["fullName"] == name.as_str())
        .unwrap()["devices"][0]
        .clone();
    assert_eq!(
        device["status"]["pendingOperations"], 0,
        "nothing left to upload: {device}"
    );

    // A replaced document: the member's laptop holds an old pack until it syncs.
    let report_v2 = sample_document(REPORT)
        .0
        .into_iter()
        .chain(b"\n% version 2\n".iter().copied())
        .collect();
    quorum_e2e::processes::replace_document(&demo.hub, &secretary, 1, report_v2, 14).await;
    assert!(
        !is_ready(&secretary),
        "the member's laptop has the previous version: not ready"
    );
    member.run(&["sync"]);
    assert!(is_ready(&secretary), "synced again: ready");
}

#[test]
fn check_ins_and_the_secretarys_marks_reach_every_laptop_and_count_the_quorum() {
    let (demo, laptops) = demo_hub_and_laptops();
    let laptop = |role: &str| synced_laptop(&demo.hub, laptops.path(), &demo.members, role);
    let secretary = laptop("secretary");
    let chair = laptop("chair");
    let member = laptop("member");
    let meeting = only_meeting(&secretary);
    let board = |laptop: &Laptop| {
        laptop.run(&["sync"]);
        laptop.run(&["attendance", &meeting])
    };
    let kind_of = |board: &Value, name: &str| {
        board["attendees"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["member"]["fullName"] == name)
            .unwrap()["attendance"]
            .clone()
    };
    let name_of = |role: &str| {
        demo.members
            .iter()
            .filter(|m| m.role == role)
            .map(|m| m.name.clone())
            .collect::<Vec<_>>()
    };
    let other_member = name_of("member")[1].clone();
    let other_id = secretary.run(&["attendance", &meeting])["attendees"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["member"]["fullName"] == other_member.as_str())
        .unwrap()["member"]["id"]
        .as_str()
        .unwrap()
        .to_string();

    // The secretary marks the other member, with `how` and its detail, and syncs.
    let mark = |how: &str, detail: &str| {
        secretary.run(&["mark-attendance", &meeting, &other_id, how, detail]);
        secretary.run(&["sync"]);
    };

    chair.run(&["check-in", &meeting]);
    chair.run(&["sync"]);
    mark("--reason", "Đi công tác tại Hà Nội");
    let seen = board(&member);
    assert_eq!(
        kind_of(&seen, &name_of("chair")[0])["kind"],
        "present",
        "the chair's check-in reached the member's laptop"
    );
    assert_eq!(
        kind_of(&seen, &other_member),
        serde_json::json!({ "kind": "absent", "reason": "Đi công tác tại Hà Nội" }),
        "the secretary's mark, with its reason"
    );
    assert_eq!(
        (
            &seen["quorum"]["present"],
            &seen["quorum"]["voting"],
            &seen["quorum"]["met"]
        ),
        (&Value::from(1), &Value::from(3), &Value::from(false)),
        "1 of 3 voting invitees: no quorum"
    );

    member.run(&["check-in", &meeting]);
    member.run(&["sync"]);
    let seen = board(&secretary);
    assert_eq!(
        (&seen["quorum"]["present"], &seen["quorum"]["met"]),
        (&Value::from(2), &Value::from(true)),
        "2 of 3: quorum"
    );

    // The absent member sends a deputy: the secretary marks the substitute, who counts.
    mark("--substitute", "Phó phòng Lê Văn Bình");
    let seen = board(&chair);
    assert_eq!(
        kind_of(&seen, &other_member),
        serde_json::json!({ "kind": "substitute", "by": "Phó phòng Lê Văn Bình" }),
        "the chair's laptop shows who stands in"
    );
    assert_eq!(
        seen["quorum"]["present"],
        Value::from(3),
        "and the substitute counts toward the quorum"
    );

    // Only the secretary marks others; the member is told why, at once.
    let (ok, refused) = member.try_run(&["mark-attendance", &meeting, &other_id]);
    assert!(
        !ok && refused["error"]
            .as_str()
            .unwrap()
            .contains("only the secretary"),
        "{refused}"
    );
    assert_eq!(
        member.run(&["status"])["status"]["pendingOperations"],
        0,
        "the refused mark is not queued"
    );
    member.run(&["sync"]);
    assert_eq!(
        board(&secretary)["quorum"]["present"],
        Value::from(3),
        "and the board is as it was"
    );
}

/// The chair's and a member's laptops, synced; the meeting, and its second agenda item,
/// the one the floor is asked for on.
fn chair_member_and_item(demo: &DemoHub, laptops: &Path) -> (Laptop, Laptop, String, String) {
    let chair = synced_laptop(&demo.hub, laptops, &demo.members, "chair");
    let member = synced_laptop(&demo.hub, laptops, &demo.members, "member");
    let meeting = only_meeting(&chair);
    let item = chair.run(&["show", &meeting])["meeting"]["agenda"][1]["id"]
        .as_str()
        .unwrap()
        .to_string();
    (chair, member, meeting, item)
}

#[test]
fn members_ask_for_the_floor_and_the_chair_gives_it_in_order() {
    let (demo, laptops) = demo_hub_and_laptops();
    let (chair, member, meeting, item) = chair_member_and_item(&demo, laptops.path());
    let member_id = member.run(&["status"])["member"]["id"]
        .as_str()
        .unwrap()
        .to_string();

    member.run(&["request-floor", &meeting, &item]);
    member.run(&["request-floor", &meeting, &item, "--question"]);
    member.run(&["sync"]);
    chair.run(&["sync"]);
    let queue = |laptop: &Laptop| {
        laptop.run(&["sync"]);
        let floor = laptop.run(&["floor", &meeting]);
        assert_eq!(floor[0]["agendaItemId"], item.as_str(), "{floor}");
        floor[0]["queue"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["kind"].as_str().unwrap().to_string(),
                    r["state"]["kind"].as_str().unwrap().to_string(),
                )
            })
            .collect::<Vec<_>>()
    };
    let pair = |kind: &str, state: &str| (kind.to_string(), state.to_string());
    let chair_does = |args: &[&str]| {
        chair.run(args);
        chair.run(&["sync"]);
    };
    assert_eq!(
        queue(&chair),
        [pair("speak", "waiting"), pair("question", "waiting")],
        "the chair sees both requests, each in its queue"
    );

    chair_does(&["give-floor", &meeting, &item, &member_id]);
    assert_eq!(
        queue(&member),
        [pair("speak", "speaking"), pair("question", "waiting")],
        "the member's laptop shows them speaking; the question still waits"
    );
    chair_does(&["give-floor", &meeting, &item, &member_id, "--question"]);
    assert_eq!(
        queue(&member),
        [pair("speak", "done"), pair("question", "speaking")],
        "one speaker at a time"
    );

    chair_does(&["end-floor", &meeting, &item]);
    assert_eq!(
        queue(&member),
        [pair("speak", "done"), pair("question", "done")],
        "the chair ends the turn"
    );

    // Giving the floor to someone who is not waiting is refused, with the reason.
    chair_does(&["give-floor", &meeting, &item, &member_id]);
    let status = chair.run(&["status"]);
    assert_eq!(status["rejected"][0]["refusal"], "notWaiting");
    assert_eq!(
        status["status"]["pendingOperations"], 0,
        "the refused operation left the outbox"
    );
    assert_eq!(
        queue(&member),
        [pair("speak", "done"), pair("question", "done")],
        "and nobody was given the floor"
    );
}

#[test]
fn an_outbox_that_skips_a_number_is_stopped_at_the_gap_and_nothing_after_it_counts() {
    let (demo, laptops) = demo_hub_and_laptops();
    let (chair, member, meeting, item) = chair_member_and_item(&demo, laptops.path());
    member.run(&["request-floor", &meeting, &item]);
    member.run(&["request-floor", &meeting, &item, "--question"]);
    member.lose_first_queued_operation();

    let before_the_gap = SystemClock.now();
    let (ok, answer) = member.try_run(&["sync"]);
    assert!(
        !ok && answer["error"].as_str().unwrap().contains("skipped ahead"),
        "the laptop is told the hub expects the missing number: {answer}"
    );
    assert_eq!(
        member.run(&["status"])["status"]["pendingOperations"],
        1,
        "the operation after the gap stays queued, not dropped"
    );
    chair.run(&["sync"]);
    let member_id = member.run(&["status"])["member"]["id"].clone();
    let readiness = chair.run(&["readiness", &meeting]);
    let device = readiness
        .as_array()
        .unwrap()
        .iter()
        .find(|invitee| invitee["member"]["id"] == member_id)
        .unwrap()["devices"][0]
        .clone();
    let reported: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(device["reportedAt"].clone()).unwrap();
    assert!(
        device["status"]["pendingOperations"] == 1 && reported >= before_the_gap,
        "the chair's board shows the laptop reported after the stuck sync, with one \
         operation waiting: {device}"
    );
    let floor = chair.run(&["floor", &meeting]);
    assert!(
        floor
            .as_array()
            .unwrap()
            .iter()
            .all(|item| item["queue"].as_array().unwrap().is_empty()),
        "the hub applied nothing past the gap: {floor}"
    );
}

#[test]
fn two_secretaries_editing_one_meeting_the_second_is_told_not_overwritten() {
    let (demo, laptops) = demo_hub_and_laptops();
    let first = synced_laptop(&demo.hub, laptops.path(), &demo.members, "secretary");
    let meeting = only_meeting(&first);
    let secretary_id = first.run(&["status"])["member"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let code = new_code(demo.data.path(), &secretary_id);
    let second = enrolled_laptop(&demo.hub, laptops.path(), "secretary-2", &code);
    second.run(&["sync"]);

    // Both start from version 1, offline from each other; each adds an item.
    let meeting_id: quorum_core::MeetingId = meeting.parse().unwrap();
    let edit = |laptop: &Laptop, title: &str| {
        let mut store = quorum_store::Store::open(&laptop.profile.join("store.sqlite3")).unwrap();
        store.edit_meeting(meeting_id).unwrap();
        store.add_item(meeting_id, title, "Văn phòng", 10).unwrap();
        store.queue_publication(meeting_id).unwrap();
    };
    edit(&first, "Kiến nghị của cử tri");
    edit(&second, "Công tác phòng chống thiên tai");
    first.run(&["sync"]);
    second.run(&["sync"]);

    let drafts = |laptop: &Laptop| {
        quorum_store::Store::open(&laptop.profile.join("store.sqlite3"))
            .unwrap()
            .drafts()
            .unwrap()
    };
    assert!(drafts(&first).is_empty(), "the first edit was published");
    let kept = drafts(&second);
    assert_eq!(kept.len(), 1, "the second edit is kept, not lost");
    assert!(
        !kept[0].queued
            && kept[0]
                .problem
                .as_deref()
                .is_some_and(|p| p.contains("version 2")),
        "and the secretary is told another version came out: {:?}",
        kept[0].problem
    );
    let agenda = first.run(&["show", &meeting])["meeting"]["agenda"].clone();
    let titles: Vec<&str> = agenda
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["title"].as_str().unwrap())
        .collect();
    assert!(
        titles.contains(&"Kiến nghị của cử tri")
            && !titles.contains(&"Công tác phòng chống thiên tai"),
        "the published meeting holds the first edit only: {titles:?}"
    );
}

#[test]
fn where_a_keyring_answers_the_laptops_token_and_key_live_there_not_in_the_profile() {
    let (demo, laptops) = demo_hub_and_laptops();
    let laptop = Laptop::new(laptops.path().join("member"));
    // A desktop session of its own: a session bus and an unlocked Secret Service
    // (gnome-keyring), keeping its keyring files in the test's folder.
    let session = |quorum_args: &str| {
        let script = format!(
            "echo -n quorum | gnome-keyring-daemon --unlock --components=secrets >/dev/null && \\
             \"$QUORUM\" --profile \"$PROFILE\" --json {quorum_args}"
        );
        std::process::Command::new("dbus-run-session")
            .args(["--", "sh", "-c", &script])
            .env("QUORUM", quorum_e2e::processes::client_binary())
            .env("PROFILE", &laptop.profile)
            .env("HOME", laptops.path())
            .env("XDG_DATA_HOME", laptops.path().join("data"))
            .env("XDG_RUNTIME_DIR", laptops.path())
            .output()
            .unwrap()
    };
    let code = code_for(&demo.members, "member");
    let enrolled = session(&format!(
        "enroll {} {code} --certificate {}",
        demo.hub.url(),
        demo.hub.fingerprint
    ));
    assert!(
        enrolled.status.success(),
        "enrolled in the session: {}",
        String::from_utf8_lossy(&enrolled.stdout)
    );
    let synced = session("sync");
    let report: Value = serde_json::from_slice(&synced.stdout).unwrap();
    assert!(
        synced.status.success(),
        "syncs with the key from the keyring: {report}"
    );
    assert_eq!(
        report["status"]["documentsPresent"], SAMPLE_DOCUMENTS,
        "the whole pack"
    );

    let conn = rusqlite::Connection::open(laptop.profile.join("store.sqlite3")).unwrap();
    let (token, key, place): (String, String, String) = conn
        .query_row(
            "SELECT token, signing_key, secrets_in FROM device WHERE id = 1",
            [],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .unwrap();
    assert_eq!(
        (token.as_str(), key.as_str(), place.as_str()),
        ("", "", "keyring"),
        "a copy of the profile holds neither the token nor the key"
    );
    // Without the session's keyring, the laptop cannot act as the member.
    let outside = failed_sync(&laptop, "no keyring, no token");
    assert!(outside.contains("keyring"), "and it says why: {outside}");
}

#[test]
fn a_room_hub_is_heard_on_the_network_with_its_fingerprint_and_an_unannounced_one_is_not() {
    let room_data = tempfile::tempdir().unwrap();
    let quiet_data = tempfile::tempdir().unwrap();
    let room = HubProcess::start_with(room_data.path(), "127.0.0.1:0", &["--announce"]);
    let quiet = HubProcess::start(quiet_data.path(), "127.0.0.1:0");

    let heard = quorum_lan::nearby_hubs(Duration::from_secs(3)).unwrap();
    let room_hub = heard
        .iter()
        .find(|hub| hub.url == room.url())
        .unwrap_or_else(|| panic!("the room hub at {} was heard: {heard:?}", room.url()));
    assert_eq!(
        room_hub.fingerprint, room.fingerprint,
        "with the fingerprint its sheets carry"
    );
    assert!(
        !heard.iter().any(|hub| hub.url == quiet.url()),
        "a hub not told to announce itself stays unheard: {heard:?}"
    );

    // Gone from the network, it is no longer offered.
    let url = room.url();
    room.kill();
    let heard = quorum_lan::nearby_hubs(Duration::from_secs(3)).unwrap();
    assert!(
        !heard.iter().any(|hub| hub.url == url),
        "a stopped hub is not offered: {heard:?}"
    );
}
