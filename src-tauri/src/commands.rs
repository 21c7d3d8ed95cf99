//! The commands of the meeting list and the sync bar. Each command: take the arguments,
//! call the laptop, map the error.

use quorum_app_core::Language;
use quorum_core::{Meeting, MeetingId, MeetingSummary};
use quorum_store::{SearchHit, SinceLastLook};
use tauri::State;
use tracing::instrument;

use crate::errors::IpcError;
use crate::ipc::{PinnedHub, RejectedOperation, SyncView};
use crate::profile::AppState;

#[tauri::command(async)]
#[instrument(skip_all, err(Debug))]
pub fn list_meetings(state: State<'_, AppState>) -> Result<Vec<MeetingSummary>, IpcError> {
    Ok(state.laptop()?.meetings()?)
}

#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn get_meeting(state: State<'_, AppState>, id: MeetingId) -> Result<Meeting, IpcError> {
    Ok(state.laptop()?.meeting(id)?)
}

/// What changed in a meeting since the member last looked; records this look.
#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn look_at_meeting(
    state: State<'_, AppState>,
    meeting_id: MeetingId,
) -> Result<SinceLastLook, IpcError> {
    Ok(state.laptop()?.look_at_meeting(meeting_id)?)
}

/// The language chosen on this laptop; Vietnamese until the member switches.
#[tauri::command(async)]
#[instrument(skip_all, err(Debug))]
pub fn get_language(state: State<'_, AppState>) -> Result<Language, IpcError> {
    Ok(state
        .laptop()
        .map(|laptop| laptop.language())
        .unwrap_or_default())
}

#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn set_language(state: State<'_, AppState>, language: Language) -> Result<(), IpcError> {
    Ok(state.laptop()?.set_language(language)?)
}

/// Whether this laptop syncs with a hub, and how that stands right now.
#[tauri::command(async)]
#[instrument(skip_all, err(Debug))]
pub fn sync_status(state: State<'_, AppState>) -> Result<SyncView, IpcError> {
    let laptop = state.laptop()?;
    let hub = laptop.enrollment()?.map(|enrollment| PinnedHub {
        url: enrollment.hub_url,
        certificate: enrollment.hub_certificate,
    });
    Ok(SyncView {
        enrolled: laptop.engine().is_some(),
        status: laptop.sync_status()?,
        hub,
    })
}

/// Operations the hub refused, with its reasons, so the member sees what did not count.
#[tauri::command(async)]
#[instrument(skip_all, err(Debug))]
pub fn rejected_operations(state: State<'_, AppState>) -> Result<Vec<RejectedOperation>, IpcError> {
    let rejected = state.laptop()?.rejected_operations()?;
    Ok(rejected.into_iter().map(RejectedOperation::from).collect())
}

/// Pages where `query` occurs, ignoring case and diacritics: in one meeting's pack, or
/// in every document on this laptop.
#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn search(
    state: State<'_, AppState>,
    query: String,
    meeting_id: Option<MeetingId>,
) -> Result<Vec<SearchHit>, IpcError> {
    Ok(state.laptop()?.search(&query, meeting_id)?)
}
