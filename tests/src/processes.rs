//! The real `quorum-hub` and `quorum` processes, on loopback, with data folders of
//! the test's own.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use serde_json::Value;

use crate::workspace_binary;

/// The processes whose command name is `comm`, as `/proc/PID/comm` has it: the program's
/// name cut at 15 bytes ("WebKitWebProces").
pub fn processes_named(comm: &str) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .expect("/proc lists the processes")
        .filter_map(|entry| {
            let dir = entry.ok()?.path();
            let pid: u32 = dir.file_name()?.to_str()?.parse().ok()?;
            let name = std::fs::read_to_string(dir.join("comm")).ok()?;
            (name.trim_end() == comm).then_some(pid)
        })
        .collect()
}

pub fn hub_binary() -> PathBuf {
    workspace_binary("quorum-hub", "QUORUM_HUB_BIN")
}

pub fn client_binary() -> PathBuf {
    workspace_binary("quorum", "QUORUM_CLIENT_BIN")
}

/// One sample member as `quorum-hub demo` printed it.
#[derive(Debug, Clone)]
pub struct DemoMember {
    pub name: String,
    pub role: String,
    pub code: String,
    /// The hub certificate's fingerprint, printed beside the code.
    pub certificate: String,
}

/// A hub with the sample meeting, serving on a free loopback port.
pub struct DemoHub {
    pub data: tempfile::TempDir,
    pub members: Vec<DemoMember>,
    pub hub: HubProcess,
}

pub fn demo_hub() -> DemoHub {
    demo_hub_with(&[])
}

/// [`demo_hub`], served with `args` added to `quorum-hub serve`.
pub fn demo_hub_with(args: &[&str]) -> DemoHub {
    let data = tempfile::tempdir().expect("a hub data folder");
    let members = hub_demo(data.path());
    assert_eq!(
        members.len(),
        5,
        "the demo prints a code for each of the five members"
    );
    let hub = HubProcess::start_with(data.path(), "127.0.0.1:0", args);
    DemoHub { data, members, hub }
}

/// [`demo_hub`], and a folder for the test's laptops.
pub fn demo_hub_and_laptops() -> (DemoHub, tempfile::TempDir) {
    let laptops = tempfile::tempdir().expect("a folder for the laptops");
    (demo_hub(), laptops)
}

impl DemoHub {
    /// A laptop in `dir/ROLE`, enrolled as the demo member with `role`, not synced yet.
    pub fn enrolled(&self, dir: &Path, role: &str) -> Laptop {
        enrolled_laptop(&self.hub, dir, role, &code_for(&self.members, role))
    }
}

/// Loads the sample meeting into the hub data folder `data`; returns the members' codes.
pub fn hub_demo(data: &Path) -> Vec<DemoMember> {
    let output = hub_admin_output(data, &["demo"]);
    String::from_utf8(output.stdout)
        .expect("demo prints UTF-8")
        .lines()
        .map(|line| {
            let fields: Vec<_> = line.split('\t').collect();
            assert_eq!(
                fields.len(),
                4,
                "demo prints NAME<TAB>ROLE<TAB>CODE<TAB>CERTIFICATE: {line:?}"
            );
            DemoMember {
                name: fields[0].into(),
                role: fields[1].into(),
                code: fields[2].into(),
                certificate: fields[3].into(),
            }
        })
        .collect()
}

/// Where the `quorum-hub` processes this test starts keep their records and documents
/// (`--database`, `--blobs`), when it is not their data folder.
static HUB_BACKENDS: std::sync::Mutex<Option<(String, String)>> = std::sync::Mutex::new(None);

/// Makes every `quorum-hub` this test process starts from now on keep its records in the
/// PostgreSQL database at `database` and its documents where `blobs` says.
pub fn keep_hub_data_in(database: &str, blobs: &str) {
    *HUB_BACKENDS.lock().unwrap_or_else(|p| p.into_inner()) =
        Some((database.to_string(), blobs.to_string()));
}

/// Makes the `quorum-hub` processes this test starts from now on keep everything in
/// their data folder again.
pub fn keep_hub_data_in_data_folder() {
    *HUB_BACKENDS.lock().unwrap_or_else(|p| p.into_inner()) = None;
}

/// `quorum-hub`, with the records and documents where this test keeps them.
fn hub_command() -> Command {
    let mut command = Command::new(hub_binary());
    let backends = HUB_BACKENDS.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((database, blobs)) = backends.as_ref() {
        command
            .env("QUORUM_HUB_DATABASE", database)
            .env("QUORUM_HUB_BLOBS", blobs);
    }
    command
}

/// `quorum-hub audit verify` on the records of the data folder `data` (wherever this
/// test keeps them): whether it passed, and what it printed.
pub fn audit_verify(data: &Path) -> (bool, String) {
    audit_verify_with(data, &[])
}

/// `quorum-hub audit verify --against RESULTS`: whether the log holds what the signed
/// results at `results` state of their poll, and what it printed.
pub fn audit_verify_against(data: &Path, results: &Path) -> (bool, String) {
    audit_verify_with(
        data,
        &[std::ffi::OsStr::new("--against"), results.as_os_str()],
    )
}

fn audit_verify_with(data: &Path, more: &[&std::ffi::OsStr]) -> (bool, String) {
    let verified = hub_command()
        .args(["audit", "verify", "--data"])
        .arg(data)
        .args(more)
        .output()
        .expect("quorum-hub runs");
    (
        verified.status.success(),
        String::from_utf8(verified.stdout).expect("it prints UTF-8"),
    )
}

/// Runs `quorum-hub <first> --data DATA <rest>` and insists that it succeeded.
pub fn hub_admin_output(data: &Path, args: &[&str]) -> Output {
    let (first, rest) = args.split_first().expect("a subcommand");
    let mut command = hub_command();
    command.arg(first).arg("--data").arg(data).args(rest);
    let output = command.output().expect("quorum-hub runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "quorum-hub {args:?} failed: {stderr}"
    );
    output
}

/// The id of the demo committee in hub data folder `data`.
pub fn demo_committee(data: &Path) -> String {
    let listed = String::from_utf8(hub_admin_output(data, &["admin", "list-members"]).stdout)
        .expect("list-members prints UTF-8");
    let first = listed.lines().next().expect("the demo has members");
    first
        .split('\t')
        .nth(1)
        .expect("MEMBER<TAB>COMMITTEE<TAB>…")
        .to_string()
}

/// Adds a voting member named `name` to `committee`; returns their one-time code.
pub fn add_voting_member(data: &Path, committee: &str, name: &str) -> String {
    let out = hub_admin_output(
        data,
        &[
            "admin",
            "add-member",
            "--committee",
            committee,
            "--name",
            name,
            "--role",
            "member",
        ],
    );
    let line = String::from_utf8(out.stdout).expect("add-member prints UTF-8");
    line.trim()
        .split('\t')
        .nth(1)
        .expect("MEMBER_ID<TAB>CODE<TAB>CERTIFICATE")
        .to_string()
}

/// A fresh one-time code for `member_id` (`admin new-code`), without the certificate
/// printed beside it.
pub fn new_code(data: &Path, member_id: &str) -> String {
    let out = hub_admin_output(data, &["admin", "new-code", member_id]);
    let line = String::from_utf8(out.stdout).expect("new-code prints UTF-8");
    line.split('\t')
        .next()
        .expect("CODE<TAB>CERTIFICATE")
        .trim()
        .to_string()
}

/// A laptop in `dir/NAME`, enrolled with `hub` by `code`.
pub fn enrolled_laptop(hub: &HubProcess, dir: &Path, name: &str, code: &str) -> Laptop {
    let laptop = Laptop::new(dir.join(name));
    laptop.enroll(hub, code);
    laptop
}

/// One laptop per code, enrolled with `hub`, in folders `dir/NAME-N`.
pub fn enrolled_laptops(hub: &HubProcess, dir: &Path, name: &str, codes: &[String]) -> Vec<Laptop> {
    codes
        .iter()
        .enumerate()
        .map(|(n, code)| enrolled_laptop(hub, dir, &format!("{name}-{n}"), code))
        .collect()
}

/// A laptop in `dir/NAME` enrolled as the demo member with `role`, and synced once.
pub fn synced_laptop(hub: &HubProcess, dir: &Path, members: &[DemoMember], role: &str) -> Laptop {
    let laptop = enrolled_laptop(hub, dir, role, &code_for(members, role));
    laptop.run(&["sync"]);
    laptop
}

/// The member's code among the demo members, by role.
pub fn code_for(members: &[DemoMember], role: &str) -> String {
    members
        .iter()
        .find(|m| m.role == role)
        .map(|m| m.code.clone())
        .expect("the demo has that role")
}

/// An HTTP client that trusts only the hub certificate with `fingerprint`.
pub fn pinned_client(fingerprint: &str) -> reqwest::Client {
    quorum_sync::tls::pinned_http_client(fingerprint).expect("a client pinned to the hub")
}

/// A running hub, over HTTPS (or plain HTTP on loopback, when started so). Killed when
/// dropped.
pub struct HubProcess {
    child: Child,
    pub address: String,
    /// The SHA-256 of the certificate it serves, which laptops pin; empty for plain HTTP.
    pub fingerprint: String,
}

impl HubProcess {
    /// Starts `quorum-hub serve` on `listen` (e.g. 127.0.0.1:0) and waits until it says
    /// where it listens and which certificate it shows.
    pub fn start(data: &Path, listen: &str) -> HubProcess {
        Self::start_with(data, listen, &[])
    }

    /// [`HubProcess::start`] with more `serve` arguments.
    pub fn start_with(data: &Path, listen: &str, args: &[&str]) -> HubProcess {
        let mut child = hub_command()
            .args(["serve", "--listen", listen, "--data"])
            .arg(data)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("quorum-hub starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        reader
            .read_line(&mut line)
            .expect("the hub says where it listens");
        let address = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line from the hub: {line:?}"))
            .to_string();
        let mut line = String::new();
        reader
            .read_line(&mut line)
            .expect("the hub names its certificate");
        let fingerprint = match line.trim().strip_prefix("certificate ") {
            Some(fingerprint) => fingerprint.to_string(),
            None if line.starts_with("plain HTTP") => String::new(),
            None => panic!("unexpected second line from the hub: {line:?}"),
        };
        HubProcess {
            child,
            address,
            fingerprint,
        }
    }

    pub fn url(&self) -> String {
        let scheme = if self.fingerprint.is_empty() {
            "http"
        } else {
            "https"
        };
        format!("{scheme}://{}", self.address)
    }

    /// An HTTP client that trusts this hub's certificate and no other, as a laptop does.
    pub fn client(&self) -> reqwest::Client {
        pinned_client(&self.fingerprint)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Stops the hub at once, as a power cut or a crash would.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for HubProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A member's laptop, as the headless client sees it.
pub struct Laptop {
    pub profile: PathBuf,
}

impl Laptop {
    pub fn new(profile: impl Into<PathBuf>) -> Laptop {
        Laptop {
            profile: profile.into(),
        }
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(client_binary());
        command
            .arg("--profile")
            .arg(&self.profile)
            .arg("--json")
            .args(args);
        command
    }

    /// Runs `quorum --json ARGS`; returns whether it succeeded and its JSON document.
    pub fn try_run(&self, args: &[&str]) -> (bool, Value) {
        let output = self.command(args).output().expect("quorum runs");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let value = serde_json::from_str(stdout.trim())
            .unwrap_or_else(|e| panic!("quorum {args:?} printed no JSON ({e}): {stdout:?}"));
        (output.status.success(), value)
    }

    /// Runs `quorum --json ARGS` and insists that it succeeded.
    pub fn run(&self, args: &[&str]) -> Value {
        let (ok, value) = self.try_run(args);
        assert!(ok, "quorum {args:?} failed: {value}");
        value
    }

    /// Asks the committee `question` in writing, answered within two hours (`more`:
    /// further `create-poll` arguments); queued until the next sync. Returns the poll's id.
    pub fn create_written_opinion(&self, question: &str, more: &[&str]) -> String {
        use quorum_core::Clock as _;
        let deadline = (quorum_core::SystemClock.now() + chrono::Duration::hours(2)).to_rfc3339();
        let mut args = vec![
            "create-poll",
            "--question",
            question,
            "--deadline",
            &deadline,
        ];
        args.extend_from_slice(more);
        let poll = self.run(&args);
        poll["id"]
            .as_str()
            .expect("create-poll prints the poll's id")
            .to_string()
    }

    pub fn enroll(&self, hub: &HubProcess, code: &str) -> Value {
        let url = hub.url();
        let mut args = vec!["enroll", url.as_str(), code];
        if !hub.fingerprint.is_empty() {
            args.extend(["--certificate", hub.fingerprint.as_str()]);
        }
        self.run(&args)
    }

    pub fn blob_path(&self, sha256: &str) -> PathBuf {
        self.profile.join("blobs").join(sha256)
    }

    /// Where a download of `sha256` in progress, or cut off, is kept.
    pub fn partial_blob_path(&self, sha256: &str) -> PathBuf {
        self.profile.join("blobs").join(format!("{sha256}.part"))
    }
}

impl Laptop {
    /// The hub's bearer token this laptop was given at enrollment.
    pub fn token(&self) -> String {
        quorum_store::Store::open(&self.profile.join("store.sqlite3"))
            .expect("the laptop's store opens")
            .device()
            .expect("the store reads")
            .expect("the laptop is enrolled")
            .token
    }

    /// The laptop's only meeting, as the hub published it.
    pub fn only_meeting(&self) -> Value {
        let meetings = self.run(&["meetings"]);
        let id = meetings[0]["id"].as_str().expect("a meeting").to_string();
        self.run(&["show", &id])["meeting"].clone()
    }

    /// Deletes the oldest operation waiting in the outbox (a restored backup, a bug):
    /// the hub then sees the next one skip a sequence number.
    pub fn lose_first_queued_operation(&self) {
        let store = rusqlite::Connection::open(self.profile.join("store.sqlite3"))
            .expect("the laptop's store opens");
        let lost = store
            .execute(
                "DELETE FROM outbox WHERE device_seq = (SELECT MIN(device_seq) FROM outbox)",
                [],
            )
            .expect("the outbox can be edited");
        assert_eq!(lost, 1, "an operation was waiting to be lost");
    }
}

/// GETs `url` with the bearer `token` and reads the hub's JSON answer.
pub async fn get_json(client: &reqwest::Client, url: &str, token: &str) -> Value {
    let response = client
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .expect("the hub answers");
    response.json().await.expect("the hub answers in JSON")
}

/// Sends `request` as the secretary holding `token` and insists that the hub took it;
/// `why` says what the request was for.
async fn as_secretary(request: reqwest::RequestBuilder, token: &str, why: &str) {
    let response = request
        .bearer_auth(token)
        .send()
        .await
        .expect("the hub answers");
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    assert!(status.is_success(), "{why}: refused with {status}: {body}");
}

impl HubProcess {
    /// Stores `bytes` as the blob `sha256`, as the secretary workspace uploads a document.
    pub async fn upload_blob(
        &self,
        client: &reqwest::Client,
        token: &str,
        sha256: &str,
        bytes: impl Into<reqwest::Body>,
        why: &str,
    ) {
        let url = format!("{}/v1/blobs/{sha256}", self.url());
        as_secretary(client.put(url).body(bytes), token, why).await;
    }

    /// Publishes `meeting` (as the hub's JSON has it), as the secretary workspace does.
    pub async fn publish_meeting(
        &self,
        client: &reqwest::Client,
        token: &str,
        meeting: &Value,
        why: &str,
    ) {
        let id = meeting["id"].as_str().expect("the meeting has an id");
        let url = format!("{}/v1/meetings/{id}", self.url());
        as_secretary(client.put(url).json(meeting), token, why).await;
    }
}

/// The secretary (enrolled on `secretary`) replaces document `index` (in agenda order)
/// of the only meeting with `pdf`, a new version of `page_count` pages, through the
/// hub's API as the secretary workspace does. Returns the new version's hash.
pub async fn replace_document(
    hub: &HubProcess,
    secretary: &Laptop,
    index: usize,
    pdf: Vec<u8>,
    page_count: u32,
) -> String {
    use sha2::Digest;
    let sha256: String = sha2::Sha256::digest(&pdf)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let size = pdf.len();
    let client = hub.client();
    let token = secretary.token();
    hub.upload_blob(&client, &token, &sha256, pdf, "the new version is uploaded")
        .await;
    // The meeting as the hub has it now, so the version number follows the last one.
    secretary.run(&["sync"]);
    let mut meeting = secretary.only_meeting();
    let document = meeting["agenda"]
        .as_array_mut()
        .expect("an agenda")
        .iter_mut()
        .flat_map(|item| {
            item["documents"]
                .as_array_mut()
                .expect("documents")
                .iter_mut()
        })
        .nth(index)
        .expect("the meeting has that document");
    let number = document["current"]["number"]
        .as_u64()
        .expect("a version number")
        + 1;
    document["current"] = serde_json::json!({
        "number": number,
        "sha256": sha256,
        "sizeBytes": size,
        "pageCount": page_count,
        "fileName": format!("version-{number}.pdf"),
    });
    let why = "the secretary publishes the new version";
    hub.publish_meeting(&client, &token, &meeting, why).await;
    sha256
}

/// A loopback port nothing listens on now, for a server the test starts.
pub fn free_loopback_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free loopback port")
        .port()
}

/// Waits up to five seconds for `what` to listen on the loopback `port`.
pub fn wait_until_listening(port: u16, what: &str) {
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("{what} did not start listening on {port}");
}

/// An S3 server of the test's own (`s3s-fs`, which scripts/s3.sh installs), keeping its
/// buckets as folders under `root`, so that the test can stop it and start it again on
/// the same port and folder, as an object store restarts. It checks the keys the test
/// command exports (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`). Stopped when dropped.
pub struct S3Server {
    child: Option<Child>,
    port: u16,
    root: PathBuf,
}

impl S3Server {
    pub fn start(root: &Path) -> S3Server {
        let mut server = S3Server {
            child: None,
            port: free_loopback_port(),
            root: root.to_path_buf(),
        };
        server.restart();
        server
    }

    /// `http://127.0.0.1:PORT`, as a bucket's `endpoint=` names it.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Kills the server at once, as a crash or a pulled cable would stop it.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server (again) on its port and folder, and waits until it answers.
    pub fn restart(&mut self) {
        self.stop();
        let key = |name: &str| {
            std::env::var(name).unwrap_or_else(|_| panic!("{name} is set by the test command"))
        };
        let child = Command::new("s3s-fs")
            .args(["--host", "127.0.0.1", "--port", &self.port.to_string()])
            .args(["--access-key", &key("AWS_ACCESS_KEY_ID")])
            .args(["--secret-key", &key("AWS_SECRET_ACCESS_KEY")])
            .arg(&self.root)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("s3s-fs starts (scripts/s3.sh installs it)");
        self.child = Some(child);
        wait_until_listening(self.port, "s3s-fs");
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        self.stop();
    }
}
