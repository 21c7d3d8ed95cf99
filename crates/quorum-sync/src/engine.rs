//! One round of sync (push, pull, prefetch) and the background loop around it.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use quorum_core::protocol::{DeviceStatus, PushRequest};
use quorum_core::{Clock, Meeting, Sha256Hex};
use quorum_store::{Store, StoreError};
use serde::Serialize;
use tokio::sync::{Notify, watch};
use tracing::{info, instrument, warn};
use ts_rs::TS;

use crate::blobs::fetch_blob;
use crate::decide::{
    ProgressGate, connection_after, judge_push, live_channel_again_in, next_round_in,
    publication_problem, within_one_body,
};
use crate::hub::{Hub, HubClient};
use crate::{Profile, Result, SyncError};

/// Operations sent in one request; the hub accepts up to 500.
const PUSH_BATCH: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Connection {
    /// No attempt yet.
    #[default]
    Unknown,
    Online,
    Offline,
}

/// Why sync cannot go on until someone acts, for the window to say in words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum SyncProblem {
    /// The hub shows another certificate than the one pinned at enrollment.
    CertificateMismatch,
    /// The hub no longer accepts this laptop (revoked).
    Unauthorized,
}

impl SyncProblem {
    fn of(error: &SyncError) -> Option<Self> {
        match error {
            SyncError::CertificateMismatch { .. } => Some(Self::CertificateMismatch),
            SyncError::Unauthorized => Some(Self::Unauthorized),
            _ => None,
        }
    }
}

/// What the window shows about sync: online or not, download progress, when it last
/// synced, what waits in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatus {
    pub connection: Connection,
    pub syncing: bool,
    #[ts(type = "number")]
    pub bytes_to_download: u64,
    #[ts(type = "number")]
    pub bytes_downloaded: u64,
    pub last_synced_at: Option<DateTime<Utc>>,
    #[ts(type = "number")]
    pub pending_operations: u64,
    #[ts(type = "number")]
    pub rejected_operations: u64,
    #[ts(type = "number")]
    pub documents_total: u64,
    #[ts(type = "number")]
    pub documents_present: u64,
    pub last_error: Option<String>,
    pub problem: Option<SyncProblem>,
}

impl SyncStatus {
    /// The part of the status the store knows, without asking the hub.
    pub fn from_store(store: &Store) -> quorum_store::Result<Self> {
        let mut status = Self::default();
        status.refresh_from(store)?;
        Ok(status)
    }

    fn refresh_from(&mut self, store: &Store) -> quorum_store::Result<()> {
        let pack = store.pack_progress()?;
        self.last_synced_at = store.last_synced()?;
        self.pending_operations = store.pending_count()?;
        self.rejected_operations = store.rejected_operations()?.len() as u64;
        self.documents_total = pack.documents_total;
        self.documents_present = pack.documents_present;
        Ok(())
    }
}

/// What one round of sync did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncReport {
    pub operations_applied: u64,
    pub operations_duplicate: u64,
    pub operations_rejected: u64,
    pub changes_applied: u64,
    pub blobs_fetched: u64,
    pub bytes_downloaded: u64,
    /// Bytes of interrupted downloads that were kept rather than fetched again.
    pub bytes_resumed: u64,
    /// Downloads thrown away because their bytes did not match their hash.
    pub blobs_discarded: u64,
}

/// Syncs one profile's store with its hub: the hub over HTTPS, or any [`Hub`].
pub struct SyncEngine<H: Hub = HubClient> {
    store: Arc<Mutex<Store>>,
    profile: Profile,
    hub: H,
    clock: Arc<dyn Clock>,
    status: watch::Sender<SyncStatus>,
    nudge: Notify,
}

impl SyncEngine {
    /// An engine for an enrolled profile over HTTPS to the hub it enrolled with;
    /// `store` is the profile's open store.
    pub fn new(profile: Profile, store: Arc<Mutex<Store>>, clock: Arc<dyn Clock>) -> Result<Self> {
        let identity = lock(&store)?.device()?.ok_or(SyncError::NotEnrolled)?;
        let pin = identity
            .hub_certificate
            .as_deref()
            .map(crate::tls::parse_fingerprint)
            .transpose()?;
        let hub = HubClient::new(&identity.hub_url, Some(identity.token), pin)?;
        SyncEngine::with_hub(hub, profile, store, clock)
    }
}

impl<H: Hub> SyncEngine<H> {
    /// An engine syncing `store` (the profile's open store) with `hub`.
    pub fn with_hub(
        hub: H,
        profile: Profile,
        store: Arc<Mutex<Store>>,
        clock: Arc<dyn Clock>,
    ) -> Result<Self> {
        let status = SyncStatus::from_store(&*lock(&store)?)?;
        Ok(Self {
            store,
            profile,
            hub,
            clock,
            status: watch::Sender::new(status),
            nudge: Notify::new(),
        })
    }

    pub fn status(&self) -> watch::Receiver<SyncStatus> {
        self.status.subscribe()
    }

    /// Runs a round now rather than at the next period: something waits to be sent.
    pub fn sync_soon(&self) {
        self.nudge.notify_one();
    }

    fn with_store<T>(&self, work: impl FnOnce(&mut Store) -> quorum_store::Result<T>) -> Result<T> {
        let mut store = lock(&self.store)?;
        Ok(work(&mut store)?)
    }

    /// One round: upload the outbox, pull the change feed, fetch missing documents.
    #[instrument(skip(self), err)]
    pub async fn sync_once(&self) -> Result<SyncReport> {
        let _turn = self.profile.take_sync_turn().await?;
        let mut report = SyncReport::default();
        self.status.send_modify(|s| s.syncing = true);
        let result = async {
            // An outbox stopped at a gap and a document the hub serves wrong are told
            // once the rest is done: they hold up neither the meeting's changes, nor
            // the other documents, nor the report that shows the secretary what waits.
            let stuck = match self.push(&mut report).await {
                Err(gap @ SyncError::OutboxGap { .. }) => Some(gap),
                other => other.map(|()| None)?,
            };
            self.pull(&mut report).await?;
            let refused = self.fetch_blobs(&mut report).await?;
            self.publish().await?;
            self.report_status().await?;
            stuck.or(refused).map_or(Ok(()), Err)
        }
        .await;
        let now = self.clock.now();
        if result.is_ok() {
            self.with_store(|s| s.set_last_synced(now))?;
        }
        let mut status = self.status.borrow().clone();
        status.syncing = false;
        status.connection = connection_after(result.as_ref().err());
        status.last_error = result.as_ref().err().map(ToString::to_string);
        status.problem = result.as_ref().err().and_then(SyncProblem::of);
        self.with_store(|s| status.refresh_from(s))?;
        self.status.send_replace(status);
        result.map(|()| report)
    }

    /// Publishes the secretary's queued drafts: their documents first, then the meeting.
    /// What the hub refuses (another secretary published meanwhile, an invalid meeting)
    /// and a document missing here stay on the draft for the secretary to see; only a
    /// hub out of reach ends the round.
    async fn publish(&self) -> Result<()> {
        for meeting in self.with_store(|store| store.queued_publications())? {
            let sent =
                serde_json::to_string(&meeting).map_err(|e| SyncError::Protocol(e.to_string()))?;
            match self.publish_one(&meeting).await {
                Ok(stored) => self.with_store(|store| store.published(&stored, &sent))?,
                Err(error) => {
                    let problem = publication_problem(error)?;
                    self.with_store(|store| store.publication_refused(meeting.id, &problem))?;
                }
            }
        }
        Ok(())
    }

    async fn publish_one(&self, meeting: &Meeting) -> Result<Meeting> {
        // The published version's documents are on the hub already (it refuses a meeting
        // whose documents it lacks): a republish uploads only what is new.
        let on_hub: Vec<Sha256Hex> = self.with_store(|store| match store.meeting(meeting.id) {
            Ok(published) => Ok(published
                .documents()
                .map(|document| document.current.sha256.clone())
                .collect()),
            Err(StoreError::MeetingNotFound(_)) => Ok(Vec::new()),
            Err(other) => Err(other),
        })?;
        for document in meeting.documents() {
            let sha256 = &document.current.sha256;
            if on_hub.contains(sha256) {
                continue;
            }
            let path = self.profile.blob_path(sha256);
            let bytes = tokio::fs::read(&path)
                .await
                .map_err(|source| SyncError::Io { path, source })?;
            self.hub.put_blob(sha256, bytes).await?;
        }
        self.hub.publish(meeting).await
    }

    /// Tells the hub what this laptop now holds, for the secretary's readiness board.
    async fn report_status(&self) -> Result<()> {
        let status = self.with_store(|store| {
            Ok(DeviceStatus {
                pending_operations: u32::try_from(store.pending_count()?).unwrap_or(u32::MAX),
                packs: store.pack_states()?,
            })
        })?;
        self.hub.report_status(&status).await
    }

    async fn push(&self, report: &mut SyncReport) -> Result<()> {
        loop {
            let operations =
                within_one_body(self.with_store(|s| s.pending_operations(PUSH_BATCH))?);
            if operations.is_empty() {
                return Ok(());
            }
            let sent: Vec<_> = operations.iter().map(|operation| operation.id).collect();
            let response = self.hub.push(&PushRequest { operations }).await?;
            let verdict = judge_push(&sent, &response.results);
            self.with_store(|store| {
                for id in verdict.applied.iter().chain(&verdict.duplicates) {
                    store.acknowledge(*id)?;
                }
                for (id, refusal, reason) in &verdict.rejected {
                    store.mark_rejected(*id, *refusal, reason)?;
                }
                Ok(())
            })?;
            report.operations_applied += verdict.applied.len() as u64;
            report.operations_duplicate += verdict.duplicates.len() as u64;
            report.operations_rejected += verdict.rejected.len() as u64;
            if let Some(expected) = verdict.gap {
                return Err(SyncError::OutboxGap { expected });
            }
            if !verdict.send_more {
                // The hub stopped early; what it did not answer stays queued for next time.
                return Ok(());
            }
        }
    }

    async fn pull(&self, report: &mut SyncReport) -> Result<()> {
        loop {
            let cursor = self.with_store(|s| s.sync_cursor())?;
            let page = self.hub.changes(cursor).await?;
            self.with_store(|s| s.apply_changes(&page.changes, page.next_cursor))?;
            report.changes_applied += page.changes.len() as u64;
            if !page.more {
                return Ok(());
            }
        }
    }

    /// Downloads every missing document. One whose bytes do not match its hash twice in
    /// a row is left for the next sync and returned; the others are still fetched.
    async fn fetch_blobs(&self, report: &mut SyncReport) -> Result<Option<SyncError>> {
        let missing = self.with_store(|s| s.missing_blobs())?;
        let total: u64 = missing.iter().map(|(_, size)| size).sum();
        self.status.send_modify(|s| {
            s.bytes_to_download = total;
            s.bytes_downloaded = 0;
        });
        let mut refused = None;
        let mut downloaded = 0;
        let mut gate = ProgressGate::default();
        for (sha256, size) in missing {
            let mut progress = |n| {
                downloaded += n;
                if gate.should_tell(Instant::now(), false) {
                    self.status.send_modify(|s| s.bytes_downloaded = downloaded);
                }
            };
            let fetched =
                match fetch_blob(&self.hub, &self.profile, &sha256, size, &mut progress).await {
                    Err(SyncError::BlobMismatch { .. }) => {
                        // The bad bytes are gone; one fresh download from the start.
                        report.blobs_discarded += 1;
                        fetch_blob(&self.hub, &self.profile, &sha256, size, &mut progress).await
                    }
                    other => other,
                };
            if gate.should_tell(Instant::now(), true) {
                self.status.send_modify(|s| s.bytes_downloaded = downloaded);
            }
            let fetched = match fetched {
                Err(mismatch @ SyncError::BlobMismatch { .. }) => {
                    report.blobs_discarded += 1;
                    refused.get_or_insert(mismatch);
                    continue;
                }
                other => other?,
            };
            let now = self.clock.now();
            self.with_store(|s| s.mark_blob_verified(&sha256, size, now))?;
            report.blobs_fetched += 1;
            report.bytes_downloaded += fetched.downloaded;
            report.bytes_resumed += fetched.resumed_from;
        }
        Ok(refused)
    }

    /// Syncs until `stop` turns true: after every change the live channel announces,
    /// after every nudge, every 30 s otherwise, and with growing pauses while the hub
    /// cannot be reached.
    pub async fn run(self: Arc<Self>, mut stop: watch::Receiver<bool>) {
        let live = tokio::spawn(self.clone().listen_live());
        let mut failures = 0u32;
        loop {
            let wait = match self.sync_once().await {
                Ok(report) => {
                    failures = 0;
                    if report != SyncReport::default() {
                        info!(?report, "synced");
                    }
                    next_round_in(failures, None, jitter())
                }
                Err(error) => {
                    failures += 1;
                    warn!(%error, failures, "sync failed");
                    next_round_in(failures, Some(&error), jitter())
                }
            };
            tokio::select! {
                () = self.nudge.notified() => {}
                () = tokio::time::sleep(wait) => {}
                _ = stop.changed() => break,
            }
        }
        live.abort();
    }

    /// Listens to the hub's live channel and nudges the loop on every change notice.
    async fn listen_live(self: Arc<Self>) {
        let mut failures = 0u32;
        loop {
            match self.hub.announcements().await {
                Ok(mut announcements) => {
                    failures = 0;
                    while announcements.next().await.is_some() {
                        self.nudge.notify_one();
                    }
                    // The channel closed: the hub may be gone. A sync now tells the
                    // member at once instead of at the next poll.
                    self.nudge.notify_one();
                }
                Err(_) => failures += 1,
            }
            tokio::time::sleep(live_channel_again_in(failures, jitter())).await;
        }
    }
}

pub(crate) fn lock(store: &Mutex<Store>) -> Result<std::sync::MutexGuard<'_, Store>> {
    store
        .lock()
        .map_err(|_| SyncError::Protocol("the store lock was poisoned by a crash".into()))
}

fn jitter() -> f64 {
    let mut byte = [0u8; 1];
    match getrandom::fill(&mut byte) {
        Ok(()) => f64::from(byte[0]) / 256.0,
        Err(_) => 0.5,
    }
}
