//! The secretary's commands: prepare a meeting on this laptop, attach documents, and
//! queue it for publication (the sync engine publishes it when the hub is reachable).

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use quorum_core::{AgendaItemId, Clock, DocumentId, Meeting, MeetingId, Sha256Hex};
use quorum_pdf::PdfError;
use quorum_store::{AttachedFile, Draft};
use serde::Serialize;
use tauri::{AppHandle, State};
use tracing::instrument;
use ts_rs::TS;

use crate::commands::with_store;
use crate::ipc::{ErrorCode, IpcError};
use crate::profile::AppState;

#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn drafts(state: State<'_, AppState>) -> Result<Vec<Draft>, IpcError> {
    with_store(&state, |store| store.drafts())
}

#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn new_draft(
    state: State<'_, AppState>,
    title: String,
    starts_at: DateTime<Utc>,
    location: String,
) -> Result<Meeting, IpcError> {
    with_store(&state, |store| {
        store.new_draft(&title, starts_at, &location)
    })
}

/// Starts editing a published meeting, to publish it again.
#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn edit_meeting(
    state: State<'_, AppState>,
    meeting_id: MeetingId,
) -> Result<Meeting, IpcError> {
    with_store(&state, |store| store.edit_meeting(meeting_id))
}

/// Saves the secretary's edit of a draft: title, time, place, invitees, items,
/// documents removed.
#[tauri::command(async)]
#[instrument(skip(state, meeting), fields(meeting = %meeting.id), err(Debug))]
pub fn save_draft(
    state: State<'_, AppState>,
    meeting: Meeting,
    removed_documents: Vec<DocumentId>,
) -> Result<Meeting, IpcError> {
    with_store(&state, |store| {
        store.edit_draft(&meeting, &removed_documents)
    })
}

#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn add_item(
    state: State<'_, AppState>,
    meeting_id: MeetingId,
    title: String,
    presenter: String,
    planned_minutes: u32,
) -> Result<Meeting, IpcError> {
    with_store(&state, |store| {
        store.add_item(meeting_id, &title, &presenter, planned_minutes)
    })
}

#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn move_item(
    state: State<'_, AppState>,
    meeting_id: MeetingId,
    item_id: AgendaItemId,
    to: usize,
) -> Result<Meeting, IpcError> {
    with_store(&state, |store| store.move_item(meeting_id, item_id, to))
}

/// Attaches a PDF the secretary picked (its bytes, read by the window).
#[tauri::command(async)]
#[instrument(skip(state, bytes), fields(bytes = bytes.len()), err(Debug))]
pub fn attach_file(
    state: State<'_, AppState>,
    meeting_id: MeetingId,
    item_id: AgendaItemId,
    file_name: String,
    bytes: Vec<u8>,
) -> Result<Attached, IpcError> {
    attach(&state, meeting_id, item_id, file_name, bytes)
}

/// Attaches a PDF dropped on an agenda item (its path on this laptop).
#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn attach_path(
    state: State<'_, AppState>,
    meeting_id: MeetingId,
    item_id: AgendaItemId,
    path: PathBuf,
) -> Result<Attached, IpcError> {
    let bytes = std::fs::read(&path).map_err(|error| IpcError::unreadable_profile(&path, error))?;
    let file_name = path
        .file_name()
        .map(|name| name.to_string_lossy().to_string())
        .unwrap_or_default();
    attach(&state, meeting_id, item_id, file_name, bytes)
}

/// A file put on an agenda item, and what members will not be able to read in it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Attached {
    pub meeting: Meeting,
    pub warning: Option<AttachWarning>,
}

/// Told to the secretary at once, while the unit that sent the file can still be asked
/// for a better one.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum AttachWarning {
    /// Pages `pages` (from 1) of `total` cannot be shown; the others can.
    PagesNotShown {
        file: String,
        pages: Vec<u32>,
        total: u32,
    },
    /// The file needs a password: members are asked for it when they open it.
    Protected { file: String },
}

/// Keeps the file by its hash, checks that its pages can be drawn, then puts it on the
/// item. A file none of whose pages can be shown is refused and not kept.
fn attach(
    state: &AppState,
    meeting_id: MeetingId,
    item_id: AgendaItemId,
    file_name: String,
    bytes: Vec<u8>,
) -> Result<Attached, IpcError> {
    let (sha256, size_bytes) =
        Sha256Hex::of_reader(&mut bytes.as_slice()).map_err(IpcError::internal)?;
    let profile = state.profile.as_ref().map_err(Clone::clone)?;
    let path = profile.blob_path(&sha256);
    let existed = path.exists();
    let part = path.with_extension("part");
    std::fs::write(&part, &bytes)
        .and_then(|()| std::fs::rename(&part, &path))
        .map_err(|error| IpcError::unreadable_profile(&path, error))?;
    let pdf = state.pdf.as_ref().map_err(Clone::clone)?;
    let checked = match pdf.check(&path) {
        Ok(info) => Ok(Some(info)),
        Err(PdfError::PasswordProtected) => Ok(None),
        Err(error) => Err(IpcError::from(error)),
    };
    let (page_count, warning) = match checked {
        Ok(Some(info)) => {
            let not_shown = info.pages_not_shown();
            let total = u32::try_from(info.pages.len()).unwrap_or(u32::MAX);
            if not_shown.len() == info.pages.len() {
                Err(IpcError {
                    code: ErrorCode::DocumentDamaged,
                    detail: format!("{file_name}: no page can be shown"),
                })
            } else {
                let warning = (!not_shown.is_empty()).then(|| AttachWarning::PagesNotShown {
                    file: file_name.clone(),
                    pages: not_shown,
                    total,
                });
                Ok((total, warning))
            }
        }
        // Its pages cannot be counted without the password: the count shows as unknown.
        Ok(None) => Ok((
            0,
            Some(AttachWarning::Protected {
                file: file_name.clone(),
            }),
        )),
        Err(error) => Err(error),
    }
    .inspect_err(|_| {
        if !existed {
            let _ = std::fs::remove_file(&path);
        }
    })?;
    let title = file_name
        .strip_suffix(".pdf")
        .unwrap_or(&file_name)
        .replace(['-', '_'], " ");
    let file = AttachedFile {
        title,
        file_name,
        sha256,
        size_bytes,
        page_count,
    };
    let now = state.clock.now();
    let meeting = with_store(state, |store| {
        store.attach_document(meeting_id, item_id, file, now)
    })?;
    Ok(Attached { meeting, warning })
}

/// Drops a draft; the published meeting stays as it is.
#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn discard_draft(state: State<'_, AppState>, meeting_id: MeetingId) -> Result<(), IpcError> {
    with_store(&state, |store| store.discard_draft(meeting_id))
}

/// Queues the draft for publication; it goes out with the next sync.
#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn publish(state: State<'_, AppState>, meeting_id: MeetingId) -> Result<(), IpcError> {
    with_store(&state, |store| store.queue_publication(meeting_id))?;
    state.sync_soon();
    Ok(())
}

/// Ties a folder on disk to a meeting: PDFs put in it are imported and published.
#[tauri::command(async)]
#[instrument(skip(app), err(Debug))]
pub fn watch_folder(app: AppHandle, meeting_id: MeetingId, folder: String) -> Result<(), IpcError> {
    crate::watching::tie(&app, meeting_id, std::path::PathBuf::from(folder.trim()))
}
