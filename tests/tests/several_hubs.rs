//! Several `quorum-hub serve` processes, each with a data folder of its own, keeping
//! their records in one PostgreSQL database and their documents in one S3 bucket, and
//! showing one certificate: any of them serves any laptop, a reader never skips a change
//! another process wrote, and a device's operations pushed to two processes at once are
//! applied once.
//!
//! Needs `QUORUM_TEST_POSTGRES` (a PostgreSQL server the test may create databases on)
//! and `QUORUM_TEST_S3` / `QUORUM_TEST_S3_ROOT` (an S3 server and its folder); the test
//! command starts both (scripts/postgres.sh, scripts/s3.sh).
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use std::path::Path;
use std::thread;

use quorum_e2e::balancer::{Balancer, hubs_sharing_records};
use quorum_e2e::processes::{
    DemoMember, HubProcess, Laptop, S3Server, add_voting_member, audit_verify, code_for,
    demo_committee, enrolled_laptop, hub_binary, hub_demo, keep_hub_data_in,
    keep_hub_data_in_data_folder, new_code, replace_document,
};
use quorum_e2e::proxy::{Faults, FaultyProxy};
use serde_json::Value;
use sha2::Digest;

const HUBS: usize = 3;

/// The tests here take turns: the hub processes a test starts find their database in
/// one setting of this test process.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// A fresh database on the test PostgreSQL server and a fresh bucket of the same name on
/// the test S3 server (as `--database` and `--blobs` name them), and this test's turn.
fn fresh_backends() -> (String, String, std::sync::MutexGuard<'static, ()>) {
    let (url, turn) = fresh_database();
    let s3 = std::env::var("QUORUM_TEST_S3").expect("QUORUM_TEST_S3 names the test S3 server");
    let root = std::env::var("QUORUM_TEST_S3_ROOT").expect("QUORUM_TEST_S3_ROOT: its folder");
    // S3 allows no underscore in a bucket's name.
    let bucket = plain(&url).rsplit_once('/').unwrap().1.replace('_', "-");
    std::fs::create_dir(Path::new(&root).join(&bucket)).expect("a fresh bucket");
    (url, format!("s3://{bucket}?endpoint={s3}"), turn)
}

/// A fresh database on the test PostgreSQL server (its URL), and this test's turn.
fn fresh_database() -> (String, std::sync::MutexGuard<'static, ()>) {
    let turn = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    keep_hub_data_in_data_folder();
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
    // As a city's hub reaches its database server: over TLS, trusting its authority.
    let ca = std::env::var("QUORUM_TEST_PG_CA").expect("QUORUM_TEST_PG_CA: the server's CA");
    let tls = format!("?sslmode=require&sslrootcert={ca}");
    (format!("{base}/{name}{tls}"), turn)
}

/// A hub's database URL as the test itself connects, to read behind the hubs' backs.
fn plain(url: &str) -> &str {
    url.split_once('?').map_or(url, |(plain, _)| plain)
}

fn count(url: &str, sql: &str) -> i64 {
    let mut client = postgres::Client::connect(plain(url), postgres::NoTls).unwrap();
    client.query_one(sql, &[]).unwrap().get(0)
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
    let ThreeHubs {
        url,
        folders,
        laptops,
        members,
        hubs,
        _turn,
    } = ThreeHubs::start();
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
            let code = new_code(folders[n].path(), &chair);
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
        assert_whole_pack(reader);
        assert_eq!(
            note_texts(reader, &document),
            expected,
            "the reader holds every note the writers made, through whichever process"
        );
    }
}

#[test]
fn one_device_pushing_to_two_hub_processes_at_once_is_applied_once() {
    let ThreeHubs {
        url,
        folders,
        laptops,
        members,
        hubs,
        _turn,
    } = ThreeHubs::start();
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
    let poll_id = open_written_opinion(&chair, "Thông qua kế hoạch năm?");
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
    let (verified, said) = audit_verify(folders[2].path());
    assert!(verified, "`audit verify` passes: {said}");
    assert!(
        said.contains("audit log intact: 1 ballots"),
        "`audit verify` on PostgreSQL: {said}"
    );
}

/// Asks the committee a question in writing, answered within two hours, from the chair's
/// laptop, and opens it (queued until the next sync); returns the poll's id.
fn open_written_opinion(chair: &Laptop, question: &str) -> String {
    let poll_id = chair.create_written_opinion(question, &[]);
    chair.run(&["open-poll", &poll_id]);
    poll_id
}

/// Three hub processes on a fresh database and bucket, with the sample meeting, a folder
/// for laptops, and this test's turn.
struct ThreeHubs {
    url: String,
    folders: Vec<tempfile::TempDir>,
    laptops: tempfile::TempDir,
    members: Vec<DemoMember>,
    hubs: Vec<HubProcess>,
    _turn: std::sync::MutexGuard<'static, ()>,
}

impl ThreeHubs {
    fn start() -> ThreeHubs {
        let (url, blobs, turn) = fresh_backends();
        keep_hub_data_in(&url, &blobs);
        let folders: Vec<_> = (0..HUBS).map(|_| tempfile::tempdir().unwrap()).collect();
        let (members, hubs) = hubs_sharing_records(&folders);
        ThreeHubs {
            url,
            folders,
            laptops: tempfile::tempdir().unwrap(),
            members,
            hubs,
            _turn: turn,
        }
    }
}

/// Every sample document is on `laptop`, byte for byte, whichever process served it.
fn assert_whole_pack(laptop: &Laptop) {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/sample/documents");
    for document in std::fs::read_dir(sample).unwrap() {
        let bytes = std::fs::read(document.unwrap().path()).unwrap();
        let sha256 = quorum_core::Sha256Hex::from_digest(&sha2::Sha256::digest(&bytes).into());
        assert_eq!(
            std::fs::read(laptop.blob_path(sha256.as_str())).unwrap(),
            bytes,
            "every document arrived whole from the bucket"
        );
    }
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

#[test]
fn a_hub_moved_to_postgresql_and_a_bucket_keeps_its_laptops_and_its_audit_log() {
    let (url, blobs, _turn) = fresh_backends();
    let data = tempfile::tempdir().unwrap();
    let laptops = tempfile::tempdir().unwrap();
    let members = hub_demo(data.path());
    let hub = HubProcess::start(data.path(), "127.0.0.1:0");
    let address = hub.address.clone();
    let chair = enrolled_laptop(&hub, laptops.path(), "chair", &code_for(&members, "chair"));
    let member = enrolled_laptop(
        &hub,
        laptops.path(),
        "member",
        &code_for(&members, "member"),
    );
    let poll_id = open_written_opinion(&chair, "Thông qua?");
    chair.run(&["sync"]);
    member.run(&["sync"]);
    member.run(&["vote", &poll_id, "agree"]);
    member.run(&["sync"]);
    hub.kill();

    let moved = std::process::Command::new(hub_binary())
        .args(["migrate", "--to", &url, "--to-blobs", &blobs, "--data"])
        .arg(data.path())
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&moved.stdout);
    assert!(
        moved.status.success(),
        "the migration runs: {said} {}",
        String::from_utf8_lossy(&moved.stderr)
    );
    assert!(
        said.contains("and 7 documents"),
        "the whole pack moved: {said}"
    );
    let again = std::process::Command::new(hub_binary())
        .args(["migrate", "--to", &url, "--data"])
        .arg(data.path())
        .output()
        .unwrap();
    assert!(
        !again.status.success(),
        "a second migration into the same database is refused"
    );

    // Served from PostgreSQL and the bucket, on the address the laptops know.
    keep_hub_data_in(&url, &blobs);
    let _hub = HubProcess::start(data.path(), &address);
    member.run(&["vote", &poll_id, "disagree"]);
    member.run(&["sync"]);
    chair.run(&["sync"]);
    let newcomer = enrolled_laptop(
        &_hub,
        laptops.path(),
        "secretary",
        &code_for(&members, "secretary"),
    );
    newcomer.run(&["sync"]);
    assert_whole_pack(&newcomer);
    assert_eq!(
        count(&url, "SELECT COUNT(*) FROM ballots"),
        2,
        "the ballot cast before the move and the one after, in one log"
    );
    let (verified, said) = audit_verify(data.path());
    assert!(
        verified && said.contains("2 ballots"),
        "the chain continues across the move: {said}"
    );
}

/// `quorum sync`, again if it failed while a process or the database was going away: the
/// laptop keeps what was not acknowledged and sends it again.
fn sync_until_done(laptop: &Laptop) {
    let mut said = Value::Null;
    for _ in 0..8 {
        let (synced, answer) = laptop.try_run(&["sync"]);
        if synced {
            return;
        }
        said = answer;
        std::thread::sleep(std::time::Duration::from_secs(1));
    }
    panic!("the laptop could not sync: {said}");
}

/// Three hub processes behind nginx, on a fresh database and bucket; the chair and
/// `voters` laptops enrolled through nginx, and a written opinion the chair opened.
struct BehindBalancer {
    url: String,
    folders: Vec<tempfile::TempDir>,
    hubs: Vec<HubProcess>,
    chair: Laptop,
    voters: Vec<Laptop>,
    poll_id: String,
    balancer: Balancer,
    laptops: tempfile::TempDir,
    _turn: std::sync::MutexGuard<'static, ()>,
}

impl BehindBalancer {
    /// The demo member and `added` more voting members vote.
    fn start(added: usize) -> BehindBalancer {
        let ThreeHubs {
            url,
            folders,
            laptops,
            members,
            hubs,
            _turn: turn,
        } = ThreeHubs::start();
        let balancer = Balancer::start(&hubs, &folders[0].path().join("tls"));
        let enroll = |name: &str, code: &str| {
            let laptop = Laptop::new(laptops.path().join(name));
            let fingerprint = &hubs[0].fingerprint;
            laptop.run(&["enroll", &balancer.url, code, "--certificate", fingerprint]);
            laptop
        };
        let committee = demo_committee(folders[0].path());
        let chair = enroll("chair", &code_for(&members, "chair"));
        let mut voters = vec![enroll("member", &code_for(&members, "member"))];
        for n in 0..added {
            let code = add_voting_member(folders[0].path(), &committee, &format!("Ủy viên {n}"));
            voters.push(enroll(&format!("voter-{n}"), &code));
        }
        let poll_id = open_written_opinion(&chair, "Thông qua?");
        chair.run(&["sync"]);
        BehindBalancer {
            url,
            folders,
            hubs,
            chair,
            voters,
            poll_id,
            balancer,
            laptops,
            _turn: turn,
        }
    }

    /// After the vote: nothing waits on any laptop, each ballot and operation is stored
    /// once, the audit chain verifies, and the chair's laptop counts every voter once.
    fn assert_counted_once(&self) {
        sync_until_done(&self.chair);
        for voter in &self.voters {
            let status = voter.run(&["status"]);
            assert_eq!(
                status["status"]["pendingOperations"], 0,
                "every ballot was acknowledged: {status}"
            );
        }
        let voted = i64::try_from(self.voters.len()).unwrap();
        assert_eq!(
            count(&self.url, "SELECT COUNT(*) FROM ballots"),
            voted,
            "each voter's ballot once in the audit log"
        );
        assert_eq!(
            count(&self.url, "SELECT COUNT(*) FROM operations"),
            2 + voted,
            "the chair's two operations and one ballot per voter, none taken twice"
        );
        let (verified, said) = audit_verify(self.folders[1].path());
        assert!(
            verified,
            "one whole audit chain across the processes: {said}"
        );
        let polls = self.chair.run(&["polls"]);
        assert_eq!(
            polls[0]["view"]["answered"],
            self.voters.len(),
            "the chair's laptop counts every ballot once: {polls}"
        );
        self.assert_replicas_are_the_hubs_view();
    }

    /// Each laptop holds what the hub shows its member: the meetings and the polls as a
    /// laptop of the same member, enrolled afresh, pulls them from the whole feed.
    fn assert_replicas_are_the_hubs_view(&self) {
        let poll_views = |laptop: &Laptop| -> Vec<Value> {
            let cards = laptop.run(&["polls"]);
            cards
                .as_array()
                .unwrap()
                .iter()
                .map(|card| card["view"].clone())
                .collect()
        };
        for (n, laptop) in self.voters.iter().chain([&self.chair]).enumerate() {
            sync_until_done(laptop);
            let afresh = Laptop::new(self.laptops.path().join(format!("afresh-{n}")));
            let code = new_code(self.folders[0].path(), &member_id(laptop));
            let fingerprint = &self.hubs[0].fingerprint;
            afresh.run(&[
                "enroll",
                &self.balancer.url,
                &code,
                "--certificate",
                fingerprint,
            ]);
            sync_until_done(&afresh);
            assert_eq!(
                (laptop.run(&["meetings"]), poll_views(laptop)),
                (afresh.run(&["meetings"]), poll_views(&afresh)),
                "laptop {n} holds the hub's view of its meetings and polls"
            );
        }
    }
}

#[test]
fn votes_through_nginx_in_front_of_three_processes_count_once_when_one_is_killed() {
    let mut meeting = BehindBalancer::start(6);
    assert_whole_pack(&meeting.chair);
    for n in 0..meeting.voters.len() {
        if n == meeting.voters.len() / 2 {
            // A process dies mid-meeting, as a crash or a power cut would stop it.
            meeting.hubs.remove(1).kill();
        }
        let voter = &meeting.voters[n];
        sync_until_done(voter);
        let choice = if n % 3 == 0 { "disagree" } else { "agree" };
        voter.run(&["vote", &meeting.poll_id, choice]);
        sync_until_done(voter);
    }
    meeting.assert_counted_once();
}

#[test]
fn a_ballot_one_process_committed_but_died_before_answering_is_taken_once_by_another() {
    let ThreeHubs {
        url,
        folders,
        laptops,
        members,
        mut hubs,
        _turn,
    } = ThreeHubs::start();
    let proxy = FaultyProxy::start(&hubs[0]);
    let chair = enrolled_laptop(
        &hubs[1],
        laptops.path(),
        "chair",
        &code_for(&members, "chair"),
    );
    let member = Laptop::new(laptops.path().join("member"));
    member.run(&["enroll", &proxy.url, &code_for(&members, "member")]);
    let poll_id = open_written_opinion(&chair, "Thông qua?");
    chair.run(&["sync"]);
    member.run(&["sync"]);
    member.run(&["vote", &poll_id, "agree"]);

    // The first process commits the ballot and is killed before its answer leaves.
    proxy.set(Faults::killing_after_push(hubs[0].pid()));
    let (synced, said) = member.try_run(&["sync"]);
    assert!(!synced, "no answer reached the laptop: {said}");
    assert_eq!(
        count(&url, "SELECT COUNT(*) FROM ballots"),
        1,
        "the ballot was committed before the process died"
    );
    hubs.remove(0).kill();
    proxy.forward_to(&hubs[1]);

    member.run(&["sync"]);
    assert_eq!(
        member.run(&["status"])["status"]["pendingOperations"],
        0,
        "sent again to another process, which acknowledges it"
    );
    assert_eq!(
        count(&url, "SELECT COUNT(*) FROM operations"),
        3,
        "the chair's two operations and the ballot, taken once"
    );
    assert_eq!(count(&url, "SELECT COUNT(*) FROM ballots"), 1);
    let (verified, said) = audit_verify(folders[2].path());
    assert!(verified, "the audit chain is whole: {said}");
    chair.run(&["sync"]);
    assert_eq!(
        chair.run(&["polls"])[0]["view"]["answered"],
        1,
        "the ballot counts once"
    );
}

/// Runs `pg_ctl ARGS` on the test PostgreSQL server, as its owner.
fn pg_ctl(args: &str) {
    let folder =
        std::env::var("QUORUM_TEST_PG_DIR").expect("QUORUM_TEST_PG_DIR: the test server's folder");
    let status = std::process::Command::new("su")
        .args(["postgres", "-s", "/bin/sh", "-c"])
        .arg(format!(
            "/usr/lib/postgresql/15/bin/pg_ctl -D {folder}/data -w {args}"
        ))
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "pg_ctl {args}");
}

/// Sends `signal` (STOP, CONT) to a hub process.
fn signal(hub: &HubProcess, signal: &str) {
    let sent = std::process::Command::new("kill")
        .args([format!("-{signal}"), hub.pid().to_string()])
        .status()
        .unwrap();
    assert!(sent.success(), "kill -{signal}");
}

#[test]
fn votes_through_nginx_survive_a_database_crash_and_a_frozen_process() {
    let meeting = BehindBalancer::start(5);
    for (n, voter) in meeting.voters.iter().enumerate() {
        match n {
            // PostgreSQL stops as in a power cut and starts again (crash recovery):
            // every process's connection is gone.
            2 => pg_ctl("-m immediate restart"),
            // A process freezes with laptops connected, and comes back later.
            4 => signal(&meeting.hubs[0], "STOP"),
            _ => {}
        }
        sync_until_done(voter);
        voter.run(&["vote", &meeting.poll_id, "agree"]);
        sync_until_done(voter);
    }
    signal(&meeting.hubs[0], "CONT");
    meeting.assert_counted_once();
}

/// GETs the hub's readiness, as a balancer asks it: the status and the error code, if any.
async fn readiness(hub: &HubProcess) -> (u16, Value) {
    let answer = hub
        .client()
        .get(format!("{}/v1/ready", hub.url()))
        .send()
        .await
        .unwrap();
    (
        answer.status().as_u16(),
        answer.json().await.unwrap_or_default(),
    )
}

/// Every object in the bucket folder `bucket` holds the bytes its name is the hash of.
fn assert_every_object_hashes_to_its_name(bucket: &Path) {
    let mut objects = 0;
    for prefix in std::fs::read_dir(bucket).unwrap() {
        let prefix = prefix.unwrap().path();
        if !prefix.is_dir() || prefix.file_name().is_some_and(|n| n.len() != 2) {
            continue;
        }
        for object in std::fs::read_dir(&prefix).unwrap() {
            let object = object.unwrap().path();
            let bytes = std::fs::read(&object).unwrap();
            let sha256 = quorum_core::Sha256Hex::from_digest(&sha2::Sha256::digest(&bytes).into());
            assert_eq!(
                object.file_name().unwrap().to_str().unwrap(),
                sha256.as_str(),
                "{} holds the document its name says",
                object.display()
            );
            objects += 1;
        }
    }
    assert!(objects > 0, "the bucket holds the documents");
}

#[test]
fn documents_wait_while_the_object_store_is_down_and_arrive_whole_once_it_is_back() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (url, _turn) = fresh_database();
    let objects = tempfile::tempdir().unwrap();
    let bucket = objects.path().join("documents");
    std::fs::create_dir(&bucket).unwrap();
    let mut s3 = S3Server::start(objects.path());
    keep_hub_data_in(&url, &format!("s3://documents?endpoint={}", s3.url()));
    let data = tempfile::tempdir().unwrap();
    let members = hub_demo(data.path());
    let hub = HubProcess::start(data.path(), "127.0.0.1:0");
    let laptops = tempfile::tempdir().unwrap();
    let secretary = enrolled_laptop(
        &hub,
        laptops.path(),
        "secretary",
        &code_for(&members, "secretary"),
    );
    let member = enrolled_laptop(
        &hub,
        laptops.path(),
        "member",
        &code_for(&members, "member"),
    );
    secretary.run(&["sync"]);
    let report = first_document_version(&secretary);

    s3.stop();
    let (status, said) = runtime.block_on(readiness(&hub));
    assert_eq!(
        (status, said["code"].as_str()),
        (503, Some("not_ready")),
        "{said}"
    );
    let (synced, said) = member.try_run(&["sync"]);
    assert!(!synced, "the documents cannot be fetched: {said}");
    assert!(
        !member.blob_path(&report.0).exists(),
        "no document counted that did not arrive"
    );
    let (client, token) = (hub.client(), secretary.token());
    let new_version: Vec<u8> = std::fs::read(secretary.blob_path(&report.0))
        .unwrap()
        .into_iter()
        .chain(b"\n% version 2\n".iter().copied())
        .collect();
    let new_sha256 =
        quorum_core::Sha256Hex::from_digest(&sha2::Sha256::digest(&new_version).into());
    let (status, said) = runtime.block_on(async {
        let refused = client
            .put(format!("{}/v1/blobs/{}", hub.url(), new_sha256.as_str()))
            .bearer_auth(&token)
            .body(new_version.clone())
            .send()
            .await
            .unwrap();
        (
            refused.status().as_u16(),
            refused.json::<Value>().await.unwrap(),
        )
    });
    assert_eq!(status, 503, "the upload is refused for now: {said}");
    assert_eq!(said["code"], "documents_unavailable", "{said}");

    s3.restart();
    let (status, said) = runtime.block_on(readiness(&hub));
    assert_eq!(status, 200, "ready again: {said}");
    member.run(&["sync"]);
    assert_whole_pack(&member);
    let replaced = runtime.block_on(replace_document(
        &hub,
        &secretary,
        0,
        new_version.clone(),
        report.1,
    ));
    assert_eq!(replaced, new_sha256.as_str());
    member.run(&["sync"]);
    assert_eq!(
        std::fs::read(member.blob_path(&replaced)).unwrap(),
        new_version,
        "the version uploaded after the restart arrives whole"
    );
    assert_every_object_hashes_to_its_name(&bucket);
}

/// The hash and page count of the first document (in agenda order) of the laptop's only
/// meeting.
fn first_document_version(laptop: &Laptop) -> (String, u32) {
    let meeting = laptop.only_meeting();
    let current = meeting["agenda"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|item| item["documents"].as_array().unwrap())
        .next()
        .unwrap()["current"]
        .clone();
    (
        current["sha256"].as_str().unwrap().to_string(),
        u32::try_from(current["pageCount"].as_u64().unwrap()).unwrap(),
    )
}

#[test]
fn hubs_reach_their_database_over_tls_and_refuse_a_server_they_cannot_trust() {
    let (url, blobs, _turn) = fresh_backends();
    let data = tempfile::tempdir().unwrap();
    // Without the database server's certificate authority the hub does not talk to it:
    // not when the URL demands TLS, nor by falling back to the clear when it only prefers
    // it. A stranger on the network answering in the server's place learns nothing.
    let demanding = url.split_once("&sslrootcert=").unwrap().0.to_string();
    let preferring = format!("{}?sslmode=prefer", plain(&url));
    for database in [demanding, preferring] {
        let refused = std::process::Command::new(hub_binary())
            .args(["--database", &database, "--blobs", &blobs, "demo", "--data"])
            .arg(data.path())
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&refused.stderr);
        assert!(
            !refused.status.success() && said.contains("certificate"),
            "{database}: refused, saying why: {said}"
        );
    }
    assert_eq!(
        count(
            &url,
            "SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public'"
        ),
        0,
        "nothing was written to that database"
    );

    // With it, the hub serves from that database, and each of its connections to the
    // server is encrypted.
    keep_hub_data_in(&url, &blobs);
    let members = hub_demo(data.path());
    let hub = HubProcess::start(data.path(), "127.0.0.1:0");
    let laptops = tempfile::tempdir().unwrap();
    let member = enrolled_laptop(
        &hub,
        laptops.path(),
        "member",
        &code_for(&members, "member"),
    );
    member.run(&["sync"]);
    assert_eq!(member.run(&["meetings"]).as_array().unwrap().len(), 1);
    let encrypted = "SELECT COUNT(*) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid)
                     WHERE a.datname = current_database() AND a.pid <> pg_backend_pid() AND s.ssl";
    let in_the_clear = encrypted.replace("AND s.ssl", "AND NOT s.ssl");
    assert!(
        count(&url, encrypted) > 0,
        "the hub holds connections to its database"
    );
    assert_eq!(
        count(&url, &in_the_clear),
        0,
        "and none of them in the clear"
    );
    keep_hub_data_in_data_folder();
}
