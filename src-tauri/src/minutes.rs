//! The minutes draft: the decision the secretary writes for each agenda item, kept on
//! this laptop, and the minutes printed as PDF with each item's poll results.

use quorum_core::{AgendaItemId, MeetingId};
use quorum_pdf::Report;
use tauri::{AppHandle, State};
use tracing::instrument;

use crate::annotating::{ExportedFile, export_dir, file_name};
use crate::commands::with_store;
use crate::ipc::IpcError;
use crate::profile::AppState;

fn decision_key(meeting_id: MeetingId, item_id: AgendaItemId) -> String {
    format!("minutes.{meeting_id}.{item_id}")
}

/// The decision written so far for each item of a meeting, in agenda order.
#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn decisions(
    state: State<'_, AppState>,
    meeting_id: MeetingId,
) -> Result<Vec<String>, IpcError> {
    with_store(&state, |store| {
        let meeting = store.meeting(meeting_id)?;
        meeting
            .agenda
            .iter()
            .map(|item| {
                Ok(store
                    .setting(&decision_key(meeting_id, item.id))?
                    .unwrap_or_default())
            })
            .collect()
    })
}

#[tauri::command(async)]
#[instrument(skip(state, decision), err(Debug))]
pub fn save_decision(
    state: State<'_, AppState>,
    meeting_id: MeetingId,
    item_id: AgendaItemId,
    decision: String,
) -> Result<(), IpcError> {
    with_store(&state, |store| {
        store.set_setting(&decision_key(meeting_id, item_id), &decision)
    })
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
    let path = export_dir(&app, &state)?.join(file_name(&title, "biên bản.pdf"));
    let pdf = state.pdf.as_ref().map_err(Clone::clone)?;
    pdf.write_report(&path, &report)?;
    Ok(ExportedFile {
        path: path.display().to_string(),
        annotations: 0,
    })
}
