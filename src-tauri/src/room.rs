//! The commands of the meeting room: attendance, the floor, and readiness.

use quorum_core::{AgendaItemId, Attendance, MeetingId, MemberId, SpeechKind};
use quorum_store::{AttendanceBoard, InviteeReadiness, ItemFloor};
use tauri::State;
use tracing::instrument;

use crate::errors::IpcError;
use crate::profile::AppState;

/// For the chair and the secretary: which invitees' laptops hold the whole latest pack.
#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn readiness(
    state: State<'_, AppState>,
    meeting_id: MeetingId,
) -> Result<Vec<InviteeReadiness>, IpcError> {
    Ok(state.laptop()?.readiness(meeting_id)?)
}

/// The invitees of a meeting with their attendance, and the room's quorum.
#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn attendance(
    state: State<'_, AppState>,
    meeting_id: MeetingId,
) -> Result<AttendanceBoard, IpcError> {
    Ok(state.laptop()?.attendance(meeting_id)?)
}

/// The member checks in on this laptop.
#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn check_in(state: State<'_, AppState>, meeting_id: MeetingId) -> Result<(), IpcError> {
    state.laptop()?.check_in(meeting_id)?;
    Ok(())
}

/// The secretary marks an invitee present, absent with a reason, or replaced.
#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn mark_attendance(
    state: State<'_, AppState>,
    meeting_id: MeetingId,
    member_id: MemberId,
    attendance: Attendance,
) -> Result<(), IpcError> {
    Ok(state
        .laptop()?
        .mark_attendance(meeting_id, member_id, attendance)?)
}

/// The floor of each agenda item of a meeting: who waits to speak or to question.
#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn floor(
    state: State<'_, AppState>,
    meeting_id: MeetingId,
) -> Result<Vec<ItemFloor>, IpcError> {
    Ok(state.laptop()?.floor(meeting_id)?)
}

/// The member asks to speak, or to question, on an agenda item.
#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn request_floor(
    state: State<'_, AppState>,
    meeting_id: MeetingId,
    agenda_item_id: AgendaItemId,
    speech: SpeechKind,
) -> Result<(), IpcError> {
    Ok(state
        .laptop()?
        .request_floor(meeting_id, agenda_item_id, speech)?)
}

/// The chair gives the floor to a waiting member.
#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn give_floor(
    state: State<'_, AppState>,
    meeting_id: MeetingId,
    agenda_item_id: AgendaItemId,
    member_id: MemberId,
    speech: SpeechKind,
) -> Result<(), IpcError> {
    Ok(state
        .laptop()?
        .give_floor(meeting_id, agenda_item_id, member_id, speech)?)
}

/// The chair ends the current turn on an agenda item.
#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn end_floor(
    state: State<'_, AppState>,
    meeting_id: MeetingId,
    agenda_item_id: AgendaItemId,
) -> Result<(), IpcError> {
    Ok(state.laptop()?.end_floor(meeting_id, agenda_item_id)?)
}
