//! The real `quorum-hub` binary: `demo` and `admin` prepare a data folder, `serve`
//! serves it, and devices enroll over HTTP with the codes those commands printed.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::{device_key, read_until};
use ed25519_dalek::Signer;
use quorum_core::protocol::{ChangesPage, EnrollRequest, EnrollResponse, Record};
use reqwest::StatusCode;

const BINARY: &str = env!("CARGO_BIN_EXE_quorum-hub");

/// A `quorum-hub serve` process, killed when the test ends, pass or fail.
struct Server {
    child: Child,
    base: String,
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
        let mut child = Command::new(BINARY)
            .args(["serve", "--listen", "127.0.0.1:0", "--data"])
            .arg(data)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the server starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let line = tokio::task::spawn_blocking(move || {
            let mut line = String::new();
            BufReader::new(stdout)
                .read_line(&mut line)
                .expect("the server prints its address");
            line
        })
        .await
        .expect("the reader thread finishes");
        let address = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("the first line announces the address: {line:?}"))
            .to_string();
        assert!(
            !address.ends_with(":0"),
            "the real port is printed, not the one asked for: {address}"
        );
        Self {
            child,
            base: format!("http://{address}/v1"),
        }
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

fn run(args: &[&str], data: &Path) -> String {
    let output = Command::new(BINARY)
        .args(args)
        .arg("--data")
        .arg(data)
        .output()
        .expect("the binary runs");
    assert!(
        output.status.success(),
        "{args:?} succeeds: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("the binary prints UTF-8")
}

fn admin(data: &Path, args: &[&str]) -> String {
    let output = Command::new(BINARY)
        .arg("admin")
        .arg("--data")
        .arg(data)
        .args(args)
        .output()
        .expect("the binary runs");
    assert!(
        output.status.success(),
        "admin {args:?} succeeds: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("the binary prints UTF-8")
}

fn demo(data: &Path) -> Vec<(String, String, String)> {
    run(&["demo"], data)
        .lines()
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            assert_eq!(
                fields.len(),
                3,
                "each line is NAME<TAB>ROLE<TAB>CODE: {line:?}"
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
    let base = &server.base;
    let client = reqwest::Client::new();
    let health: serde_json::Value = client
        .get(format!("{base}/health"))
        .send()
        .await
        .expect("the server answers")
        .json()
        .await
        .expect("health is JSON");
    assert_eq!(health["ok"], true, "a served hub reports itself healthy");
    assert_eq!(
        health["latestSeq"], 7,
        "the feed holds the committee, five members and one meeting, each once"
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

    let page: ChangesPage = client
        .get(format!("{base}/changes?since=0"))
        .bearer_auth(&enrolled.token)
        .send()
        .await
        .expect("the server answers")
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
    let blob = client
        .get(format!("{base}/blobs/{}", document.sha256))
        .bearer_auth(&enrolled.token)
        .send()
        .await
        .expect("the server answers");
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
    let (member_id, first_code) = added
        .trim()
        .split_once('\t')
        .expect("add-member prints MEMBER_ID<TAB>CODE");
    let code = admin(data.path(), &["new-code", member_id]);
    let code = code.trim();
    assert_ne!(code, first_code, "new-code issues a different code");
    let members = admin(data.path(), &["list-members"]);
    assert!(
        members.contains("Đặng Văn Em") && members.contains("\tmember\t"),
        "list-members shows the member with their role: {members}"
    );

    let server = Server::start(data.path()).await;
    let client = reqwest::Client::new();
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

    let mut events = client
        .get(format!("{}/events", server.base))
        .bearer_auth(&enrolled.token)
        .send()
        .await
        .expect("the live channel opens")
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
    let response = client
        .get(format!("{}/changes", server.base))
        .bearer_auth(&enrolled.token)
        .send()
        .await
        .expect("the server answers");
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
    let client = reqwest::Client::new();
    let enrolled: EnrollResponse = server
        .enroll(&client, &codes[0].2)
        .await
        .json()
        .await
        .expect("an EnrollResponse");
    let events = client
        .get(format!("{}/events", server.base))
        .bearer_auth(&enrolled.token)
        .send()
        .await
        .expect("the live channel opens");
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
