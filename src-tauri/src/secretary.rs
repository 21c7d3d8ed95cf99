//! The secretary's commands: prepare a meeting on this laptop, attach documents, and
//! queue it for publication (the sync engine publishes it when the hub is reachable).

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use quorum_core::{AgendaItemId, Clock, DocumentId, Meeting, MeetingId, Sha256Hex};
use quorum_store::{AttachedFile, Draft};
use tauri::{AppHandle, State};
use tracing::instrument;

use crate::commands::with_store;
use crate::ipc::IpcError;
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
) -> Result<Meeting, IpcError> {
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
) -> Result<Meeting, IpcError> {
    let bytes = std::fs::read(&path).map_err(|error| IpcError::unreadable_profile(&path, error))?;
    let file_name = path
        .file_name()
        .map(|name| name.to_string_lossy().to_string())
        .unwrap_or_default();
    attach(&state, meeting_id, item_id, file_name, bytes)
}

/// Keeps the file by its hash, checks it is a readable PDF (its pages counted), then
/// puts it on the item.
fn attach(
    state: &AppState,
    meeting_id: MeetingId,
    item_id: AgendaItemId,
    file_name: String,
    bytes: Vec<u8>,
) -> Result<Meeting, IpcError> {
    let (sha256, size_bytes) =
        Sha256Hex::of_reader(&mut bytes.as_slice()).map_err(IpcError::internal)?;
    let profile = state.profile.as_ref().map_err(Clone::clone)?;
    let path = profile.blob_path(&sha256);
    let part = path.with_extension("part");
    std::fs::write(&part, &bytes)
        .and_then(|()| std::fs::rename(&part, &path))
        .map_err(|error| IpcError::unreadable_profile(&path, error))?;
    let pdf = state.pdf.as_ref().map_err(Clone::clone)?;
    let page_count = u32::try_from(pdf.info(&path)?.pages.len()).unwrap_or(u32::MAX);
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
    with_store(state, |store| {
        store.attach_document(meeting_id, item_id, file, now)
    })
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
