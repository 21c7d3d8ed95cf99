//! When the secretary replaces a document, the member's annotations on the old version
//! move to the same text in the new one; those whose text is gone stay where they were
//! and are listed in the viewer. Runs after new documents' text has been extracted.

use quorum_core::anchor::{PageChars, reanchor};
use quorum_core::{Annotation, Clock, PageRect, Sha256Hex};
use tauri::{AppHandle, Emitter};
use tracing::{info, warn};

use crate::ipc::IpcError;
use crate::profile::AppState;

/// Told to the window when annotations moved, so an open viewer shows them anew.
pub const ANNOTATIONS_MOVED_EVENT: &str = "annotations-moved";

/// Moves every annotation of the member's that sits on a replaced version.
pub fn reanchor_replaced(app: &AppHandle, state: &AppState) -> Result<(), IpcError> {
    let store = state.store.as_ref().map_err(Clone::clone)?;
    let replaced = store
        .lock()
        .map_err(IpcError::internal)?
        .documents_to_reanchor()?;
    let mut moved_any = false;
    for (document_id, current) in replaced {
        let Ok(new_pages) = all_page_chars(state, &current) else {
            // Not downloaded yet, or unreadable: tried again after the next sync.
            continue;
        };
        let waiting = store
            .lock()
            .map_err(IpcError::internal)?
            .annotations_to_reanchor(document_id, &current)?;
        for annotation in waiting {
            let old_chars = page_chars(state, &annotation.document_sha256, annotation.page).ok();
            let place = reanchor(
                &annotation.shape,
                annotation.page,
                old_chars.as_deref(),
                &new_pages,
            );
            let mut store = store.lock().map_err(IpcError::internal)?;
            match place {
                Some((page, shape)) => {
                    let now = state.clock.now();
                    let moved = Annotation {
                        document_sha256: current.clone(),
                        page,
                        shape,
                        updated_at: now,
                        ..annotation
                    };
                    store.save_annotation(&moved, now)?;
                    moved_any = true;
                    info!(annotation = %moved.id, page, "annotation moved to the new version");
                }
                None => {
                    store.mark_unanchored(annotation.id, &current)?;
                    moved_any = true;
                    info!(annotation = %annotation.id, "annotation has no place in the new version");
                }
            }
        }
    }
    if moved_any && let Err(error) = app.emit(ANNOTATIONS_MOVED_EVENT, ()) {
        warn!(%error, "the window missed that annotations moved");
    }
    Ok(())
}

fn all_page_chars(state: &AppState, sha256: &Sha256Hex) -> Result<Vec<PageChars>, IpcError> {
    let path = crate::pages::verified_blob(state, sha256)?;
    let pdf = state.pdf.as_ref().map_err(Clone::clone)?;
    let count = pdf.info(&path)?.pages.len();
    (0..count as u32)
        .map(|page| page_chars(state, sha256, page))
        .collect()
}

/// A page's characters with their boxes in PDF points, in reading order.
pub fn page_chars(state: &AppState, sha256: &Sha256Hex, page: u32) -> Result<PageChars, IpcError> {
    let path = crate::pages::verified_blob(state, sha256)?;
    let pdf = state.pdf.as_ref().map_err(Clone::clone)?;
    Ok(pdf
        .text(&path, page)?
        .into_iter()
        .map(|c| {
            (
                c.ch,
                PageRect {
                    left: c.left,
                    bottom: c.bottom,
                    right: c.right,
                    top: c.top,
                },
            )
        })
        .collect())
}
