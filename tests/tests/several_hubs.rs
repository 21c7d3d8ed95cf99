//! Several `quorum-hub serve` processes keeping their records in one PostgreSQL database
//! (and sharing one data folder for documents and the certificate): any of them serves
//! any laptop, a reader never skips a change another process wrote, and a device's
//! operations pushed to two processes at once are applied once.
//!
//! Needs `QUORUM_TEST_POSTGRES`, a PostgreSQL server the test may create databases on;
//! the test command starts one (scripts/postgres.sh).
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use std::path::Path;
use std::thread;

use quorum_core::Clock;
use quorum_e2e::processes::{
    DemoMember, HubProcess, Laptop, code_for, enrolled_laptop, hub_binary, hub_demo,
    keep_hub_records_in, new_code,
};
use serde_json::Value;

const HUBS: usize = 3;

/// The tests here take turns: the hub processes a test starts find their database in
/// one setting of this test process.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// A fresh database on the test server, which this test's hub processes then use while
/// the test holds the returned guard.
fn fresh_database() -> (String, std::sync::MutexGuard<'static, ()>) {
    let turn = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let server = std::env::var("QUORUM_TEST_POSTGRES").expect(
        "QUORUM_TEST_POSTGRES names a PostgreSQL server to test on: scripts/test.sh starts one",
    );
    let name = format!("hubs_{}", uuid::Uuid::now_v7().simple());
    let mut client = postgres::Client::connect(&server, postgres::NoTls)
        .expect("the test PostgreSQL server answers");
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .expect("a fresh database");
    let base = server
        .rsplit_once('/')
        .map_or(server.as_str(), |(base, _)| base);
    let url = format!("{base}/{name}");
    keep_hub_records_in(&url);
    (url, turn)
}

fn count(url: &str, sql: &str) -> i64 {
    let mut client = postgres::Client::connect(url, postgres::NoTls).unwrap();
    client.query_one(sql, &[]).unwrap().get(0)
}

/// The sample meeting loaded into `data` (records in PostgreSQL), served by three hub
/// processes on the same data.
fn three_hubs(data: &Path) -> (Vec<DemoMember>, Vec<HubProcess>) {
    let members = hub_demo(data);
    let hubs = (0..HUBS)
        .map(|_| HubProcess::start(data, "127.0.0.1:0"))
        .collect::<Vec<_>>();
    let fingerprints: Vec<&str> = hubs.iter().map(|hub| hub.fingerprint.as_str()).collect();
    assert!(
        fingerprints.iter().all(|f| *f == fingerprints[0]),
        "every process shows the data folder's one certificate"
    );
    (members, hubs)
}

/// The member id a laptop is enrolled as.
fn member_id(laptop: &Laptop) -> String {
    laptop.run(&["status"])["member"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The first document of the laptop's only meeting.
fn first_document(laptop: &Laptop) -> String {
    let meetings = laptop.run(&["meetings"]);
    let meeting = meetings[0]["id"].as_str().unwrap().to_string();
    laptop.run(&["show", &meeting])["documents"][0]["documentId"]
        .as_str()
        .unwrap()
        .to_string()
}

fn note_texts(laptop: &Laptop, document: &str) -> Vec<String> {
    let shown: Value = laptop.run(&["annotations", document]);
    let mut texts: Vec<String> = shown
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            s["annotation"]["shape"]["text"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    texts.sort();
    texts
}

fn shared_note(laptop: &Laptop, document: &str, text: &str) {
    laptop.run(&[
        "note", document, "--page", "1", "--x", "100", "--y", "100", "--share", text,
    ]);
}

#[test]
fn writers_on_three_hub_processes_never_make_a_reader_skip_a_change() {
    let (url, _turn) = fresh_database();
    let data = tempfile::tempdir().unwrap();
    let laptops = tempfile::tempdir().unwrap();
    let (members, hubs) = three_hubs(data.path());
    let writers: Vec<Laptop> = ["chair", "secretary", "member"]
        .iter()
        .enumerate()
        .map(|(n, role)| {
            enrolled_laptop(
                &hubs[n % HUBS],
                laptops.path(),
                role,
                &code_for(&members, role),
            )
        })
        .collect();
    for writer in &writers {
        writer.run(&["sync"]);
    }
    // Readers: second laptops of the chair, each reading through another process.
    let chair = member_id(&writers[0]);
    let readers: Vec<Laptop> = (0..2)
        .map(|n| {
            let code = new_code(data.path(), &chair);
            enrolled_laptop(
                &hubs[(n + 1) % HUBS],
                laptops.path(),
                &format!("reader-{n}"),
                &code,
            )
        })
        .collect();
    let document = first_document(&writers[0]);
    const NOTES: usize = 12;

    let done = std::sync::atomic::AtomicBool::new(false);
    let mut expected = thread::scope(|scope| {
        let writing: Vec<_> = writers
            .iter()
            .enumerate()
            .map(|(w, writer)| {
                let document = &document;
                scope.spawn(move || {
                    (0..NOTES)
                        .map(|n| {
                            let text = format!("Ý kiến {w}-{n:02} ghi cùng lúc");
                            shared_note(writer, document, &text);
                            writer.run(&["sync"]);
                            text
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let reading: Vec<_> = readers
            .iter()
            .map(|reader| {
                let done = &done;
                scope.spawn(move || {
                    let mut rounds = 0;
                    while !done.load(std::sync::atomic::Ordering::SeqCst) {
                        reader.run(&["sync"]);
                        rounds += 1;
                    }
                    rounds
                })
            })
            .collect();
        let written: Vec<String> = writing
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect();
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        for r in reading {
            assert!(
                r.join().unwrap() > 1,
                "each reader pulled while the writers wrote"
            );
        }
        written
    });
    expected.sort();

    assert_eq!(
        count(&url, "SELECT COUNT(*) FROM annotations"),
        i64::try_from(expected.len()).unwrap(),
        "every note is stored once"
    );
    for reader in &readers {
        // A change numbered below a cursor the reader already passed would never arrive.
        reader.run(&["sync"]);
        assert_eq!(
            note_texts(reader, &document),
            expected,
            "the reader holds every note the writers made, through whichever process"
        );
    }
}

#[test]
fn one_device_pushing_to_two_hub_processes_at_once_is_applied_once() {
    let (url, _turn) = fresh_database();
    let data = tempfile::tempdir().unwrap();
    let laptops = tempfile::tempdir().unwrap();
    let (members, hubs) = three_hubs(data.path());
    let chair = enrolled_laptop(
        &hubs[0],
        laptops.path(),
        "chair",
        &code_for(&members, "chair"),
    );
    let member = enrolled_laptop(
        &hubs[1],
        laptops.path(),
        "member",
        &code_for(&members, "member"),
    );
    let deadline = (quorum_core::SystemClock.now() + chrono::Duration::hours(2)).to_rfc3339();
    let poll = chair.run(&[
        "create-poll",
        "--question",
        "Thông qua kế hoạch năm?",
        "--deadline",
        &deadline,
    ]);
    let poll_id = poll["id"].as_str().unwrap().to_string();
    chair.run(&["open-poll", &poll_id]);
    chair.run(&["sync"]);
    member.run(&["sync"]);
    let document = first_document(&member);

    // Queued offline: a ballot and five notes.
    member.run(&["vote", &poll_id, "agree"]);
    for n in 0..5 {
        shared_note(&member, &document, &format!("Ghi chú {n}"));
    }
    // The same laptop, as if its outbox were sent twice at once to two processes.
    let twin = Laptop::new(laptops.path().join("member-twin"));
    copy_profile(&member.profile, &twin.profile);
    let store = rusqlite::Connection::open(twin.profile.join("store.sqlite3")).unwrap();
    store
        .execute("UPDATE device SET hub_url = ?1", [hubs[2].url()])
        .unwrap();
    drop(store);
    thread::scope(|scope| {
        let first = scope.spawn(|| member.try_run(&["sync"]).0);
        let second = scope.spawn(|| twin.try_run(&["sync"]).0);
        assert!(
            first.join().unwrap() && second.join().unwrap(),
            "both syncs finish"
        );
    });

    assert_eq!(
        count(&url, "SELECT COUNT(*) FROM ballots"),
        1,
        "one ballot in the audit log"
    );
    assert_eq!(
        count(&url, "SELECT COUNT(*) FROM annotations"),
        5,
        "each note once"
    );
    assert_eq!(
        count(&url, "SELECT COUNT(*) FROM operations"),
        2 + 6,
        "the chair's two operations and the member's six, none taken twice"
    );
    let audit = std::process::Command::new(hub_binary())
        .args(["audit", "verify", "--database", &url, "--data"])
        .arg(data.path())
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&audit.stdout);
    assert!(audit.status.success(), "`audit verify` passes: {said}");
    assert!(
        said.contains("audit log intact: 1 ballots"),
        "`audit verify` on PostgreSQL: {said}"
    );
}

fn copy_profile(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_profile(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
