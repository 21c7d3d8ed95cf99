//! Where this laptop's data lives and what happens to it at start-up.

use std::path::PathBuf;
use std::sync::Mutex;

use quorum_core::{Clock, SystemClock};
use quorum_store::Store;
use tauri::{AppHandle, Manager};
use tracing::{error, info, warn};

use crate::ipc::IpcError;

/// The profile folder: `QUORUM_PROFILE` if set (tests, several members on one machine),
/// else the user's data directory. The headless client uses the same layout.
const PROFILE_ENV: &str = "QUORUM_PROFILE";
const STORE_FILE: &str = "store.sqlite3";

/// The app's state: the open store, or why it could not be opened. The window opens
/// either way, so the member reads the reason instead of seeing a crash.
pub struct AppState {
    pub store: Result<Mutex<Store>, IpcError>,
    pub clock: SystemClock,
}

/// GTK looks for the accessibility bus and for desktop portals over D-Bus; where no
/// session bus runs (kiosks, CI, a bare X server) each lookup can stall start-up for
/// about 25 s. Quorum uses neither, so it turns them off unless told otherwise.
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
    let store = profile_dir(app).and_then(|dir| open_store(app, dir, &clock));
    if let Err(problem) = &store {
        error!(?problem, "the local store is not usable");
    }
    AppState {
        store: store.map(Mutex::new),
        clock,
    }
}

fn profile_dir(app: &AppHandle) -> Result<PathBuf, IpcError> {
    match std::env::var_os(PROFILE_ENV) {
        Some(dir) => Ok(PathBuf::from(dir)),
        None => app.path().app_data_dir().map_err(IpcError::internal),
    }
}

fn open_store(app: &AppHandle, dir: PathBuf, clock: &dyn Clock) -> Result<Store, IpcError> {
    std::fs::create_dir_all(&dir).map_err(|e| IpcError::unreadable_profile(&dir, e))?;
    let mut store = Store::open(&dir.join(STORE_FILE))?;
    info!(path = %store.path().display(), "local store open");
    if !store.has_meetings()? {
        load_sample(app, &mut store, clock);
    }
    Ok(store)
}

/// Fills an empty store with the sample meeting, so a first start shows something.
/// A missing sample is not fatal: the app then shows an empty list.
fn load_sample(app: &AppHandle, store: &mut Store, clock: &dyn Clock) {
    let bundled = app.path().resource_dir().map(|dir| dir.join("sample"));
    let dir = match bundled {
        Ok(dir) if dir.join("sample.json").exists() => dir,
        _ => quorum_sample::source_tree_sample_dir(),
    };
    let loaded = quorum_sample::load(&dir, clock)
        .map_err(|e| e.to_string())
        .and_then(|sample| {
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
