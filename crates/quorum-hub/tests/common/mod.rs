//! A real hub on 127.0.0.1:0 over HTTPS, with a data folder in a temp dir, and a
//! committee to test it with. The server task stops when the `TestHub` is dropped.

#![allow(dead_code)] // each test file uses a different part of this kit

pub mod votes;

use std::collections::BTreeMap;
use std::fmt::Display;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use ed25519_dalek::{Signer, SigningKey};
use futures_util::StreamExt;
use quorum_core::protocol::{
    ApiError, EnrollRequest, EnrollResponse, Outcome, PushRequest, PushResponse,
};
use quorum_core::{
    AgendaItem, AgendaItemId, Committee, CommitteeId, Document, DocumentId, DocumentVersion,
    Meeting, MeetingId, MeetingStatus, Member, MemberId, Operation, Role, Sha256Hex, SystemClock,
};
use quorum_hub::Hub;
use reqwest::StatusCode;
use sha2::{Digest, Sha256};
use tempfile::TempDir;

/// The hub's clock in tests: the wall clock, moved forward when a test says so, so a
/// deadline or grace period passes without the test waiting for it.
#[derive(Clone, Default)]
pub struct TestClock {
    ahead_ms: Arc<std::sync::atomic::AtomicI64>,
}

impl TestClock {
    pub fn advance(&self, by: chrono::Duration) {
        self.ahead_ms
            .fetch_add(by.num_milliseconds(), std::sync::atomic::Ordering::SeqCst);
    }
}

impl quorum_core::Clock for TestClock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        let ahead = self.ahead_ms.load(std::sync::atomic::Ordering::SeqCst);
        SystemClock.now() + chrono::Duration::milliseconds(ahead)
    }
}

/// Where a test hub keeps its records and documents: its data folder, unless
/// `QUORUM_TEST_HUB_DATABASE=postgres` (a fresh database on the test PostgreSQL server)
/// or `QUORUM_TEST_HUB_BLOBS=s3` (a fresh bucket on the test S3 server), so the whole
/// suite runs on every backend. The test command starts both servers.
pub fn test_backends() -> quorum_hub::Backends {
    quorum_hub::Backends {
        records: test_records(),
        blobs: test_blobs(),
    }
}

/// The backends each data folder of this test process keeps its records and documents
/// in, so that every hub opened on a folder (in this process or as `quorum-hub`) finds
/// the same ones.
static BACKENDS_OF: std::sync::Mutex<BTreeMap<PathBuf, quorum_hub::Backends>> =
    std::sync::Mutex::new(BTreeMap::new());

/// The backends of the data folder `data`: fresh ones ([`test_backends`]) the first time.
pub fn backends_of(data: &Path) -> quorum_hub::Backends {
    let mut known = BACKENDS_OF.lock().unwrap_or_else(|p| p.into_inner());
    known
        .entry(data.to_path_buf())
        .or_insert_with(test_backends)
        .clone()
}

/// The `--database` and `--blobs` values that name `backends` on the hub's command line.
pub fn backend_arguments(backends: &quorum_hub::Backends) -> (String, String) {
    let database = match &backends.records {
        quorum_hub::Records::InDataFolder => "sqlite:".to_string(),
        quorum_hub::Records::Postgres(url) => url.clone(),
    };
    let blobs = match &backends.blobs {
        quorum_hub::BlobsAt::InDataFolder => "file:".to_string(),
        quorum_hub::BlobsAt::S3 {
            bucket,
            endpoint,
            region,
        } => {
            let endpoint = endpoint
                .as_ref()
                .map_or(String::new(), |url| format!("endpoint={url}&"));
            format!("s3://{bucket}?{endpoint}region={region}")
        }
    };
    (database, blobs)
}

/// A fresh bucket on the S3 server at `QUORUM_TEST_S3` (serving the folder
/// `QUORUM_TEST_S3_ROOT`, a bucket per subfolder), when `QUORUM_TEST_HUB_BLOBS=s3`.
fn test_blobs() -> quorum_hub::BlobsAt {
    if std::env::var("QUORUM_TEST_HUB_BLOBS").as_deref() != Ok("s3") {
        return quorum_hub::BlobsAt::InDataFolder;
    }
    let endpoint =
        std::env::var("QUORUM_TEST_S3").expect("QUORUM_TEST_S3 names the test S3 server");
    let bucket = format!("hub-{}", uuid::Uuid::now_v7().simple());
    std::fs::create_dir(s3_root().join(&bucket)).expect("a fresh bucket");
    quorum_hub::BlobsAt::S3 {
        bucket,
        endpoint: Some(endpoint),
        region: "us-east-1".into(),
    }
}

fn s3_root() -> PathBuf {
    PathBuf::from(
        std::env::var("QUORUM_TEST_S3_ROOT").expect("QUORUM_TEST_S3_ROOT: the S3 server's folder"),
    )
}

fn test_records() -> quorum_hub::Records {
    if std::env::var("QUORUM_TEST_HUB_DATABASE").as_deref() != Ok("postgres") {
        return quorum_hub::Records::InDataFolder;
    }
    let server = std::env::var("QUORUM_TEST_POSTGRES")
        .expect("QUORUM_TEST_POSTGRES names the test PostgreSQL server");
    let name = format!("hub_{}", uuid::Uuid::now_v7().simple());
    // The blocking client may not run on a thread that drives async tasks.
    let create = server.clone();
    let created = name.clone();
    std::thread::spawn(move || {
        let mut client = postgres::Client::connect(&create, postgres::NoTls)
            .expect("the test PostgreSQL server answers");
        client
            .batch_execute(&format!("CREATE DATABASE {created}"))
            .expect("a fresh database");
    })
    .join()
    .expect("the database is made");
    let base = server
        .rsplit_once('/')
        .map_or(server.as_str(), |(base, _)| base);
    quorum_hub::Records::Postgres(format!("{base}/{name}{}", database_tls()))
}

/// How a hub reaches the test PostgreSQL server: over TLS, trusting the certificate
/// authority the test command made for it (`QUORUM_TEST_PG_CA`), as a city's hub
/// reaches its database server.
pub fn database_tls() -> String {
    std::env::var("QUORUM_TEST_PG_CA")
        .map(|ca| format!("?sslmode=require&sslrootcert={ca}"))
        .unwrap_or_default()
}

/// A hub's database URL as the test kit itself connects, to look behind the hub's back.
pub fn kit_url(url: &str) -> &str {
    url.split_once('?').map_or(url, |(plain, _)| plain)
}

/// The first column of each row `sql` selects from the records of the data folder
/// `data` (wherever [`backends_of`] keeps them), read with a fresh connection.
pub fn first_column<T>(data: &Path, sql: &str) -> Vec<T>
where
    T: rusqlite::types::FromSql + for<'a> postgres::types::FromSql<'a> + Send,
{
    match backends_of(data).records {
        quorum_hub::Records::InDataFolder => {
            let conn = rusqlite::Connection::open(data.join("hub.sqlite3"))
                .expect("the hub database opens");
            let mut statement = conn.prepare(sql).expect("the query is valid");
            let rows = statement
                .query_map([], |row| row.get(0))
                .expect("the query runs");
            rows.map(|row| row.expect("the row reads")).collect()
        }
        quorum_hub::Records::Postgres(url) => off_async(|| {
            let mut client = postgres::Client::connect(kit_url(&url), postgres::NoTls)
                .expect("the hub database answers");
            let rows = client.query(sql, &[]).expect("the query runs");
            rows.iter().map(|row| row.get(0)).collect()
        }),
    }
}

/// Runs `work` on a thread of its own: opening a store on PostgreSQL blocks, which a
/// thread driving async tasks may not.
pub fn off_async<T: Send>(work: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|scope| scope.spawn(work).join().expect("the work finishes"))
}

pub struct TestHub {
    pub base: String,
    pub hub: Hub,
    pub clock: TestClock,
    /// Pinned to this hub's certificate, as an enrolled laptop is.
    pub client: reqwest::Client,
    pub fingerprint: String,
    pub dir: TempDir,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for TestHub {
    fn drop(&mut self) {
        self.hub.begin_shutdown();
        self.server.abort();
    }
}

/// A committee with one member of each role, each holding a fresh enrollment code.
pub struct Committee4 {
    pub committee: Committee,
    pub secretary: (Member, String),
    pub chair: (Member, String),
    pub member: (Member, String),
    pub observer: (Member, String),
}

/// An enrollment with `code`, signed by `key` as a laptop signs it.
pub fn enroll_request(code: &str, key: &SigningKey) -> EnrollRequest {
    EnrollRequest {
        code: code.to_string(),
        public_key: hex::encode(key.verifying_key().to_bytes()),
        signature: hex::encode(key.sign(code.as_bytes()).to_bytes()),
        device_name: "Laptop phòng họp".into(),
    }
}

pub fn device_key() -> SigningKey {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).expect("the OS has randomness");
    SigningKey::from_bytes(&seed)
}

/// An HTTP client that trusts only the hub certificate with `fingerprint`.
pub fn pinned_client(fingerprint: &str) -> reqwest::Client {
    quorum_sync::tls::pinned_http_client(fingerprint).expect("a client pinned to the hub")
}

pub fn sha256_of(bytes: &[u8]) -> Sha256Hex {
    Sha256Hex::from_digest(&Sha256::digest(bytes).into())
}

/// Sends `request`; the hub must answer it, whatever the status.
pub async fn answer(request: reqwest::RequestBuilder) -> reqwest::Response {
    request.send().await.expect("the hub answers")
}

/// Asserts that the hub answered with `status`; `why` says what that status means here.
#[track_caller]
pub fn assert_status(response: &reqwest::Response, status: StatusCode, why: impl Display) {
    assert_eq!(response.status(), status, "{why}");
}

/// Asserts that the hub's answer is an [`ApiError`] with `code`; `why` says what it tells.
pub async fn assert_error_code(response: reqwest::Response, code: &str, why: impl Display) {
    assert_eq!(api_error(response).await.code, code, "{why}");
}

impl TestHub {
    pub async fn start() -> Self {
        Self::start_with(quorum_hub::ConnectionLimits::default()).await
    }

    pub async fn start_with(limits: quorum_hub::ConnectionLimits) -> Self {
        let dir = tempfile::tempdir().expect("a temp dir for the hub's data");
        let clock = TestClock::default();
        let backends = backends_of(dir.path());
        let hub = off_async(|| Hub::open_with(dir.path(), &backends, Arc::new(clock.clone())))
            .expect("a fresh data folder opens");
        let certificate = quorum_hub::HubCertificate::load_or_create(dir.path(), None)
            .expect("the hub makes its certificate");
        let transport = quorum_hub::Transport::Tls(
            certificate
                .server_config()
                .expect("the certificate fits its key"),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free loopback port");
        let address = listener
            .local_addr()
            .expect("a bound listener has an address");
        let serving = hub.clone();
        let server = tokio::spawn(async move {
            let _ = quorum_hub::serve(listener, serving, transport, limits, std::future::pending())
                .await;
        });
        let fingerprint = certificate.fingerprint().to_string();
        Self {
            base: format!("https://{address}/v1"),
            hub,
            clock,
            client: pinned_client(&fingerprint),
            fingerprint,
            dir,
            server,
        }
    }

    /// Revokes a device, as `quorum-hub admin revoke-device` does.
    pub async fn revoke(&self, device_id: quorum_core::DeviceId) {
        self.hub
            .with_store(move |store, _| store.revoke_device(device_id, &SystemClock))
            .await
            .expect("the device is revoked");
    }

    /// Where this hub keeps its records and documents.
    pub fn backends(&self) -> quorum_hub::Backends {
        backends_of(self.dir.path())
    }

    pub fn address(&self) -> &str {
        self.base
            .trim_start_matches("https://")
            .trim_end_matches("/v1")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn db_path(&self) -> PathBuf {
        self.dir.path().join("hub.sqlite3")
    }

    /// Counts rows with a fresh connection, as an outside observer of the database would.
    pub fn count(&self, sql: &str) -> i64 {
        self.first_value(sql)
    }

    /// The first column of the first row `sql` selects, read with a fresh connection.
    pub fn first_value<T>(&self, sql: &str) -> T
    where
        T: rusqlite::types::FromSql + for<'a> postgres::types::FromSql<'a> + Send,
    {
        first_column(self.dir.path(), sql)
            .into_iter()
            .next()
            .expect("the query selects a row")
    }

    /// Runs `sql` (one or more statements) on the hub's database with a connection of
    /// its own, as someone with access to the database but not the hub would.
    pub fn execute_behind_its_back(&self, sql: &str) -> Result<(), String> {
        match &self.backends().records {
            quorum_hub::Records::InDataFolder => rusqlite::Connection::open(self.db_path())
                .and_then(|conn| conn.execute_batch(sql))
                .map_err(|e| e.to_string()),
            quorum_hub::Records::Postgres(url) => off_async(|| {
                postgres::Client::connect(kit_url(url), postgres::NoTls)
                    .and_then(|mut client| client.batch_execute(sql))
                    .map_err(|e| e.to_string())
            }),
        }
    }

    /// Another hub process on this one's records and documents, not serving: only its
    /// store and its live-channel notices.
    pub fn another_process(&self) -> Hub {
        let data = tempfile::tempdir().expect("its own data folder");
        let hub = off_async(|| {
            Hub::open_with(
                data.path(),
                &self.backends(),
                Arc::new(TestClock::default()),
            )
        })
        .expect("a second process opens the same records");
        // Its data folder only stages uploads; it may go with the test.
        std::mem::forget(data);
        hub
    }

    /// The documents' files where the hub keeps them (its folder, or its bucket's folder
    /// on the test S3 server), as paths below that folder.
    pub fn document_files(&self) -> Vec<PathBuf> {
        let folder = match &self.backends().blobs {
            quorum_hub::BlobsAt::InDataFolder => self.dir.path().join("blobs"),
            quorum_hub::BlobsAt::S3 { bucket, .. } => s3_root().join(bucket),
        };
        let mut files = Vec::new();
        let mut folders = vec![folder.clone()];
        while let Some(next) = folders.pop() {
            for entry in std::fs::read_dir(&next)
                .expect("the folder lists")
                .flatten()
            {
                let path = entry.path();
                if path.is_dir() {
                    folders.push(path);
                } else {
                    files.push(path.strip_prefix(&folder).expect("below it").to_path_buf());
                }
            }
        }
        files.sort();
        files
    }

    /// Runs `work` on the data folder opened as `quorum-hub`'s admin commands open it.
    pub fn admin<T: Send>(&self, work: impl FnOnce(&mut quorum_hub::HubStore) -> T + Send) -> T {
        off_async(|| {
            let mut store = quorum_hub::open_for_admin(self.dir.path(), &self.backends())
                .expect("the data folder opens");
            work(&mut store)
        })
    }

    /// Asserts that `table` holds `expected` rows; `why` says what that shows.
    #[track_caller]
    pub fn assert_rows(&self, table: &str, expected: i64, why: &str) {
        let rows = self.count(&format!("SELECT COUNT(*) FROM {table}"));
        assert_eq!(rows, expected, "{why}");
    }

    /// A fresh hub with one committee, named `name`.
    pub async fn with_committee(name: &str) -> (Self, Committee4) {
        let hub = Self::start().await;
        let committee = hub.add_committee(name).await;
        (hub, committee)
    }

    /// A fresh hub with two committees, A and B.
    pub async fn with_two_committees() -> (Self, Committee4, Committee4) {
        let (hub, a) = Self::with_committee("UBND quận Sông Hàn").await;
        let b = hub.add_committee("UBND quận Núi Thành").await;
        (hub, a, b)
    }

    /// The newest number in `committee_id`'s feed.
    pub async fn latest_seq(&self, committee_id: CommitteeId) -> u64 {
        self.hub
            .with_store(move |store, _| store.latest_seq(committee_id))
            .await
            .expect("the feed can be read")
    }

    pub async fn add_committee(&self, name: &str) -> Committee4 {
        let name = name.to_string();
        self.hub
            .with_store(move |store, _| {
                let clock = SystemClock;
                let committee =
                    store.add_committee(&name, quorum_core::DEFAULT_TIME_ZONE, &clock)?;
                let mut add = |role: Role, full_name: &str| {
                    store
                        .add_member(
                            committee.id,
                            full_name,
                            role,
                            "Ủy viên",
                            quorum_hub::DEFAULT_CODE_VALIDITY,
                            &clock,
                        )
                        .map(|added| (added.member, added.code))
                };
                let secretary = add(Role::Secretary, "Phạm Thu Dung")?;
                let chair = add(Role::Chair, "Nguyễn Văn An")?;
                let member = add(Role::Member, "Trần Thị Bích")?;
                let observer = add(Role::Observer, "Võ Minh Đức")?;
                Ok::<_, quorum_hub::HubError>(Committee4 {
                    committee,
                    secretary,
                    chair,
                    member,
                    observer,
                })
            })
            .await
            .expect("the committee and its members are stored")
    }

    pub async fn try_enroll(&self, code: &str, key: &SigningKey) -> reqwest::Response {
        self.enroll_request(&enroll_request(code, key)).await
    }

    /// [`TestHub::try_enroll`] with an X-Forwarded-For header, as a balancer sends it.
    pub async fn try_enroll_for(
        &self,
        forwarded_for: &str,
        code: &str,
        key: &SigningKey,
    ) -> reqwest::Response {
        let request = self
            .client
            .post(self.url("/enroll"))
            .header("x-forwarded-for", forwarded_for)
            .json(&enroll_request(code, key));
        answer(request).await
    }

    /// Sends an enrollment request as it is, well-formed or not.
    pub async fn enroll_request(&self, request: &impl serde::Serialize) -> reqwest::Response {
        answer(self.client.post(self.url("/enroll")).json(request)).await
    }

    /// Binds a laptop's profile to this hub as the holder of `code`, the way the window
    /// and `quorum enroll` do.
    pub async fn enroll_profile(&self, profile: &quorum_sync::Profile, code: &str) {
        let url = self.base.trim_end_matches("/v1");
        let clock = quorum_core::SystemClock;
        quorum_sync::enroll(
            profile,
            url,
            code,
            Some(&self.fingerprint),
            "Laptop",
            &clock,
        )
        .await
        .expect("a fresh code enrolls");
    }

    /// Enrolls a new device with `code`; returns its token.
    pub async fn enroll(&self, code: &str) -> EnrollResponse {
        self.enroll_with_key(code, &device_key()).await
    }

    /// Enrolls a new device holding `key`, which then signs its ballots.
    pub async fn enroll_with_key(&self, code: &str, key: &SigningKey) -> EnrollResponse {
        let response = self.try_enroll(code, key).await;
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "a fresh code with a valid signature enrolls"
        );
        response.json().await.expect("an EnrollResponse")
    }

    /// Stores `bytes` at their address with `token`, which may be refused.
    pub async fn try_upload(&self, token: &str, bytes: Vec<u8>) -> reqwest::Response {
        let address = self.url(&format!("/blobs/{}", sha256_of(&bytes)));
        answer(self.client.put(address).bearer_auth(token).body(bytes)).await
    }

    pub async fn upload(&self, token: &str, bytes: Vec<u8>) -> Sha256Hex {
        let sha = sha256_of(&bytes);
        let response = self.try_upload(token, bytes).await;
        assert_status(
            &response,
            StatusCode::OK,
            "the secretary may upload a blob whose bytes match its address",
        );
        sha
    }

    /// Uploads a document of `size` bytes with the secretary's `token`, then publishes a
    /// meeting of `committee_id` with it, inviting `invitees`. Returns the meeting as
    /// sent, the hub's answer to it, and the document.
    pub async fn publish_with_document(
        &self,
        token: &str,
        committee_id: CommitteeId,
        invitees: Vec<MemberId>,
        size: usize,
    ) -> (Meeting, reqwest::Response, Vec<u8>) {
        let bytes = document_bytes(size);
        let sha256 = self.upload(token, bytes.clone()).await;
        let meeting = meeting_with_document(committee_id, invitees, sha256, bytes.len() as u64);
        let response = self.put_meeting(token, &meeting).await;
        (meeting, response, bytes)
    }

    /// Publishes, as `committee`'s secretary, a meeting with one document of `size`
    /// bytes inviting all four members; returns it, the document, the secretary's token.
    pub async fn publish_meeting(
        &self,
        committee: &Committee4,
        size: usize,
    ) -> (Meeting, Vec<u8>, String) {
        let secretary = self.enroll(&committee.secretary.1).await;
        let invitees = [
            &committee.secretary,
            &committee.chair,
            &committee.member,
            &committee.observer,
        ]
        .map(|(member, _)| member.id)
        .to_vec();
        let (meeting, stored, bytes) = self
            .publish_with_document(&secretary.token, committee.committee.id, invitees, size)
            .await;
        assert_status(&stored, StatusCode::OK, "the meeting is published");
        (meeting, bytes, secretary.token)
    }

    pub async fn put_meeting(&self, token: &str, meeting: &Meeting) -> reqwest::Response {
        let path = self.url(&format!("/meetings/{}", meeting.id));
        answer(self.client.put(path).bearer_auth(token).json(meeting)).await
    }

    pub async fn get(&self, token: &str, path: &str) -> reqwest::Response {
        answer(self.client.get(self.url(path)).bearer_auth(token)).await
    }

    /// Pushes `operations` with the device's `token`; answers their outcomes, in order.
    pub async fn push_as(&self, token: &str, operations: Vec<Operation>) -> Vec<Outcome> {
        let push = self.client.post(self.url("/operations")).bearer_auth(token);
        let response = answer(push.json(&PushRequest { operations })).await;
        assert_status(
            &response,
            StatusCode::OK,
            "a well-formed push is answered per operation",
        );
        let body: PushResponse = response.json().await.expect("a PushResponse");
        body.results.into_iter().map(|r| r.outcome).collect()
    }
}

pub async fn api_error(response: reqwest::Response) -> ApiError {
    response
        .json()
        .await
        .expect("every error body is an ApiError")
}

/// A published meeting of `committee_id` with one document, inviting `invitees`.
pub fn meeting_with_document(
    committee_id: CommitteeId,
    invitees: Vec<MemberId>,
    sha256: Sha256Hex,
    size_bytes: u64,
) -> Meeting {
    Meeting {
        id: MeetingId::new_v7(),
        committee_id,
        title: "Phiên họp thường kỳ tháng 12".into(),
        starts_at: chrono::DateTime::UNIX_EPOCH + chrono::Duration::days(20_800),
        location: "Phòng họp số 1".into(),
        status: MeetingStatus::Published,
        version: 0,
        invitees,
        agenda: vec![AgendaItem {
            id: AgendaItemId::new_v7(),
            title: "Báo cáo kinh tế - xã hội".into(),
            presenter: "Văn phòng".into(),
            planned_minutes: 30,
            documents: vec![Document {
                id: DocumentId::new_v7(),
                title: "Báo cáo".into(),
                current: DocumentVersion {
                    number: 1,
                    sha256,
                    size_bytes,
                    page_count: 3,
                    file_name: "bao-cao.pdf".into(),
                },
            }],
        }],
    }
}

/// Bytes that differ at every offset, so a wrong slice cannot pass for the right one.
pub fn document_bytes(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + i / 251) as u8).collect()
}

/// Collects a live channel's text until it holds `needle`, or fails after a while.
pub async fn read_until<S, B>(stream: &mut S, received: &mut String, needle: &str)
where
    S: futures_util::Stream<Item = reqwest::Result<B>> + Unpin,
    B: AsRef<[u8]>,
{
    tokio::time::timeout(Duration::from_secs(10), async {
        while !received.contains(needle) {
            let chunk = stream
                .next()
                .await
                .expect("the channel stays open")
                .expect("the channel delivers bytes");
            received.push_str(&String::from_utf8_lossy(chunk.as_ref()));
        }
    })
    .await
    .unwrap_or_else(|_| panic!("{needle:?} arrives in time; got {received:?}"));
}
