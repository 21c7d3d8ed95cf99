//! The Quorum hub: enrolls devices, keeps the change feed each member pulls, stores
//! document blobs, takes in every device's outbox, and tells connected devices that
//! something changed. The HTTP API lives under `/v1` and speaks the JSON types of
//! [`quorum_core::protocol`]; the `quorum-hub` binary is a thin CLI over this library.
//!
//! Invariants:
//! - A member receives only what [`quorum_core::decide`] lets them see: no record, blob
//!   or change of another committee, and a meeting they may not see becomes
//!   `MeetingWithdrawn`. A blob they may not see answers 404, as if it did not exist.
//! - Secrets are stored hashed: enrollment codes and bearer tokens by SHA-256.
//! - Every write is one SQLite transaction; a change is appended in the same
//!   transaction as the record it carries, and the live channel is told only after
//!   commit. An operation's row and its device's `last_seq` commit together, so each
//!   operation id is applied at most once and a device's queue never skips a number.
//! - A blob is in `blobs/` under its SHA-256 only once its bytes were hashed to that
//!   value; a refused upload leaves no file behind.
//! - Every accepted ballot is appended to a hash-chained audit log, signature and all,
//!   and is never changed; nothing served links a member to a secret poll's choices.
//! - Polls open and close on the hub's clock only; what a deadline changes is published
//!   by a sweep ([`Hub::settle_polls_periodically`]), not by a device.
//! - No SQLite connection is held across an `.await`: all database work runs on
//!   blocking threads through [`Hub::with_store`].

mod admin;
mod anchors;
mod answer_sheets;
mod api;
mod appended;
mod audit;
mod backup;
mod blobs;
mod config;
mod db;
mod intake;
mod live;
mod migrate;
mod revocation;
mod secrets;
mod serving;
mod sheet;
mod signed_results;
mod store;
mod throttle;
mod tls;
mod votes;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use db::Db;
use quorum_core::protocol::{ChangeNotice, OperationResult};
use quorum_core::{Clock, CommitteeId, DeviceId, Member, MemberId, Operation, PollId};
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

pub use admin::{DEFAULT_CODE_VALIDITY, MemberCode, demo, open_for_admin};
pub use api::{ApiFailure, router};
pub use audit::{AuditBreak, AuditOutcome};
pub use backup::{BackupSummary, BadArchive, backup, restore};
pub use blobs::{BlobStore, BlobsAt};
pub use config::HubConfig;
pub use live::MAX_CHANNELS_PER_DEVICE;
pub use migrate::{Migrated, migrate};
pub use revocation::{Fetched, ListOutcome};
pub use secrets::{enrollment_code_hash, new_enrollment_code};
pub use serving::{ConnectionLimits, Transport, serve};
pub use sheet::EnrollmentSheet;
pub use signed_results::SignedResults;
pub use store::{Backends, DeviceRow, HubStore, Records, SCHEMA_VERSION, serde_name};
pub use tls::{HubCertificate, fingerprint_of};
pub use votes::{NamedBallot, PollResults};

/// Largest document blob the hub accepts.
pub const MAX_BLOB_BYTES: u64 = 1024 * 1024 * 1024;

/// Most operations one push may carry.
pub const MAX_OPERATIONS_PER_PUSH: usize = 500;

#[derive(Debug, thiserror::Error)]
pub enum HubError {
    #[error("cannot read or write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} was left as it is: {reason}")]
    Untouched {
        path: PathBuf,
        reason: quorum_sqlite::Untouched,
    },
    #[error("{path}: {detail}")]
    Config { path: PathBuf, detail: String },
    #[error("the enrollment sheet {path} could not be made: {detail}")]
    Sheet { path: PathBuf, detail: String },
    #[error("{path} was not restored: {reason}")]
    BadBackup {
        path: PathBuf,
        reason: backup::BadArchive,
    },
    #[error("the target database already holds a hub: migrate into an empty one")]
    MigrationTargetInUse,
    #[error("{0} already holds files: restore into a new, empty folder")]
    RestoreTargetInUse(PathBuf),
    #[error("the hub's {0} is damaged on this disk; no backup was written")]
    BadBackupSource(String),
    #[error("could not upgrade the hub database: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("database error: {0}")]
    Database(#[from] db::DbError),
    #[error("a stored record could not be read back: {0}")]
    Record(#[from] serde_json::Error),
    #[error("there is no committee {0}")]
    CommitteeNotFound(CommitteeId),
    #[error(transparent)]
    TimeZone(#[from] quorum_core::CommitteeTimeError),
    #[error("there is no member {0}")]
    MemberNotFound(MemberId),
    #[error("there is no device {0}")]
    DeviceNotFound(DeviceId),
    #[error("there is no poll {0}")]
    PollNotFound(PollId),
    #[error(
        "poll {0} is secret: its results are shown once it is closed and its grace period is over"
    )]
    ResultsNotFinal(PollId),
    #[error("the sample could not be loaded: {0}")]
    Sample(#[from] quorum_sample::SampleError),
    #[error("the sample meeting is invalid: {0}")]
    InvalidSample(#[from] quorum_core::MeetingError),
    #[error("{path} does not hash to {expected}; it was not stored")]
    FileHashMismatch { path: PathBuf, expected: String },
    #[error("the system has no randomness to offer: {0}")]
    Randomness(String),
    #[error("the document store failed: {0}")]
    Blobs(#[from] object_store::Error),
    #[error("a background task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
    #[error("the operations were not stored, and may be sent again: {0}")]
    NotCommitted(String),
    #[error("TLS: {0}")]
    Tls(String),
    #[error("the certificate was not trusted: {0}")]
    Certificate(#[from] quorum_signatures::TrustError),
    #[error("no trusted certificate has the fingerprint {0} (see `admin trust list`)")]
    NotTrusted(String),
    #[error("a trusted certificate is damaged in the database: {0}")]
    BadStoredCertificate(String),
}

/// Notices waiting for a slow live-channel reader before it skips ahead; a reader
/// that lags only needs the latest notice, since it then pulls everything.
const NOTICE_BACKLOG: usize = 64;

/// A running hub's shared state: its store, clock and live channel. Cheap to clone.
#[derive(Clone)]
pub struct Hub {
    inner: Arc<HubInner>,
}

struct HubInner {
    // The one writer, lent to one blocking task at a time: SQLite takes one writer
    // anyway, and a group of pushes takes the rows other writers wait on in one order.
    store: Mutex<HubStore>,
    /// Connections for reads that need not wait for the store's writer, kept between
    /// requests ([`Hub::with_reader`]), and a slot for each that may be open.
    readers: Mutex<Vec<Db>>,
    reader_slots: tokio::sync::Semaphore,
    data_dir: PathBuf,
    /// Where the records are: on PostgreSQL, also where other processes' notices come from.
    records: Records,
    blobs: blobs::BlobStore,
    clock: Arc<dyn Clock>,
    // Tagged with the committee whose record changed, so a committee's devices are not
    // woken by (or told the rhythm of) another committee's work.
    notices: broadcast::Sender<(CommitteeId, ChangeNotice)>,
    /// Where each committee's feed stood in the last notice sent, so that no change is
    /// announced twice (each notice makes every laptop of the committee pull).
    announced: Mutex<std::collections::HashMap<CommitteeId, u64>>,
    live: live::LiveChannels,
    throttle: throttle::Throttle,
    /// Balancers in front of the hub (`--trusted-proxy`): a request from one of them is
    /// counted against the address it forwards for (X-Forwarded-For), not its own.
    trusted_proxies: std::sync::OnceLock<Vec<std::net::IpAddr>>,
    shutdown: CancellationToken,
    /// Pushes waiting for the store; whoever takes it next applies them all at once.
    waiting_pushes: Mutex<Vec<intake::Waiting>>,
}

impl Hub {
    /// Opens (or creates) the data folder `data_dir`, its records in its SQLite file.
    pub fn open(data_dir: &Path, clock: Arc<dyn Clock>) -> Result<Self, HubError> {
        Self::open_with(data_dir, &Backends::default(), clock)
    }

    /// Opens (or creates) the data folder `data_dir`, its records and documents where
    /// `backends` says.
    pub fn open_with(
        data_dir: &Path,
        backends: &Backends,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, HubError> {
        let store = HubStore::open_with(data_dir, backends)?;
        let blobs = store.blobs().clone();
        let records = backends.records.clone();
        let (notices, _) = broadcast::channel(NOTICE_BACKLOG);
        Ok(Self {
            inner: Arc::new(HubInner {
                store: Mutex::new(store),
                readers: Mutex::default(),
                reader_slots: tokio::sync::Semaphore::new(READERS),
                data_dir: data_dir.to_path_buf(),
                records,
                blobs,
                clock,
                notices,
                announced: Mutex::default(),
                live: live::LiveChannels::default(),
                throttle: throttle::Throttle::default(),
                trusted_proxies: std::sync::OnceLock::new(),
                shutdown: CancellationToken::new(),
                waiting_pushes: Mutex::default(),
            }),
        })
    }

    /// The data folder's `blobs/`.
    pub fn blobs_dir(&self) -> &Path {
        self.inner.blobs.folder()
    }

    pub fn blobs(&self) -> &blobs::BlobStore {
        &self.inner.blobs
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.inner.clock.now()
    }

    /// Runs blocking database work on a blocking thread with the hub's connection and
    /// the current time.
    pub async fn with_store<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<HubError> + Send + 'static,
        F: FnOnce(&mut HubStore, DateTime<Utc>) -> Result<T, E> + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || {
            let now = inner.clock.now();
            // A panic inside a transaction rolled it back while unwinding, so the
            // connection is still sound after a poisoning.
            let mut store = inner
                .store
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            work(&mut store, now)
        })
        .await
        .map_err(|e| E::from(HubError::Task(e)))?
    }

    /// Runs blocking reads on a blocking thread with a reader connection (one of at most
    /// [`READERS`], opened the first time and kept), beside the store's writer, and the
    /// current time. What they read is the last committed state.
    pub(crate) async fn with_reader<T, F>(&self, work: F) -> Result<T, HubError>
    where
        T: Send + 'static,
        F: FnOnce(&Db, DateTime<Utc>) -> Result<T, HubError> + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        let _slot = self
            .inner
            .reader_slots
            .acquire()
            .await
            .expect("the reader slots are never closed");
        tokio::task::spawn_blocking(move || {
            let kept = lock_readers(&inner).pop();
            let reader = match kept {
                Some(reader) => reader,
                None => store::open_reader(&inner.data_dir, &inner.records)?,
            };
            let done = work(&reader, inner.clock.now());
            lock_readers(&inner).push(reader);
            done
        })
        .await
        .map_err(HubError::Task)?
    }

    /// Applies a device's push, in one durable transaction with the pushes that arrived
    /// while the store was busy (group commit), and wakes the committee's live channels
    /// when it applied something. Answers each operation's outcome once it is on disk.
    /// The signatures are checked first, against the device's `public_key`, before the
    /// store is taken: they are most of a ballot's cost, and requests check theirs in
    /// parallel.
    pub async fn push(
        &self,
        device_id: DeviceId,
        member: Member,
        public_key: String,
        operations: Vec<Operation>,
    ) -> Result<Vec<OperationResult>, HubError> {
        let committee_id = member.committee_id;
        let (operations, signed) = if intake::carries_signatures(&operations) {
            tokio::task::spawn_blocking(move || {
                let signed = intake::signed_by_device(&operations, &public_key);
                (operations, signed)
            })
            .await
            .map_err(HubError::Task)?
        } else {
            (operations, std::collections::HashSet::new())
        };
        let (answer, answered) = tokio::sync::oneshot::channel();
        lock_waiting(&self.inner).push(intake::Waiting {
            device_id,
            member,
            operations,
            signed,
            answer,
        });
        let inner = Arc::clone(&self.inner);
        // Whoever holds the store next takes every push waiting by then; this one may be
        // applied by an earlier caller's turn, and then there is nothing left to do.
        self.with_store(move |store, now| {
            let waiting = std::mem::take(&mut *lock_waiting(&inner));
            if !waiting.is_empty() {
                intake::push_together(store, waiting, now);
            }
            Ok::<_, HubError>(())
        })
        .await?;
        let pushed = answered
            .await
            .map_err(|_| HubError::NotCommitted("the push was dropped unanswered".into()))??;
        if let Some(seq) = pushed.latest_seq {
            self.notify(committee_id, seq);
        }
        Ok(pushed.results)
    }

    /// Tells the live-channel listeners of `committee_id` that its feed reached `latest_seq`.
    /// A feed no further on than a notice already sent is not announced again.
    pub fn notify(&self, committee_id: CommitteeId, latest_seq: u64) {
        let mut announced = self
            .inner
            .announced
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let known = announced.entry(committee_id).or_default();
        if latest_seq <= *known {
            return;
        }
        *known = latest_seq;
        drop(announced);
        // No listener is not an error: the live channel is only an accelerator.
        let _ = self
            .inner
            .notices
            .send((committee_id, ChangeNotice { latest_seq }));
    }

    pub(crate) fn live(&self) -> &live::LiveChannels {
        &self.inner.live
    }

    pub(crate) fn throttle(&self) -> &throttle::Throttle {
        &self.inner.throttle
    }

    /// Trusts the balancers at `proxies` to say whom they forward for; set once, before
    /// serving. Without it, a forwarded-for header is ignored: anyone could send one.
    pub fn trust_proxies(&self, proxies: Vec<std::net::IpAddr>) {
        let _ = self.inner.trusted_proxies.set(proxies);
    }

    pub(crate) fn trusted_proxies(&self) -> &[std::net::IpAddr] {
        self.inner.trusted_proxies.get().map_or(&[], Vec::as_slice)
    }

    pub fn subscribe(&self) -> broadcast::Receiver<(CommitteeId, ChangeNotice)> {
        self.inner.notices.subscribe()
    }

    /// Announces on the live channel the changes this process did not make itself (the
    /// admin CLI, or another hub process on the same data), and closes the live channels
    /// of devices revoked meanwhile, checking every `period` until shutdown. What the API
    /// or another process's notice already announced is not announced again.
    pub async fn announce_outside_changes(self, period: std::time::Duration) {
        // What stands at the start is no news.
        match self.with_reader(|conn, _| store::feed_heads(conn)).await {
            Ok(heads) => {
                for (committee_id, latest) in heads {
                    self.notify(committee_id, latest);
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot watch the change feed");
                return;
            }
        }
        let mut ticks = self.ticks(period);
        while ticks.next().await {
            let listening = self.live().devices();
            let changed = self
                .with_reader(move |conn, _| {
                    let heads = store::feed_heads(conn)?;
                    let revoked = store::revoked_among(conn, &listening)?;
                    Ok((heads, revoked))
                })
                .await;
            match changed {
                Ok((heads, revoked)) => {
                    for (committee_id, latest) in heads {
                        self.notify(committee_id, latest);
                    }
                    for device_id in revoked {
                        self.live().close_device(device_id);
                    }
                }
                Err(e) => tracing::warn!(error = %e, "cannot read the change feed; will retry"),
            }
        }
    }

    /// Wakes this process's live channels as soon as another hub process on the same
    /// PostgreSQL database changes a feed (its NOTIFY on commit), until shutdown; the
    /// periodic check of the feed heads ([`Hub::announce_outside_changes`]) stays, since
    /// a notice sent while this process was not listening is not sent again. Nothing to
    /// do on SQLite, which one process serves.
    pub async fn hear_other_processes(self) {
        let Records::Postgres(url) = self.inner.records.clone() else {
            return;
        };
        let own = match self
            .with_store(|store, _| Ok::<_, HubError>(store.conn.backend_pid()?))
            .await
        {
            Ok(own) => own,
            Err(error) => {
                tracing::error!(%error, "cannot listen for other hub processes");
                return;
            }
        };
        let listening = tokio::task::spawn_blocking(move || {
            while !self.inner.shutdown.is_cancelled() {
                let heard = db::listen_for_feed_notices(
                    &url,
                    own,
                    || self.inner.shutdown.is_cancelled(),
                    |committee_id, seq| {
                        if let Ok(committee_id) = committee_id.parse() {
                            self.notify(committee_id, seq);
                        }
                    },
                );
                if let Err(error) = heard {
                    tracing::warn!(%error, "not hearing other hub processes; will retry");
                    std::thread::sleep(std::time::Duration::from_secs(1));
                }
            }
        });
        if let Err(error) = listening.await {
            tracing::error!(%error, "the listener for other hub processes stopped");
        }
    }

    /// Publishes, every `period` until shutdown, the polls a deadline closed and the
    /// results that became final, so they reach members without anyone acting.
    pub async fn settle_polls_periodically(self, period: std::time::Duration) {
        let mut ticks = self.ticks(period);
        while ticks.next().await {
            if let Err(e) = self.with_store(|store, now| store.settle_polls(now)).await {
                tracing::warn!(error = %e, "cannot settle polls; will retry");
            }
        }
    }

    /// Fetches the revocation lists of the documents' signers every `period` until
    /// shutdown, the first round at start; documents are read and lists fetched without
    /// the store's writer, and the laptops hear of a new list as of any outside change.
    pub async fn check_revocation_periodically(self, period: std::time::Duration) {
        let mut ticks = self.ticks(period);
        while ticks.next().await {
            let hub = self.clone();
            let found = self
                .with_reader(move |conn, now| {
                    revocation::revocation_sources_of(conn, &hub.inner.blobs, now)
                })
                .await;
            let (anchors, sources) = match found {
                Ok(found) => found,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read the documents' signers; will retry");
                    continue;
                }
            };
            if sources.is_empty() {
                continue;
            }
            let fetched = revocation::fetch_lists(&sources).await;
            let kept = self
                .with_store(move |store, now| {
                    revocation::keep_lists(&mut store.conn, &anchors, &sources, fetched, now)
                })
                .await;
            match kept {
                Ok(outcomes) => tracing::info!(lists = outcomes.len(), "revocation lists checked"),
                Err(e) => {
                    tracing::warn!(error = %e, "cannot keep the revocation lists; will retry")
                }
            }
        }
    }

    /// Ticks every `period` until shutdown.
    fn ticks(&self, period: std::time::Duration) -> Ticks {
        let mut interval = tokio::time::interval(period);
        // A late tick waits rather than bunching up.
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        Ticks {
            interval,
            stop: Box::pin(self.shutting_down()),
        }
    }

    /// Ends every live channel, which would otherwise keep a draining server open forever.
    pub fn begin_shutdown(&self) {
        self.inner.shutdown.cancel();
    }

    /// Completes once [`Hub::begin_shutdown`] was called.
    pub fn shutting_down(&self) -> tokio_util::sync::WaitForCancellationFutureOwned {
        self.inner.shutdown.clone().cancelled_owned()
    }
}

/// Reader connections a hub process may hold: enough that requests of many laptops at
/// once do not wait long for one, few enough that several processes stay well within a
/// PostgreSQL server's connections.
const READERS: usize = 8;

fn lock_readers(inner: &HubInner) -> std::sync::MutexGuard<'_, Vec<Db>> {
    inner
        .readers
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn lock_waiting(inner: &HubInner) -> std::sync::MutexGuard<'_, Vec<intake::Waiting>> {
    // Pushes are only ever added or taken whole; a panic elsewhere leaves the list sound.
    inner
        .waiting_pushes
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A periodic task's clock: it ticks until the hub shuts down.
struct Ticks {
    interval: tokio::time::Interval,
    stop: std::pin::Pin<Box<tokio_util::sync::WaitForCancellationFutureOwned>>,
}

impl Ticks {
    /// Waits for the next tick; false once the hub is shutting down.
    async fn next(&mut self) -> bool {
        tokio::select! {
            () = &mut self.stop => false,
            _ = self.interval.tick() => true,
        }
    }
}
