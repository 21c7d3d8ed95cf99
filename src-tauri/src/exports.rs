//! The commands that write files for the member, in Documents/Quorum: results, minutes,
//! the notes list, an annotated copy; and the minutes' decisions kept on this laptop.

use std::path::PathBuf;

use quorum_app_core::{ExportedFile, Laptop, ResultFiles, export_dir};
use quorum_core::{AgendaItemId, AgendaNotes, DocumentId, MeetingId};
use quorum_pdf::Report;
use tauri::{AppHandle, Manager, State};
use tracing::instrument;

use crate::errors::IpcError;
use crate::profile::AppState;

/// The member's Documents/Quorum, or the profile's exports folder without one.
fn exports(app: &AppHandle, laptop: &Laptop) -> Result<PathBuf, IpcError> {
    Ok(export_dir(laptop, app.path().document_dir().ok())?)
}

/// Saves a poll's results as the window laid them out in the member's language: a PDF
/// report and a CSV table of `rows`.
#[tauri::command(async)]
#[instrument(skip(app, state, report, rows), err(Debug))]
pub fn save_results(
    app: AppHandle,
    state: State<'_, AppState>,
    title: String,
    report: Report,
    rows: Vec<Vec<String>>,
) -> Result<ResultFiles, IpcError> {
    let laptop = state.laptop()?;
    let dir = exports(&app, laptop)?;
    Ok(laptop.save_results(&dir, &title, &report, &rows)?)
}

/// "My annotated copy": the document's newest version with the member's annotations
/// written in as PDF annotations other readers show.
#[tauri::command(async)]
#[instrument(skip(app, state), err(Debug))]
pub fn export_annotated_copy(
    app: AppHandle,
    state: State<'_, AppState>,
    document_id: DocumentId,
    title: String,
) -> Result<ExportedFile, IpcError> {
    let laptop = state.laptop()?;
    let dir = exports(&app, laptop)?;
    Ok(laptop.export_annotated_copy(&dir, document_id, &title)?)
}

/// The member's annotations on a meeting's documents, per agenda item.
#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn my_notes(
    state: State<'_, AppState>,
    meeting_id: MeetingId,
) -> Result<Vec<AgendaNotes>, IpcError> {
    Ok(state.laptop()?.my_notes(meeting_id)?)
}

/// Saves the list of notes the window laid out (in the member's language) as a text file.
#[tauri::command(async)]
#[instrument(skip(app, state, text), err(Debug))]
pub fn save_notes_list(
    app: AppHandle,
    state: State<'_, AppState>,
    title: String,
    text: String,
) -> Result<ExportedFile, IpcError> {
    let laptop = state.laptop()?;
    let dir = exports(&app, laptop)?;
    Ok(laptop.save_notes_list(&dir, &title, &text)?)
}

/// The decision written so far for each item of a meeting, in agenda order.
#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn decisions(
    state: State<'_, AppState>,
    meeting_id: MeetingId,
) -> Result<Vec<String>, IpcError> {
    Ok(state.laptop()?.decisions(meeting_id)?)
}

#[tauri::command(async)]
#[instrument(skip(state, decision), err(Debug))]
pub fn save_decision(
    state: State<'_, AppState>,
    meeting_id: MeetingId,
    item_id: AgendaItemId,
    decision: String,
) -> Result<(), IpcError> {
    Ok(state
        .laptop()?
        .save_decision(meeting_id, item_id, &decision)?)
}

/// Prints the minutes the window laid out in the member's language.
#[tauri::command(async)]
#[instrument(skip(app, state, report), err(Debug))]
pub fn save_minutes(
    app: AppHandle,
    state: State<'_, AppState>,
    title: String,
    report: Report,
) -> Result<ExportedFile, IpcError> {
    let laptop = state.laptop()?;
    let dir = exports(&app, laptop)?;
    Ok(laptop.save_minutes(&dir, &title, &report)?)
}
