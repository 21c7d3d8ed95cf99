//! The real `quorum-hub` binary: `demo` and `admin` prepare a data folder, `serve`
//! serves it over HTTPS, and devices enroll with the codes and the certificate
//! fingerprint those commands printed.

#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::votes::{poll_on, voting};
use common::{device_key, read_until};
use ed25519_dalek::Signer;
use futures_util::StreamExt;
use quorum_core::BallotSecrecy;
use quorum_core::protocol::{ChangesPage, EnrollRequest, EnrollResponse, Outcome, Record};
use reqwest::StatusCode;

const BINARY: &str = env!("CARGO_BIN_EXE_quorum-hub");

/// A `quorum-hub serve` process, killed when the test ends, pass or fail.
struct Server {
    child: Child,
    base: String,
    /// The certificate fingerprint `serve` printed.
    fingerprint: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Starts `serve` on a free port and reads the address from its one line of stdout.
    async fn start(data: &Path) -> Self {
        let mut serve = hub(&["serve", "--listen", "127.0.0.1:0"], data, &[]);
        let mut child = serve
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the server starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let (line, certificate) = tokio::task::spawn_blocking(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            reader
                .read_line(&mut line)
                .expect("the server prints its address");
            let mut certificate = String::new();
            reader
                .read_line(&mut certificate)
                .expect("the server prints its certificate");
            (line, certificate)
        })
        .await
        .expect("the reader thread finishes");
        let fingerprint = after(
            "certificate ",
            &certificate,
            "the second line names the certificate",
        );
        let address = after(
            "listening on ",
            &line,
            "the first line announces the address",
        );
        assert!(
            !address.ends_with(":0"),
            "the real port is printed, not the one asked for: {address}"
        );
        Self {
            child,
            base: format!("https://{address}/v1"),
            fingerprint,
        }
    }

    /// A client pinned to this server's certificate.
    fn client(&self) -> reqwest::Client {
        common::pinned_client(&self.fingerprint)
    }

    /// GETs `path` of the API with a device's bearer `token`.
    async fn get(&self, client: &reqwest::Client, path: &str, token: &str) -> reqwest::Response {
        let request = client
            .get(format!("{}{path}", self.base))
            .bearer_auth(token);
        request.send().await.expect("the server answers")
    }

    async fn enroll(&self, client: &reqwest::Client, code: &str) -> reqwest::Response {
        let key = device_key();
        client
            .post(format!("{}/enroll", self.base))
            .json(&EnrollRequest {
                code: code.to_string(),
                public_key: hex::encode(key.verifying_key().to_bytes()),
                signature: hex::encode(key.sign(code.as_bytes()).to_bytes()),
                device_name: "Laptop".into(),
            })
            .send()
            .await
            .expect("the server answers")
    }
}

/// `quorum-hub COMMAND --data DATA ARGS`, to run, with the records and documents where
/// the test keeps this folder's (`QUORUM_TEST_HUB_DATABASE`, `QUORUM_TEST_HUB_BLOBS`).
fn hub(command: &[&str], data: &Path, args: &[&str]) -> Command {
    let (database, blobs) = common::backend_arguments(&common::backends_of(data));
    let mut hub = Command::new(BINARY);
    hub.args(command)
        .arg("--data")
        .arg(data)
        .args(args)
        .env("QUORUM_HUB_DATABASE", database)
        .env("QUORUM_HUB_BLOBS", blobs);
    hub
}

/// What `line` says after `prefix`, which it must start with (`what` it announces).
fn after(prefix: &str, line: &str, what: &str) -> String {
    match line.trim().strip_prefix(prefix) {
        Some(said) => said.to_string(),
        None => panic!("{what}: {line:?}"),
    }
}

/// Runs `quorum-hub ARGS --data DATA`, whatever its exit status.
fn run_output(args: &[&str], data: &Path) -> std::process::Output {
    hub(args, data, &[]).output().expect("the binary runs")
}

/// The stdout of `command`, which must succeed (`what` names it in the failure).
fn stdout_of(mut command: Command, what: impl std::fmt::Display) -> String {
    let output = command.output().expect("the binary runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{what} succeeds: {stderr}");
    String::from_utf8(output.stdout).expect("the binary prints UTF-8")
}

fn run(args: &[&str], data: &Path) -> String {
    stdout_of(hub(args, data, &[]), format!("{args:?}"))
}

fn admin(data: &Path, args: &[&str]) -> String {
    stdout_of(hub(&["admin"], data, args), format!("admin {args:?}"))
}

/// The fingerprint `quorum-hub certificate` prints.
fn certificate(data: &Path) -> String {
    run(&["certificate"], data).trim().to_string()
}

fn demo(data: &Path) -> Vec<(String, String, String)> {
    run(&["demo"], data)
        .lines()
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            assert_eq!(
                fields.len(),
                4,
                "each line is NAME<TAB>ROLE<TAB>CODE<TAB>CERTIFICATE: {line:?}"
            );
            assert_eq!(
                fields[3],
                certificate(data),
                "beside each code, the fingerprint of the hub's certificate"
            );
            (fields[0].into(), fields[1].into(), fields[2].into())
        })
        .collect()
}

#[tokio::test]
async fn demo_then_serve_lets_a_device_enroll_and_pull_the_meeting() {
    let data = tempfile::tempdir().expect("a temp data folder");
    let first = demo(data.path());
    let codes = demo(data.path());
    assert_eq!(codes.len(), 5, "one code per sample member");
    assert_ne!(
        first[0].2, codes[0].2,
        "running demo again issues fresh codes"
    );

    let server = Server::start(data.path()).await;
    assert_eq!(
        certificate(data.path()),
        server.fingerprint,
        "the fingerprint printed beside the codes is the certificate serve shows"
    );
    let client = server.client();
    let health = client.get(format!("{}/health", server.base)).send().await;
    let health: serde_json::Value = health
        .expect("the server answers")
        .json()
        .await
        .expect("health is JSON");
    assert_eq!(
        health,
        serde_json::json!({ "ok": true }),
        "a served hub reports itself healthy, and tells a stranger nothing else"
    );

    let (_, _, stale_code) = first
        .iter()
        .find(|(_, role, _)| role == "chair")
        .expect("the sample has a chair");
    let response = server.enroll(&client, stale_code).await;
    assert_eq!(
        response.status(),
        StatusCode::FORBIDDEN,
        "a code replaced by a later demo run no longer enrolls"
    );

    let (_, role, code) = codes
        .iter()
        .find(|(_, role, _)| role == "chair")
        .expect("the sample has a chair");
    assert_eq!(role, "chair", "roles print as their serde names");
    let response = server.enroll(&client, code).await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "the printed code enrolls a device"
    );
    let enrolled: EnrollResponse = response.json().await.expect("an EnrollResponse");

    let page: ChangesPage = server
        .get(&client, "/changes?since=0", &enrolled.token)
        .await
        .json()
        .await
        .expect("a ChangesPage");
    let meetings: Vec<_> = page
        .changes
        .iter()
        .filter_map(|change| match &change.record {
            Record::Meeting { meeting } => Some(meeting),
            _ => None,
        })
        .collect();
    assert_eq!(
        meetings.len(),
        1,
        "running demo twice published the sample meeting once"
    );
    let document = &meetings[0].agenda[0].documents[0].current;
    let blob_path = format!("/blobs/{}", document.sha256);
    let blob = server.get(&client, &blob_path, &enrolled.token).await;
    assert_eq!(
        blob.status(),
        StatusCode::OK,
        "the chair downloads the sample document"
    );
    let bytes = blob.bytes().await.expect("the document arrives");
    assert_eq!(
        common::sha256_of(&bytes),
        document.sha256,
        "the served document hashes to its address"
    );
}

#[tokio::test]
async fn admin_commands_manage_a_served_hub_and_its_live_channel_hears_them() {
    let data = tempfile::tempdir().expect("a temp data folder");
    let committee_id = admin(data.path(), &["add-committee", "Hội đồng thẩm định"]);
    let committee_id = committee_id.trim();
    let added = admin(
        data.path(),
        &[
            "add-member",
            "--committee",
            committee_id,
            "--name",
            "Đặng Văn Em",
            "--role",
            "member",
            "--position",
            "Ủy viên",
        ],
    );
    let fields: Vec<&str> = added.trim().split('\t').collect();
    let [member_id, first_code, _certificate] = fields[..] else {
        panic!("add-member prints MEMBER_ID<TAB>CODE<TAB>CERTIFICATE: {added:?}");
    };
    let new_code = admin(data.path(), &["new-code", member_id]);
    let (code, _) = new_code
        .trim()
        .split_once('\t')
        .expect("new-code prints CODE<TAB>CERTIFICATE");
    assert_ne!(code, first_code, "new-code issues a different code");
    let members = admin(data.path(), &["list-members"]);
    assert!(
        members.contains("Đặng Văn Em") && members.contains("\tmember\t"),
        "list-members shows the member with their role: {members}"
    );

    let server = Server::start(data.path()).await;
    let client = server.client();
    let response = server.enroll(&client, first_code).await;
    assert_eq!(
        response.status(),
        StatusCode::FORBIDDEN,
        "a code replaced by new-code no longer enrolls"
    );
    let response = server.enroll(&client, code).await;
    assert_eq!(response.status(), StatusCode::OK, "the newest code enrolls");
    let enrolled: EnrollResponse = response.json().await.expect("an EnrollResponse");
    assert_eq!(
        enrolled.member.id.to_string(),
        member_id,
        "the device belongs to the member the code was issued for"
    );

    let mut events = server
        .get(&client, "/events", &enrolled.token)
        .await
        .bytes_stream();
    let mut received = String::new();
    read_until(&mut events, &mut received, "event: ready").await;
    admin(
        data.path(),
        &[
            "add-member",
            "--committee",
            committee_id,
            "--name",
            "Bùi Thị Giang",
            "--role",
            "observer",
        ],
    );
    read_until(&mut events, &mut received, "event: change").await;

    let devices = admin(data.path(), &["list-devices"]);
    assert!(
        devices.contains(&enrolled.device_id.to_string()) && devices.contains("active"),
        "list-devices shows the enrolled device as active: {devices}"
    );
    admin(
        data.path(),
        &["revoke-device", &enrolled.device_id.to_string()],
    );
    // The revoked device's open live channel ends, rather than hearing on.
    let ended = tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(chunk) = events.next().await {
            if chunk.is_err() {
                break;
            }
        }
    })
    .await;
    assert!(
        ended.is_ok(),
        "the live channel of a device revoked from the CLI is closed by the running hub"
    );
    let response = server.get(&client, "/changes", &enrolled.token).await;
    assert_eq!(
        response.status(),
        StatusCode::UNAUTHORIZED,
        "a device revoked from the CLI is shut out of the running hub at once"
    );
}

#[tokio::test]
async fn serve_stops_cleanly_on_sigterm_even_with_a_live_channel_open() {
    let data = tempfile::tempdir().expect("a temp data folder");
    let codes = demo(data.path());
    let mut server = Server::start(data.path()).await;
    let client = server.client();
    let enrolled: EnrollResponse = server
        .enroll(&client, &codes[0].2)
        .await
        .json()
        .await
        .expect("an EnrollResponse");
    let events = server.get(&client, "/events", &enrolled.token).await;
    assert_eq!(events.status(), StatusCode::OK, "the device listens");

    let status = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success(), "SIGTERM is delivered to our own server");
    let mut exited = None;
    for _ in 0..100 {
        if let Some(status) = server.child.try_wait().expect("the child can be polled") {
            exited = Some(status);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let exited = exited.expect("the server exits within 5 s of SIGTERM despite the open channel");
    assert!(
        exited.success(),
        "a requested stop is a clean exit: {exited}"
    );
    drop(events);
}

#[tokio::test]
async fn audit_verify_passes_on_an_intact_log_and_names_the_ballot_altered_in_the_database() {
    let v = voting().await;
    let poll = poll_on(&v.meeting, BallotSecrecy::Named, 600);
    v.open(&poll).await;
    let ballots = [
        (&v.chair, v.chair.vote(poll.id, "agree")),
        (&v.member, v.member.vote(poll.id, "agree")),
        (&v.member, v.member.vote(poll.id, "disagree")),
    ];
    for (device, ballot) in ballots {
        assert_eq!(v.hub.push_one(device, ballot).await, Outcome::Applied);
    }
    let data = v.hub.dir.path();
    assert_eq!(
        run(&["audit", "verify"], data),
        "audit log intact: 3 ballots and 0 delegations, chains and signatures verified\n",
        "an untouched log verifies"
    );

    assert!(
        v.hub
            .execute_behind_its_back("UPDATE ballots SET timing = 'late' WHERE seq = 1")
            .is_err(),
        "the database itself refuses to rewrite the log"
    );
    // Someone with the database drops the guard and turns the member's agree into disagree.
    let guard = match v.hub.backends().records {
        quorum_hub::Records::InDataFolder => "DROP TRIGGER ballots_are_never_updated",
        quorum_hub::Records::Postgres(_) => "DROP TRIGGER ballots_are_append_only ON ballots",
    };
    v.hub
        .execute_behind_its_back(&format!(
            "{guard}; UPDATE ballots SET ballot = replace(ballot, '\"agree\"', '\"disagree\"') WHERE seq = 2;"
        ))
        .expect("the database can be edited behind the hub's back");
    let output = run_output(&["audit", "verify"], data);
    assert_eq!(
        output.status.code(),
        Some(1),
        "a broken log fails the command"
    );
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "audit log broken at ballot 2: hash mismatch\n",
        "the report names the altered ballot"
    );
}

#[tokio::test]
async fn results_list_each_members_choice_for_a_named_poll_and_no_member_for_a_secret_one() {
    let v = voting().await;
    let named = poll_on(&v.meeting, BallotSecrecy::Named, 0);
    let secret = poll_on(&v.meeting, BallotSecrecy::Secret, 0);
    for poll in [&named, &secret] {
        v.open(poll).await;
        let chair = v.chair.vote(poll.id, "agree");
        let member = v.member.ballot_for(
            poll.id,
            v.member.member.id,
            "other",
            Some("Cần bổ sung, làm rõ số liệu"),
            common::votes::now(),
        );
        assert_eq!(v.hub.push_one(&v.chair, chair).await, Outcome::Applied);
        assert_eq!(v.hub.push_one(&v.member, member).await, Outcome::Applied);
    }
    let data = v.hub.dir.path();
    let totals = "key,label,count\n\
                  agree,Đồng ý,1\n\
                  disagree,Không đồng ý,0\n\
                  other,Ý kiến khác,1\n\
                  answered,2\n\
                  eligible,2\n\
                  late,0\n\
                  delegated,0\n\
                  quorum met,true\n\
                  passed,false\n";
    assert_eq!(
        run(&["results", "--poll", &named.id.to_string()], data),
        format!(
            "{totals}member,choice,comment,timing,cast by\n\
             Nguyễn Văn An,agree,,onTime,\n\
             Trần Thị Bích,other,\"Cần bổ sung, làm rõ số liệu\",onTime,\n"
        ),
        "a named poll's results show each member's choice, even while it is open"
    );

    let secret_id = secret.id.to_string();
    let output = run_output(&["results", "--poll", &secret_id], data);
    assert!(
        !output.status.success() && String::from_utf8_lossy(&output.stderr).contains("secret"),
        "a secret poll's results wait until it is final, as in the feed"
    );
    v.close(secret.id).await;
    let printed = run(&["results", "--poll", &secret_id], data);
    assert_eq!(
        printed, totals,
        "a secret poll's results are the counts and totals, with no member at all"
    );
}

/// Ballots (and each one's sequence in the log) kept in a data folder's database.
fn ballots_in(data: &Path) -> Vec<i64> {
    common::first_column(data, "SELECT seq FROM ballots ORDER BY seq")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_backup_taken_while_ten_laptops_sync_and_vote_restores_every_acknowledged_ballot_and_document()
 {
    let common::votes::VotingLaptops {
        hub: test_hub,
        laptops,
        meeting,
        document,
        poll,
    } = common::votes::laptops_and_an_open_poll(10).await;
    let data = test_hub.dir.path();
    let choices = ["agree", "disagree"];
    for laptop in &laptops {
        let ballot = laptop.vote(poll.id, "agree");
        assert_eq!(test_hub.push_one(laptop, ballot).await, Outcome::Applied);
    }
    let acknowledged = ballots_in(data);
    assert_eq!(acknowledged.len(), 10, "one ballot from each laptop");

    // The backup runs as its own process while every laptop goes on syncing (the feed,
    // the document) and voting, each at its own pace.
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("hub-backup.tar");
    let mut backup = hub(&["backup"], data, &["--to", archive.to_str().unwrap()])
        .stdout(Stdio::piped())
        .spawn()
        .expect("the backup starts");
    let finished = std::sync::atomic::AtomicBool::new(false);
    let cast_during = std::sync::atomic::AtomicUsize::new(0);
    let sha256 = &meeting.agenda[0].documents[0].current.sha256;
    let watch_backup = async {
        while backup.try_wait().unwrap().is_none() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        finished.store(true, std::sync::atomic::Ordering::SeqCst);
    };
    let laptops_at_work = laptops.iter().enumerate().map(|(n, laptop)| {
        let (test_hub, finished, cast_during, document) =
            (&test_hub, &finished, &cast_during, &document);
        async move {
            let mut round = 0;
            while !finished.load(std::sync::atomic::Ordering::SeqCst) {
                let feed = test_hub.get(&laptop.token, "/changes?since=0").await;
                common::assert_status(&feed, StatusCode::OK, "the laptop pulls");
                let blob = test_hub
                    .get(&laptop.token, &format!("/blobs/{sha256}"))
                    .await;
                assert_eq!(&blob.bytes().await.unwrap()[..], &document[..]);
                let ballot = laptop.vote(poll.id, choices[(n + round) % 2]);
                assert_eq!(test_hub.push_one(laptop, ballot).await, Outcome::Applied);
                cast_during.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                round += 1;
            }
        }
    });
    tokio::join!(
        watch_backup,
        futures_util::future::join_all(laptops_at_work)
    );
    let during = cast_during.into_inner();
    assert!(
        during >= laptops.len(),
        "each laptop voted while the backup ran"
    );
    let output = backup.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "the backup is written while the hub serves"
    );
    assert!(
        String::from_utf8_lossy(&output.stdout).contains(": 1 documents, 10000 bytes"),
        "it names what it carried: {}",
        String::from_utf8_lossy(&output.stdout)
    );

    let restored = dir.path().join("restored");
    run(&["restore", "--from", archive.to_str().unwrap()], &restored);
    let kept = ballots_in(&restored);
    assert!(
        acknowledged.iter().all(|seq| kept.contains(seq)),
        "every ballot acknowledged before the backup is in it: {acknowledged:?} in {kept:?}"
    );
    let served_after = ballots_in(data);
    assert_eq!(
        kept[..],
        served_after[..kept.len()],
        "the backup is the log as it stood at one instant: no ballot missing before the \
         last one it holds, none twice ({during} cast while it ran)"
    );
    assert_eq!(
        run(&["audit", "verify"], &restored),
        format!(
            "audit log intact: {} ballots and 0 delegations, chains and signatures verified\n",
            kept.len()
        ),
        "the restored log verifies"
    );
    let blobs = |data: &Path| -> Vec<(String, Vec<u8>)> {
        let store = quorum_hub::HubStore::open(data).unwrap();
        let db = rusqlite::Connection::open(data.join("hub.sqlite3")).unwrap();
        let mut rows = db
            .prepare("SELECT sha256 FROM blobs ORDER BY sha256")
            .unwrap();
        let names: Vec<String> = rows
            .query_map([], |row| row.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        names
            .into_iter()
            .map(|name| {
                let sha256 = quorum_core::Sha256Hex::try_from(name.clone()).unwrap();
                let bytes = std::fs::read(store.blob_path(&sha256)).unwrap();
                (name, bytes)
            })
            .collect()
    };
    let restored_blobs = blobs(&restored);
    assert_eq!(restored_blobs, blobs(data), "every document, byte for byte");
    assert_eq!(restored_blobs[0].1, document);

    // Laptops keep syncing with the restored hub: the same certificate, the same tokens.
    assert_eq!(
        certificate(&restored),
        test_hub.fingerprint,
        "the pinned certificate"
    );
    let served = Server::start(&restored).await;
    for laptop in &laptops {
        let feed = served
            .get(&served.client(), "/changes?since=0", &laptop.token)
            .await;
        assert_eq!(
            feed.status(),
            StatusCode::OK,
            "{}'s laptop is still enrolled",
            laptop.member.full_name
        );
    }
}

#[tokio::test]
async fn a_cut_or_altered_backup_restores_nothing_and_a_folder_in_use_is_not_overwritten() {
    let v = voting().await;
    let data = v.hub.dir.path();
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("hub-backup.tar");
    run(&["backup", "--to", archive.to_str().unwrap()], data);
    let whole = std::fs::read(&archive).unwrap();
    let restore = |name: &str, bytes: &[u8]| {
        let damaged = dir.path().join(format!("{name}.tar"));
        std::fs::write(&damaged, bytes).unwrap();
        let target = dir.path().join(name);
        let output = run_output(&["restore", "--from", damaged.to_str().unwrap()], &target);
        (output, target)
    };
    // Refused, saying `why`, and nothing left behind.
    let refused = |name: &str, bytes: &[u8], why: &str| {
        let (output, target) = restore(name, bytes);
        let said = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "the {name} archive is refused");
        assert!(said.contains(why), "and says so ({why:?}): {said}");
        assert!(!target.exists(), "no data folder is left half restored");
    };

    refused("cut", &whole[..whole.len() / 2], "was not restored");

    // One byte of the document changed inside the archive.
    let document = common::document_bytes(10_000);
    let at = whole
        .windows(64)
        .position(|window| window == &document[..64])
        .expect("the document is in the archive")
        + 5_000;
    let mut altered = whole.clone();
    altered[at] ^= 0x01;
    refused("altered", &altered, "does not match the manifest");

    let in_use = restore("in-use", &whole).1;
    let output = run_output(&["restore", "--from", archive.to_str().unwrap()], data);
    assert!(
        !output.status.success(),
        "a folder with a hub in it is not restored over"
    );
    assert_eq!(
        run(&["audit", "verify"], data),
        "audit log intact: 0 ballots and 0 delegations, chains and signatures verified\n",
        "and the hub in it is as it was"
    );
    assert!(
        in_use.join("hub.sqlite3").exists(),
        "the whole archive restores"
    );
}

#[test]
fn a_hub_database_from_a_newer_quorum_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    admin(data, &["add-committee", "UBND phường Bến Nghé"]);
    let newer = quorum_hub::SCHEMA_VERSION as i64 + 1;
    let conn = rusqlite::Connection::open(data.join("hub.sqlite3")).unwrap();
    conn.pragma_update(None, "user_version", newer).unwrap();
    drop(conn);
    let before = std::fs::read(data.join("hub.sqlite3")).unwrap();

    let commands = [
        hub(&["admin"], data, &["list-members"]),
        hub(&["audit", "verify"], data, &[]),
        hub(&["serve"], data, &["--listen", "127.0.0.1:0"]),
    ];
    for mut command in commands {
        let output = command.output().expect("the binary runs");
        assert!(
            !output.status.success(),
            "{command:?} refuses a newer database"
        );
        let said = String::from_utf8_lossy(&output.stderr);
        assert!(
            said.contains("a newer Quorum wrote it") && said.contains("hub.sqlite3"),
            "{command:?} names the file and why: {said}"
        );
    }
    assert_eq!(
        std::fs::read(data.join("hub.sqlite3")).unwrap(),
        before,
        "not a byte of it changed"
    );
    let journal = std::fs::metadata(data.join("hub.sqlite3-wal")).map_or(0, |meta| meta.len());
    assert_eq!(journal, 0, "nor was anything written to its journal");
}

#[test]
fn add_member_and_new_code_print_a_vietnamese_enrollment_sheet_whose_qr_code_joins() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("hub");
    let committee = admin(&data, &["add-committee", "UBND phường Bến Nghé"]);
    let first = dir.path().join("phieu-dau.pdf");
    let added = admin(
        &data,
        &[
            "add-member",
            "--committee",
            committee.trim(),
            "--name",
            "Trần Thị Bích",
            "--role",
            "member",
            "--sheet",
            first.to_str().unwrap(),
            "--hub-url",
            "https://10.0.0.5:7878",
        ],
    );
    let mut fields = added.trim().split('\t');
    let (member_id, first_code) = (fields.next().unwrap(), fields.next().unwrap());
    let first_text = Command::new("pdftotext")
        .arg(&first)
        .arg("-")
        .output()
        .unwrap();
    let first_text = String::from_utf8_lossy(&first_text.stdout);
    assert!(
        first_text.contains(first_code) && first_text.contains("Trần Thị Bích"),
        "add-member prints the sheet of the member's first code: {first_text}"
    );
    let sheet = dir.path().join("phieu.pdf");
    let printed = admin(
        &data,
        &[
            "new-code",
            member_id,
            "--valid-hours",
            "48",
            "--sheet",
            sheet.to_str().unwrap(),
            "--hub-url",
            "https://10.0.0.5:7878",
        ],
    );
    let (code, fingerprint) = printed.trim().split_once('\t').unwrap();

    let text = Command::new("pdftotext")
        .arg(&sheet)
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    let vietnam = chrono::FixedOffset::east_opt(7 * 3600).unwrap();
    let now = quorum_core::Clock::now(&quorum_core::SystemClock);
    let expires = (now + chrono::Duration::hours(48)).with_timezone(&vietnam);
    for expected in [
        "Phiếu tham gia phòng họp Quorum",
        "Trần Thị Bích",
        "UBND phường Bến Nghé",
        "https://10.0.0.5:7878",
        code,
        fingerprint,
        &expires.format("%d/%m/%Y").to_string(),
        "giờ Việt Nam",
    ] {
        assert!(
            text.contains(expected),
            "the sheet says {expected:?}: {text}"
        );
    }

    // The QR code, read back from the printed page, is the line the join screen takes.
    let picture = dir.path().join("phieu");
    let drawn = Command::new("pdftoppm")
        .args(["-png", "-r", "200", "-singlefile"])
        .arg(&sheet)
        .arg(&picture)
        .status()
        .unwrap();
    assert!(drawn.success(), "the sheet renders");
    let decoder = png::Decoder::new(std::fs::File::open(picture.with_extension("png")).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size()];
    let frame = reader.next_frame(&mut pixels).unwrap();
    let (width, height) = (frame.width as usize, frame.height as usize);
    // Black on white: any one channel of a pixel tells which.
    let channels = frame.color_type.samples();
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| {
        pixels[y * frame.line_size + x * channels]
    });
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code on the sheet");
    let (_, content) = grids[0].decode().unwrap();
    assert_eq!(content, format!("{code}\t{fingerprint}"));
}

/// The text pdftotext reads from `pdf`.
fn pdf_text(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_committee_keeps_the_time_zone_the_hub_sets_and_an_unknown_zone_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("hub");
    // An admin command that must be refused; answers what it said.
    let refused = |args: &[&str]| {
        let out = hub(&["admin"], &data, args).output().unwrap();
        assert!(!out.status.success(), "{args:?} is refused");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let said = refused(&["add-committee", "UBND", "--time-zone", "Asia/Sai_Gon"]);
    assert!(
        said.contains("Asia/Sai_Gon is not a time zone"),
        "and named: {said}"
    );
    let feed_length = || common::first_column::<i64>(&data, "SELECT COUNT(*) FROM changes")[0];
    let committees = || -> Vec<String> {
        common::first_column(&data, "SELECT name || ' ' || time_zone FROM committees")
    };
    assert_eq!(committees(), Vec::<String>::new(), "no committee was made");

    let committee = admin(&data, &["add-committee", "UBND phường Bến Nghé"]);
    let committee = committee.trim();
    assert_eq!(
        committees(),
        vec!["UBND phường Bến Nghé Asia/Ho_Chi_Minh"],
        "Vietnam's zone unless told otherwise"
    );
    let feed_before = feed_length();
    refused(&["set-time-zone", committee, "Mars/Olympus"]);
    admin(&data, &["set-time-zone", committee, "Europe/Paris"]);
    assert_eq!(committees(), vec!["UBND phường Bến Nghé Europe/Paris"]);
    assert_eq!(
        feed_length(),
        feed_before + 1,
        "one change tells the laptops (the refused zone told them nothing)"
    );

    // The member's sheet gives the code's expiry on the committee's clock.
    let sheet = dir.path().join("phieu.pdf");
    admin(
        &data,
        &[
            "add-member",
            "--committee",
            committee,
            "--name",
            "Trần Thị Bích",
            "--role",
            "member",
            "--valid-hours",
            "1",
            "--sheet",
            sheet.to_str().unwrap(),
            "--hub-url",
            "https://10.0.0.5:7878",
        ],
    );
    let paris = quorum_core::committee_time::committee_zone("Europe/Paris").unwrap();
    let now = quorum_core::Clock::now(&quorum_core::SystemClock);
    let expires = (now + chrono::Duration::hours(1)).with_timezone(&paris);
    let text = pdf_text(&sheet);
    assert!(
        text.contains("(giờ Europe/Paris)")
            && text.contains(&expires.format("ngày %d/%m/%Y").to_string()),
        "the expiry on Paris's clock: {text}"
    );
}

/// A certificate file from the signature tests' data (pyHanko's test CA and the ECDSA
/// root of its test files).
fn signature_test_pem(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../quorum-signatures/tests/data/pyhanko")
        .join(name)
}

/// The certificates (DER, hexadecimal) a device's feed from `since` adds, and the
/// fingerprints it removes, each with the committee the record names.
async fn anchors_in_feed(
    server: &Server,
    token: &str,
    since: u64,
) -> (Vec<(String, String)>, Vec<(String, String)>, u64) {
    let page: ChangesPage = server
        .get(&server.client(), &format!("/changes?since={since}"), token)
        .await
        .json()
        .await
        .expect("a ChangesPage");
    let (mut added, mut removed) = (Vec::new(), Vec::new());
    for change in page.changes {
        match change.record {
            Record::SignatureAnchor {
                committee_id,
                certificate,
            } => added.push((committee_id.to_string(), certificate)),
            Record::SignatureAnchorRemoved {
                committee_id,
                fingerprint,
            } => removed.push((committee_id.to_string(), fingerprint)),
            _ => {}
        }
    }
    (added, removed, page.next_cursor)
}

#[tokio::test]
async fn trusted_certificates_reach_every_committees_laptops_and_a_bad_file_trusts_nothing() {
    let data = tempfile::tempdir().unwrap();
    let codes = demo(data.path());
    let trusted = || admin(data.path(), &["trust", "list"]);
    let feed_length =
        || common::first_column::<i64>(data.path(), "SELECT COUNT(*) FROM changes")[0];
    let refused = |args: &[&str]| {
        let out = hub(&["admin"], data.path(), &[&["trust"], args].concat())
            .output()
            .unwrap();
        assert!(!out.status.success(), "trust {args:?} is refused");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };

    // A PDF, and a PEM whose certificate is cut short, are refused whole.
    let feed_before = feed_length();
    let not_pem = data.path().join("not-a-certificate.pem");
    std::fs::write(&not_pem, b"%PDF-1.7\n%%EOF\n").unwrap();
    let said = refused(&["add", not_pem.to_str().unwrap()]);
    assert!(said.contains("no PEM certificate"), "and why: {said}");
    let root = std::fs::read_to_string(signature_test_pem("root-ca.pem")).unwrap();
    let cut = data.path().join("cut.pem");
    let body: Vec<&str> = root.lines().collect();
    let shortened = [&body[..3], &body[body.len() - 1..]].concat().join("\n");
    std::fs::write(&cut, format!("{root}\n{shortened}\n")).unwrap();
    let said = refused(&["add", cut.to_str().unwrap()]);
    assert!(said.contains("cannot be read"), "and why: {said}");
    assert_eq!(
        trusted(),
        "",
        "nothing is trusted, not even the good first one"
    );
    assert_eq!(feed_length(), feed_before, "and no laptop is told anything");

    let added = admin(
        data.path(),
        &[
            "trust",
            "add",
            signature_test_pem("root-ca.pem").to_str().unwrap(),
        ],
    );
    let fields: Vec<&str> = added.trim().split('\t').collect();
    let [root_fingerprint, subject, issuer, not_after] = fields[..] else {
        panic!("trust add prints FINGERPRINT<TAB>SUBJECT<TAB>ISSUER<TAB>NOT_AFTER: {added:?}");
    };
    assert_eq!(root_fingerprint.len(), 64, "a SHA-256 in hexadecimal");
    assert!(subject.contains("Root CA"), "the subject's name: {subject}");
    assert_eq!(subject, issuer, "a root names itself as its issuer");
    let expires = chrono::NaiveDate::parse_from_str(not_after, "%Y-%m-%d").unwrap();
    assert!(
        expires > quorum_core::Clock::now(&quorum_core::SystemClock).date_naive(),
        "its expiry date, to come: {not_after}"
    );
    assert_eq!(trusted(), added, "trust list shows what trust add took");
    let feed_after_adding = feed_length();
    admin(
        data.path(),
        &[
            "trust",
            "add",
            signature_test_pem("root-ca.pem").to_str().unwrap(),
        ],
    );
    assert_eq!(
        trusted(),
        added,
        "the same certificate twice is trusted once"
    );
    assert_eq!(feed_length(), feed_after_adding, "and told to laptops once");

    // A committee made afterwards hears of the certificates trusted before it.
    let other = admin(data.path(), &["add-committee", "Hội đồng thi đua"]);
    let other = other.trim().to_string();
    let member = admin(
        data.path(),
        &[
            "add-member",
            "--committee",
            &other,
            "--name",
            "Lê Văn Tám",
            "--role",
            "member",
        ],
    );
    let other_code = member.split('\t').nth(1).unwrap().to_string();
    admin(
        data.path(),
        &[
            "trust",
            "add",
            signature_test_pem("ecdsa-root.pem").to_str().unwrap(),
        ],
    );
    let listed = trusted();
    assert_eq!(
        listed.lines().count(),
        2,
        "two certificates trusted: {listed}"
    );
    let ecdsa_fingerprint = listed.lines().nth(1).unwrap().split('\t').next().unwrap();

    let server = Server::start(data.path()).await;
    let client = server.client();
    let (_, _, chair_code) = codes.iter().find(|(_, role, _)| role == "chair").unwrap();
    let enroll = |code: String| {
        let (server, client) = (&server, &client);
        async move {
            let response = server.enroll(client, &code).await;
            assert_eq!(response.status(), StatusCode::OK, "the code enrolls");
            response.json::<EnrollResponse>().await.unwrap()
        }
    };
    let chair = enroll(chair_code.clone()).await;
    let other_member = enroll(other_code).await;
    let root_der = hex::encode(&quorum_signatures::Anchors::read_pem(root.as_bytes()).unwrap()[0]);
    for (device, committee) in [
        (&chair, chair.committee.id.to_string()),
        (&other_member, other.clone()),
    ] {
        let (added, removed, _) = anchors_in_feed(&server, &device.token, 0).await;
        assert_eq!(
            added.len(),
            2,
            "both certificates reach {committee}'s laptop"
        );
        assert!(
            added.iter().all(|(named, _)| *named == committee),
            "each record names the laptop's own committee"
        );
        assert_eq!(added[0].1, root_der, "the root's DER, byte for byte");
        assert!(removed.is_empty());
    }

    // Removing: an unknown fingerprint changes nothing; the right one reaches laptops.
    let said = refused(&["remove", &"0".repeat(64)]);
    assert!(
        said.contains("admin trust list"),
        "and where to look: {said}"
    );
    assert_eq!(trusted(), listed, "nothing was removed");
    let (_, _, cursor) = anchors_in_feed(&server, &chair.token, 0).await;
    let removed = admin(
        data.path(),
        &["trust", "remove", &ecdsa_fingerprint.to_ascii_uppercase()],
    );
    assert_eq!(
        removed.trim(),
        format!("no longer trusted {ecdsa_fingerprint}")
    );
    assert_eq!(trusted(), added, "the root alone is still trusted");
    let (added_since, removed_since, _) = anchors_in_feed(&server, &chair.token, cursor).await;
    assert!(added_since.is_empty(), "nothing new is trusted");
    assert_eq!(
        removed_since,
        [(
            chair.committee.id.to_string(),
            ecdsa_fingerprint.to_string()
        )],
        "the chair's laptop is told to stop trusting the ECDSA root"
    );
    let (from_start, _, _) = anchors_in_feed(&server, &other_member.token, 0).await;
    assert_eq!(
        from_start.len(),
        1,
        "a laptop reading the feed from the start never receives the removed certificate"
    );
}

#[tokio::test]
async fn a_revocation_round_reads_the_signers_of_stored_documents_and_an_unreachable_ca_changes_nothing()
 {
    // The sample meeting with its draft conclusions replaced by a document pyHanko's
    // test signer signed; that signer's certificates name their CA's lists at
    // pyhanko.tests, which no resolver knows.
    let sample = tempfile::tempdir().unwrap();
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/sample");
    std::fs::copy(
        source.join("sample.json"),
        sample.path().join("sample.json"),
    )
    .unwrap();
    std::fs::create_dir(sample.path().join("documents")).unwrap();
    for entry in std::fs::read_dir(source.join("documents")).unwrap() {
        let path = entry.unwrap().path();
        let into = sample
            .path()
            .join("documents")
            .join(path.file_name().unwrap());
        std::fs::copy(&path, into).unwrap();
    }
    std::fs::copy(
        signature_test_pem("../made-with-pyhanko/plain-adbe-rsa.pdf"),
        sample.path().join("documents/06-du-thao-ket-luan.pdf"),
    )
    .unwrap();
    let data = tempfile::tempdir().unwrap();
    run(
        &["demo", "--sample", sample.path().to_str().unwrap()],
        data.path(),
    );
    let feed_length =
        || common::first_column::<i64>(data.path(), "SELECT COUNT(*) FROM changes")[0];
    let kept_lists =
        || common::first_column::<i64>(data.path(), "SELECT COUNT(*) FROM revocation_lists")[0];

    assert_eq!(
        admin(data.path(), &["check-revocation"]),
        "",
        "with no certificate trusted, no signer's list is worth fetching"
    );
    admin(
        data.path(),
        &[
            "trust",
            "add",
            signature_test_pem("root-ca.pem").to_str().unwrap(),
        ],
    );
    let feed_before = feed_length();
    let said = admin(data.path(), &["check-revocation"]);
    let mut lists: Vec<(&str, &str)> = said
        .lines()
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            (fields[0], fields[1])
        })
        .collect();
    lists.sort_unstable();
    assert_eq!(
        lists,
        [
            (
                "http://pyhanko.tests/testing-ca/crls/interm/latest.crl",
                "failed"
            ),
            (
                "http://pyhanko.tests/testing-ca/crls/root/latest.crl",
                "failed"
            ),
        ],
        "the signer's list and its intermediate's, read from the stored document: {said}"
    );
    assert_eq!(kept_lists(), 0, "nothing fetched, nothing kept");
    assert_eq!(feed_length(), feed_before, "and no laptop is told anything");
}
