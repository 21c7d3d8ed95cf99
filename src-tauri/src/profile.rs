//! Where this laptop's data lives and what happens to it at start-up: open the laptop
//! (its store), start the PDF reader, and start syncing when it is enrolled with a hub.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use quorum_app_core::Laptop;
use quorum_core::SystemClock;
use quorum_pdf::{PdfError, PdfService, WorkerLimits};
use quorum_sync::Profile;
use tauri::{AppHandle, Manager};
use tracing::{error, warn};

use crate::errors::IpcError;
use crate::syncing::Syncing;

/// The profile folder: `QUORUM_PROFILE` if set (tests, several members on one machine),
/// else the user's data directory. The headless client `quorum` uses the same layout.
const PROFILE_ENV: &str = "QUORUM_PROFILE";
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
    /// The sync engine's loop, while the laptop belongs to a committee.
    pub syncing: Syncing,
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
        set_unless_told_otherwise(key, value);
    }
}

/// Without a GPU (no DRM render node), WebKit's accelerated compositing runs on Mesa's
/// software renderer: a frame after a new page image took 100–200 ms there, against one
/// 60 Hz frame when WebKit paints directly. So it paints directly unless told otherwise.
pub fn paint_directly_without_a_gpu() {
    #[cfg(target_os = "linux")]
    {
        let has_gpu = std::fs::read_dir("/dev/dri").is_ok_and(|nodes| {
            nodes
                .flatten()
                .any(|node| node.file_name().to_string_lossy().starts_with("renderD"))
        });
        if !has_gpu {
            set_unless_told_otherwise("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
        }
    }
}

/// Sets the environment variable `key` for GTK and WebKit, unless the member set it.
#[cfg(target_os = "linux")]
fn set_unless_told_otherwise(key: &str, value: &str) {
    if std::env::var_os(key).is_none() {
        // Called first thing in main, before any other thread exists.
        #[allow(unsafe_code)]
        unsafe {
            std::env::set_var(key, value)
        };
    }
}

pub fn open(app: &AppHandle) -> AppState {
    let laptop = profile_dir(app).and_then(|dir| {
        Ok(Laptop::open(
            Profile::new(dir),
            Arc::new(SystemClock),
            start_pdf(app.path().resource_dir().ok().as_deref()),
        )?)
    });
    if let Err(problem) = &laptop {
        error!(?problem, "the local store is not usable");
    }
    let syncing = Syncing::default();
    if let Some(engine) = laptop.as_ref().ok().and_then(Laptop::engine) {
        syncing.start(app, engine);
    }
    AppState {
        laptop,
        on_screen: Default::default(),
        syncing,
    }
}

/// The sample meeting the demo shows: bundled with the app, or this source tree's.
pub fn sample_dir(app: &AppHandle) -> PathBuf {
    match app.path().resource_dir().map(|dir| dir.join("sample")) {
        Ok(dir) if dir.join("sample.json").exists() => dir,
        _ => quorum_sample::source_tree_sample_dir(),
    }
}

/// The PDF worker is the `quorum-pdf-worker` binary beside the app's own; libpdfium is
/// found as [`quorum_pdf::locate_library_bundled`] says, in the app's `resources` last.
fn start_pdf(resources: Option<&Path>) -> Result<Arc<PdfService>, PdfError> {
    let library = quorum_pdf::locate_library_bundled(resources)?;
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
    let pdf = Arc::new(PdfService::new(worker, library).with_limits(limits));
    // So the first document opened finds a worker with pdfium loaded.
    let ahead = pdf.clone();
    tauri::async_runtime::spawn_blocking(move || {
        if let Err(error) = ahead.start_ahead() {
            warn!(%error, "no PDF worker started ahead");
        }
    });
    Ok(pdf)
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
