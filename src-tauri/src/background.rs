//! Work the window does not wait for: when documents arrive their text is extracted
//! for search and the member's annotations move to replaced versions; the window hears
//! when either is done.

use std::sync::Mutex;

use tauri::{AppHandle, Emitter, Manager};
use tracing::warn;

use crate::profile::AppState;

/// Told to the window when new documents' text is in the store.
pub const TEXTS_EXTRACTED_EVENT: &str = "texts-extracted";
/// Told to the window when annotations moved, so an open viewer shows them anew.
pub const ANNOTATIONS_MOVED_EVENT: &str = "annotations-moved";

/// One run at a time; a run re-checks for new documents before it ends.
static RUNNING: Mutex<()> = Mutex::new(());

/// Extracts the text of documents that arrived since the last run, then moves the
/// member's annotations onto new versions, off the UI thread.
pub fn after_documents_arrive(app: &AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn_blocking(move || {
        let Ok(_running) = RUNNING.try_lock() else {
            return;
        };
        let state = app.state::<AppState>();
        let Ok(laptop) = state.laptop() else {
            return;
        };
        match laptop.extract_new_texts() {
            Ok(0) => {}
            Ok(_) => emit(&app, TEXTS_EXTRACTED_EVENT),
            Err(error) => warn!(?error, "document text extraction stopped"),
        }
        match laptop.reanchor_replaced() {
            Ok(false) => {}
            Ok(true) => emit(&app, ANNOTATIONS_MOVED_EVENT),
            Err(error) => warn!(?error, "annotations could not be moved to new versions"),
        }
    });
}

/// Starts watching the folders the secretary tied to meetings.
pub fn watch_saved_folders(app: &AppHandle) {
    if let Ok(laptop) = app.state::<AppState>().laptop() {
        laptop.watch_saved_folders();
    }
}

fn emit(app: &AppHandle, event: &str) {
    if let Err(error) = app.emit(event, ()) {
        warn!(%error, event, "the window missed an event");
    }
}
