//! Text extraction for search: when documents arrive, their page text goes into the
//! store, so a search never waits for the PDF reader.

use std::sync::Mutex;

use quorum_core::{Clock, Sha256Hex};
use tauri::{AppHandle, Emitter, Manager};
use tracing::{info, warn};

use crate::ipc::IpcError;
use crate::profile::AppState;

/// One extraction at a time; a run re-checks for new documents before it ends.
static RUNNING: Mutex<()> = Mutex::new(());

/// Extracts the text of documents that arrived since the last run, off the UI thread.
pub fn extract_new_texts(app: &AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn_blocking(move || {
        let Ok(_running) = RUNNING.try_lock() else {
            return;
        };
        let state = app.state::<AppState>();
        match run(&state) {
            Ok(0) => {}
            // The window may be waiting for it: changed pages, search.
            Ok(_) => {
                if let Err(error) = app.emit(TEXTS_EXTRACTED_EVENT, ()) {
                    warn!(%error, "the window missed that texts were extracted");
                }
            }
            Err(error) => warn!(?error, "document text extraction stopped"),
        }
        // New versions are readable now: move the member's annotations onto them.
        if let Err(error) = crate::reanchoring::reanchor_replaced(&app, &state) {
            warn!(?error, "annotations could not be moved to new versions");
        }
    });
}

/// Told to the window when new documents' text is in the store.
pub const TEXTS_EXTRACTED_EVENT: &str = "texts-extracted";

/// Extracts until no document is left without text; returns how many were done.
fn run(state: &AppState) -> Result<usize, IpcError> {
    let pdf = state.pdf.as_ref().map_err(Clone::clone)?;
    let profile = state.profile.as_ref().map_err(Clone::clone)?;
    let store = state.store.as_ref().map_err(Clone::clone)?;
    let mut extracted = 0;
    loop {
        let pending: Vec<Sha256Hex> = store
            .lock()
            .map_err(IpcError::internal)?
            .blobs_without_text()?;
        if pending.is_empty() {
            return Ok(extracted);
        }
        for sha256 in pending {
            // A document the reader cannot open is recorded without text: trying again
            // would fail again, and the viewer says what is wrong with it.
            let pages = pdf
                .pages_text(&profile.blob_path(&sha256))
                .unwrap_or_else(|error| {
                    warn!(%sha256, %error, "no text from this document");
                    Vec::new()
                });
            let now = state.clock.now();
            store
                .lock()
                .map_err(IpcError::internal)?
                .save_page_texts(&sha256, &pages, now)?;
            info!(%sha256, pages = pages.len(), "document text extracted");
            extracted += 1;
        }
    }
}
