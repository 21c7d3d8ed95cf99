//! Every client use-case of Quorum, one function each: the window's commands and the
//! `quorum` CLI call the same [`Laptop`] methods, so a rule lives in one place.
//!
//! Invariants:
//! - A method that queues something for the hub nudges the sync engine at once, so a
//!   note goes up as fast as a ballot.
//! - Who may do what is decided by `quorum_core` (through the store); callers show or
//!   hide, they never decide.
//! - A store lock is held for one call of the store, never across the PDF reader.

mod annotating;
mod answer_sheets;
mod documents;
mod drafts;
mod error;
mod exports;
mod importing;
mod meetings;
mod membership;
mod room;
mod sample;
mod signatures;
mod texts;
mod times;
mod voting;
mod watching;

use std::sync::{Arc, Mutex, PoisonError, RwLock};

use chrono::{DateTime, Utc};
use quorum_core::Clock;
use quorum_pdf::{PdfError, PdfService};
use quorum_store::Store;
use quorum_sync::{Profile, SyncEngine, SyncError, SyncReport, SyncStatus};
use tracing::warn;

pub use annotating::PageRef;
pub use answer_sheets::AnswerSheetCheck;
pub use drafts::{AttachWarning, Attached};
pub use error::{AppError, Result};
pub use exports::{ExportedFile, ResultFiles, export_dir};
pub use meetings::{Language, MeetingContext};
pub use membership::{JoinRequest, Membership};
pub use signatures::SignedFor;
pub use voting::{NewPollSubject, PollCard};

/// A member's laptop: its profile folder and open store, the PDF reader when it runs,
/// and the sync engine when the laptop is enrolled with a hub.
#[derive(Clone)]
pub struct Laptop {
    profile: Profile,
    store: Arc<Mutex<Store>>,
    clock: Arc<dyn Clock>,
    pdf: Result<Arc<PdfService>, PdfError>,
    /// Set once the laptop is enrolled (at open, or on joining), gone on leaving.
    engine: Arc<RwLock<Option<Arc<SyncEngine>>>>,
}

impl Laptop {
    /// Opens the profile's store (creating the folders, private to their owner) and,
    /// on an enrolled laptop, makes its sync engine; the engine runs only when asked.
    pub fn open(
        profile: Profile,
        clock: Arc<dyn Clock>,
        pdf: Result<Arc<PdfService>, PdfError>,
    ) -> Result<Self> {
        let store = Arc::new(Mutex::new(profile.open_store()?));
        let laptop = Self {
            profile,
            store,
            clock,
            pdf,
            engine: Arc::default(),
        };
        match laptop.make_engine() {
            Ok(_) | Err(SyncError::NotEnrolled) => {}
            Err(error) => warn!(%error, "sync cannot start; the laptop works offline"),
        }
        Ok(laptop)
    }

    /// Makes the sync engine of an enrolled laptop; it runs only when asked.
    fn make_engine(&self) -> std::result::Result<Arc<SyncEngine>, SyncError> {
        let engine = SyncEngine::new(self.profile.clone(), self.store.clone(), self.clock.clone())?;
        let engine = Arc::new(engine);
        *self.engine.write().unwrap_or_else(PoisonError::into_inner) = Some(engine.clone());
        Ok(engine)
    }

    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// The sync engine, on a laptop enrolled with a hub.
    pub fn engine(&self) -> Option<Arc<SyncEngine>> {
        self.engine
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The PDF reader, or why it does not run on this laptop.
    pub fn pdf(&self) -> Result<&Arc<PdfService>> {
        self.pdf.as_ref().map_err(|error| error.clone().into())
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Runs `work` on the store.
    pub fn with_store<T>(
        &self,
        work: impl FnOnce(&mut Store) -> quorum_store::Result<T>,
    ) -> Result<T> {
        let mut store = self.store.lock().map_err(|_| AppError::StorePoisoned)?;
        Ok(work(&mut store)?)
    }

    /// Runs `work`, which queues something for the hub at the laptop's time now, and has
    /// it sent at once.
    pub(crate) fn queue<T>(
        &self,
        work: impl FnOnce(&mut Store, DateTime<Utc>) -> quorum_store::Result<T>,
    ) -> Result<T> {
        let now = self.now();
        let done = self.with_store(|store| work(store, now))?;
        if let Some(engine) = self.engine() {
            engine.sync_soon();
        }
        Ok(done)
    }

    /// How sync stands: the engine's view, or on a laptop never enrolled what the store
    /// knows.
    pub fn sync_status(&self) -> Result<SyncStatus> {
        match self.engine() {
            Some(engine) => Ok(engine.status().borrow().clone()),
            None => self.with_store(|store| SyncStatus::from_store(store)),
        }
    }

    /// One round of sync now: upload, pull, fetch, publish.
    pub async fn sync_once(&self) -> Result<(SyncReport, SyncStatus)> {
        let engine = match self.engine() {
            Some(engine) => engine,
            // Made again to say why there is none: not enrolled, or a locked keyring.
            None => Arc::new(SyncEngine::new(
                self.profile.clone(),
                self.store.clone(),
                self.clock.clone(),
            )?),
        };
        let report = engine.sync_once().await?;
        Ok((report, engine.status().borrow().clone()))
    }
}
