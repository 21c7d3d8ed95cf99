//! The secretary's commands: prepare a meeting on this laptop, attach documents, and
//! queue it for publication (the sync engine publishes it when the hub is reachable).

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use quorum_app_core::Attached;
use quorum_core::{AgendaItemId, DocumentId, Meeting, MeetingId};
use quorum_store::Draft;
use tauri::State;
use tracing::instrument;

use crate::errors::IpcError;
use crate::profile::AppState;

#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn drafts(state: State<'_, AppState>) -> Result<Vec<Draft>, IpcError> {
    Ok(state.laptop()?.drafts()?)
}

#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn new_draft(
    state: State<'_, AppState>,
    title: String,
    starts_at: DateTime<Utc>,
    location: String,
) -> Result<Meeting, IpcError> {
    Ok(state.laptop()?.new_draft(&title, starts_at, &location)?)
}

/// Starts editing a published meeting, to publish it again.
#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn edit_meeting(
    state: State<'_, AppState>,
    meeting_id: MeetingId,
) -> Result<Meeting, IpcError> {
    Ok(state.laptop()?.edit_meeting(meeting_id)?)
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
    Ok(state.laptop()?.save_draft(&meeting, &removed_documents)?)
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
    Ok(state
        .laptop()?
        .add_item(meeting_id, &title, &presenter, planned_minutes)?)
}

#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn move_item(
    state: State<'_, AppState>,
    meeting_id: MeetingId,
    item_id: AgendaItemId,
    to: usize,
) -> Result<Meeting, IpcError> {
    Ok(state.laptop()?.move_item(meeting_id, item_id, to)?)
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
    Ok(state
        .laptop()?
        .attach_file(meeting_id, item_id, &file_name, &bytes)?)
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
    Ok(state.laptop()?.attach_path(meeting_id, item_id, &path)?)
}

/// Drops a draft; the published meeting stays as it is.
#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn discard_draft(state: State<'_, AppState>, meeting_id: MeetingId) -> Result<(), IpcError> {
    Ok(state.laptop()?.discard_draft(meeting_id)?)
}

/// Queues the draft for publication; it goes out with the next sync.
#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn publish(state: State<'_, AppState>, meeting_id: MeetingId) -> Result<(), IpcError> {
    Ok(state.laptop()?.publish(meeting_id)?)
}

/// Ties a folder on disk to a meeting: PDFs put in it are imported and published.
#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn watch_folder(
    state: State<'_, AppState>,
    meeting_id: MeetingId,
    folder: String,
) -> Result<(), IpcError> {
    let folder = PathBuf::from(folder.trim());
    Ok(state.laptop()?.watch_folder(meeting_id, folder)?)
}
