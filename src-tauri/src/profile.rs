//! Where this laptop's data lives and what happens to it at start-up: open the store,
//! fill it with the sample when it is empty and not enrolled, and start syncing when
//! it is enrolled with a hub.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use quorum_core::{Clock, SystemClock};
use quorum_pdf::{PdfError, PdfService, WorkerLimits};
use quorum_store::Store;
use quorum_sync::{Profile, SyncEngine, SyncError};
use tauri::{AppHandle, Emitter, Manager};
use tokio::sync::watch;
use tracing::{error, info, warn};

use crate::ipc::IpcError;

/// The profile folder: `QUORUM_PROFILE` if set (tests, several members on one machine),
/// else the user's data directory. The headless client `quorum` uses the same layout.
const PROFILE_ENV: &str = "QUORUM_PROFILE";
/// The event the window hears whenever the sync status changes.
pub const SYNC_STATUS_EVENT: &str = "sync-status";

/// The app's state: the open store, or why it could not be opened. The window opens
/// either way, so the member reads the reason instead of seeing a crash.
pub struct AppState {
    pub store: Result<Arc<Mutex<Store>>, IpcError>,
    /// Where the store and the document blobs live.
    pub profile: Result<Profile, IpcError>,
    /// Reads documents in a worker process; missing when libpdfium or the worker is.
    pub pdf: Result<Arc<PdfService>, IpcError>,
    /// The pages the viewer shows now.
    pub on_screen: crate::pages::OnScreen,
    pub clock: SystemClock,
    /// Present when the laptop is enrolled with a hub.
    pub sync: Option<RunningSync>,
}

impl AppState {
    /// Uploads what was just queued now rather than at the next period.
    pub fn sync_soon(&self) {
        if let Some(sync) = &self.sync {
            sync.engine.sync_soon();
        }
    }
}

pub struct RunningSync {
    pub engine: Arc<SyncEngine>,
    /// Dropping it would stop the engine's loop.
    _stop: watch::Sender<bool>,
}

/// GTK looks for the accessibility bus and for desktop portals over D-Bus; where a
/// session bus runs but those services never answer, each lookup can stall start-up
/// for about 25 s. Quorum uses neither, so it turns them off unless told otherwise.
pub fn avoid_desktop_bus_waits() {
    #[cfg(target_os = "linux")]
    for (key, value) in [("NO_AT_BRIDGE", "1"), ("GTK_USE_PORTAL", "0")] {
        if std::env::var_os(key).is_none() {
            // Called first thing in main, before any other thread exists.
            #[allow(unsafe_code)]
            unsafe {
                std::env::set_var(key, value)
            };
        }
    }
}

pub fn open(app: &AppHandle) -> AppState {
    let clock = SystemClock;
    let profile = profile_dir(app).map(Profile::new);
    let store = profile
        .clone()
        .and_then(|profile| open_store(app, &profile, &clock))
        .map(|store| Arc::new(Mutex::new(store)));
    if let Err(problem) = &store {
        error!(?problem, "the local store is not usable");
    }
    let sync = match (&profile, &store) {
        (Ok(profile), Ok(store)) => start_sync(app, profile.clone(), store.clone()),
        _ => None,
    };
    AppState {
        store,
        profile,
        pdf: start_pdf(),
        on_screen: Default::default(),
        clock,
        sync,
    }
}

/// Names the PDF worker program, ahead of the `quorum-pdf-worker` beside the app.
const WORKER_ENV: &str = "QUORUM_PDF_WORKER";
/// Seconds a PDF worker may take to read a document before it is replaced (10 unless
/// set; a heavier request gets a multiple): for slow laptops, and for the tests.
const PATIENCE_ENV: &str = "QUORUM_PDF_PATIENCE";

/// The PDF worker is the `quorum-pdf-worker` binary beside the app's own.
fn start_pdf() -> Result<Arc<PdfService>, IpcError> {
    let library = quorum_pdf::locate_library()?;
    let worker = match std::env::var_os(WORKER_ENV) {
        Some(worker) => PathBuf::from(worker),
        None => std::env::current_exe()
            .map_err(IpcError::internal)?
            .with_file_name("quorum-pdf-worker"),
    };
    if !worker.is_file() {
        let missing = PdfError::Worker(format!("{} is missing", worker.display()));
        warn!(%missing, "documents cannot be shown");
        return Err(missing.into());
    }
    let mut limits = WorkerLimits::default();
    if let Some(seconds) = std::env::var(PATIENCE_ENV)
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|s| *s > 0.0)
    {
        limits.patience = Duration::from_secs_f64(seconds);
    }
    Ok(Arc::new(
        PdfService::new(worker, library).with_limits(limits),
    ))
}

/// Ends the PDF workers as the app exits, even those stuck inside pdfium.
pub fn stop_pdf(app: &AppHandle) {
    if let Some(state) = app.try_state::<AppState>()
        && let Ok(pdf) = &state.pdf
    {
        pdf.stop();
    }
}

fn profile_dir(app: &AppHandle) -> Result<PathBuf, IpcError> {
    match std::env::var_os(PROFILE_ENV) {
        Some(dir) => Ok(PathBuf::from(dir)),
        None => app.path().app_data_dir().map_err(IpcError::internal),
    }
}

fn open_store(app: &AppHandle, profile: &Profile, clock: &dyn Clock) -> Result<Store, IpcError> {
    let dir = profile.dir();
    quorum_store::private::create_dir(dir).map_err(|e| IpcError::unreadable_profile(dir, e))?;
    let mut store = Store::open(&profile.store_path())?;
    info!(path = %store.path().display(), "local store open");
    // An enrolled laptop gets its meetings from the hub, never from the sample.
    if !store.has_meetings()? && store.enrollment()?.is_none() {
        load_sample(app, profile, &mut store, clock);
    }
    Ok(store)
}

/// Fills an empty store with the sample meeting, so a first start shows something.
/// A missing sample is not fatal: the app then shows an empty list.
fn load_sample(app: &AppHandle, profile: &Profile, store: &mut Store, clock: &dyn Clock) {
    let bundled = app.path().resource_dir().map(|dir| dir.join("sample"));
    let dir = match bundled {
        Ok(dir) if dir.join("sample.json").exists() => dir,
        _ => quorum_sample::source_tree_sample_dir(),
    };
    let loaded = quorum_sample::load(&dir, clock)
        .map_err(|e| e.to_string())
        .and_then(|sample| {
            // The sample's documents join the profile's blobs like downloaded ones;
            // their hashes were just computed from the files themselves.
            std::fs::create_dir_all(profile.blobs_dir()).map_err(|e| e.to_string())?;
            for (sha256, file) in &sample.files {
                let size =
                    std::fs::copy(file, profile.blob_path(sha256)).map_err(|e| e.to_string())?;
                store
                    .mark_blob_verified(sha256, size, clock.now())
                    .map_err(|e| e.to_string())?;
            }
            store
                .save_committee(&sample.committee, &sample.members)
                .map_err(|e| e.to_string())?;
            store
                .save_meeting(&sample.meeting)
                .map_err(|e| e.to_string())
        });
    match loaded {
        Ok(()) => info!(dir = %dir.display(), "sample meeting loaded into the empty store"),
        Err(problem) => warn!(%problem, "the sample meeting could not be loaded"),
    }
}

/// Starts the sync engine in the background and forwards its status to the window.
fn start_sync(app: &AppHandle, profile: Profile, store: Arc<Mutex<Store>>) -> Option<RunningSync> {
    let engine = match SyncEngine::new(profile, store, Arc::new(SystemClock)) {
        Ok(engine) => Arc::new(engine),
        Err(SyncError::NotEnrolled) => return None,
        Err(error) => {
            warn!(%error, "sync could not start; the laptop works offline");
            return None;
        }
    };
    let (stop, stopped) = watch::channel(false);
    tauri::async_runtime::spawn(engine.clone().run(stopped));
    let mut status = engine.status();
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let mut last_synced = None;
        while status.changed().await.is_ok() {
            let current = status.borrow_and_update().clone();
            if current.last_synced_at != last_synced {
                // A finished sync may have brought documents: make them searchable.
                last_synced = current.last_synced_at;
                crate::indexing::extract_new_texts(&app);
            }
            if let Err(error) = app.emit(SYNC_STATUS_EVENT, current) {
                warn!(%error, "the window missed a sync status");
            }
        }
    });
    Some(RunningSync {
        engine,
        _stop: stop,
    })
}
