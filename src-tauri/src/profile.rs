//! Where this laptop's data lives and what happens to it at start-up: open the laptop
//! (its store, filled with the sample when new), start the PDF reader, and start
//! syncing when it is enrolled with a hub.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use quorum_app_core::Laptop;
use quorum_core::SystemClock;
use quorum_pdf::{PdfError, PdfService, WorkerLimits};
use quorum_sync::Profile;
use tauri::{AppHandle, Emitter, Manager};
use tokio::sync::watch;
use tracing::{error, warn};

use crate::errors::IpcError;

/// The profile folder: `QUORUM_PROFILE` if set (tests, several members on one machine),
/// else the user's data directory. The headless client `quorum` uses the same layout.
const PROFILE_ENV: &str = "QUORUM_PROFILE";
/// The event the window hears whenever the sync status changes.
pub const SYNC_STATUS_EVENT: &str = "sync-status";
/// Names the PDF worker program, ahead of the `quorum-pdf-worker` beside the app.
const WORKER_ENV: &str = "QUORUM_PDF_WORKER";
/// Seconds a PDF worker may take to read a document before it is replaced (10 unless
/// set; a heavier request gets a multiple): for slow laptops, and for the tests.
const PATIENCE_ENV: &str = "QUORUM_PDF_PATIENCE";

/// The app's state: the open laptop, or why it could not be opened. The window opens
/// either way, so the member reads the reason instead of seeing a crash.
pub struct AppState {
    laptop: Result<Laptop, IpcError>,
    /// The pages the viewer shows now.
    pub on_screen: crate::pages::OnScreen,
    /// Dropping it stops the sync engine's loop.
    _stop_sync: Option<watch::Sender<bool>>,
}

impl AppState {
    pub fn laptop(&self) -> Result<&Laptop, IpcError> {
        self.laptop.as_ref().map_err(Clone::clone)
    }
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
    let laptop = profile_dir(app).and_then(|dir| {
        let laptop = Laptop::open(Profile::new(dir), Arc::new(SystemClock), start_pdf())?;
        let bundled = app.path().resource_dir().map(|dir| dir.join("sample"));
        let sample = match bundled {
            Ok(dir) if dir.join("sample.json").exists() => dir,
            _ => quorum_sample::source_tree_sample_dir(),
        };
        laptop.load_sample_if_new(&sample)?;
        Ok(laptop)
    });
    if let Err(problem) = &laptop {
        error!(?problem, "the local store is not usable");
    }
    let stop_sync = laptop
        .as_ref()
        .ok()
        .and_then(|laptop| start_sync(app, laptop));
    AppState {
        laptop,
        on_screen: Default::default(),
        _stop_sync: stop_sync,
    }
}

/// The PDF worker is the `quorum-pdf-worker` binary beside the app's own.
fn start_pdf() -> Result<Arc<PdfService>, PdfError> {
    let library = quorum_pdf::locate_library()?;
    let worker = match std::env::var_os(WORKER_ENV) {
        Some(worker) => PathBuf::from(worker),
        None => std::env::current_exe()
            .map_err(|error| PdfError::Worker(error.to_string()))?
            .with_file_name("quorum-pdf-worker"),
    };
    if !worker.is_file() {
        let missing = PdfError::Worker(format!("{} is missing", worker.display()));
        warn!(%missing, "documents cannot be shown");
        return Err(missing);
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
        && let Ok(laptop) = state.laptop()
        && let Ok(pdf) = laptop.pdf()
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

/// Starts the sync engine in the background and forwards its status to the window.
fn start_sync(app: &AppHandle, laptop: &Laptop) -> Option<watch::Sender<bool>> {
    let engine = laptop.engine()?.clone();
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
                crate::background::after_documents_arrive(&app);
            }
            if let Err(error) = app.emit(SYNC_STATUS_EVENT, current) {
                warn!(%error, "the window missed a sync status");
            }
        }
    });
    Some(stop)
}
