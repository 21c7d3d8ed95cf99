//! The commands of the meeting room: attendance, voting, and the chair's and secretary's boards: polls of a meeting or written-opinion requests, the
//! member's ballots (signed on this laptop, queued like everything else), and the chair's
//! and secretary's controls. The hub decides what counts; these only queue and show.

use quorum_core::protocol::PollView;
use quorum_core::{
    AgendaItemId, Attendance, Clock, MeetingId, Member, MemberId, Poll, PollId, PollSubject, Role,
    SpeechKind,
};
use quorum_pdf::Report;
use quorum_store::{AttendanceBoard, InviteeReadiness, ItemFloor, MyBallot, Store, StoreError};
use serde::Serialize;
use tauri::{AppHandle, State};
use tracing::instrument;
use ts_rs::TS;

use crate::annotating::{export_dir, file_name};
use crate::commands::with_store;
use crate::ipc::IpcError;
use crate::profile::AppState;

/// A poll as the member's window shows it.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PollCard {
    pub view: PollView,
    /// Ballots cast on this laptop, newest first, with where each stands.
    pub my_ballots: Vec<MyBallot>,
    /// Whose votes this member casts here: their own, and those delegated to them.
    pub votes_for: Vec<MemberId>,
    /// The chair or the secretary: may open and close it.
    pub may_run: bool,
}

fn card(store: &Store, view: PollView, me: Option<&Member>) -> quorum_store::Result<PollCard> {
    let my_ballots = store.my_ballots(view.poll.id)?;
    let mut votes_for = Vec::new();
    if let Some(me) = me {
        if view.eligible.contains(&me.id) {
            votes_for.push(me.id);
        }
        if let PollSubject::AgendaItem { meeting_id, .. } = view.poll.subject {
            votes_for.extend(
                store
                    .delegators(meeting_id, me.id)?
                    .into_iter()
                    .filter(|m| view.eligible.contains(m)),
            );
        }
    }
    let may_run = me.is_some_and(|m| matches!(m.role, Role::Chair | Role::Secretary));
    Ok(PollCard {
        view,
        my_ballots,
        votes_for,
        may_run,
    })
}

/// The polls of a meeting, or with no meeting the written-opinion requests.
#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn polls(
    state: State<'_, AppState>,
    meeting_id: Option<MeetingId>,
) -> Result<Vec<PollCard>, IpcError> {
    with_store(&state, |store| {
        let me = store.me()?;
        store
            .polls(meeting_id)?
            .into_iter()
            .map(|view| card(store, view, me.as_ref()))
            .collect()
    })
}

/// Everyone in the committees on this laptop, to name voters and delegates.
#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn members(state: State<'_, AppState>) -> Result<Vec<Member>, IpcError> {
    with_store(&state, |store| store.members())
}

/// What a new poll is about, from the window.
#[derive(Debug, Clone, serde::Deserialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum NewPollSubject {
    #[serde(rename_all = "camelCase")]
    AgendaItem {
        meeting_id: MeetingId,
        agenda_item_id: AgendaItemId,
    },
    /// A written-opinion request to the member's committee, answered by the deadline.
    #[serde(rename_all = "camelCase")]
    WrittenOpinion {
        closes_at: chrono::DateTime<chrono::Utc>,
    },
}

/// A poll with the committee's usual rules (see [`Poll::standard`]).
#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn create_poll(
    state: State<'_, AppState>,
    subject: NewPollSubject,
    question: String,
    secret: bool,
) -> Result<Poll, IpcError> {
    let now = state.clock.now();
    let poll = with_store(&state, |store| {
        let me = store.me()?.ok_or(StoreError::NotEnrolled)?;
        let (subject, closes_at) = match subject {
            NewPollSubject::AgendaItem {
                meeting_id,
                agenda_item_id,
            } => (
                PollSubject::AgendaItem {
                    meeting_id,
                    agenda_item_id,
                },
                None,
            ),
            NewPollSubject::WrittenOpinion { closes_at } => (
                PollSubject::WrittenOpinion {
                    committee_id: me.committee_id,
                },
                Some(closes_at),
            ),
        };
        let poll = Poll::standard(subject, question, secret, closes_at);
        store.create_poll(&poll, now)?;
        Ok(poll)
    })?;
    state.sync_soon();
    Ok(poll)
}

/// Opens (`open`) or closes a poll; the hub's moment of applying it is what counts.
#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn run_poll(state: State<'_, AppState>, poll_id: PollId, open: bool) -> Result<(), IpcError> {
    let now = state.clock.now();
    with_store(&state, |store| store.run_poll(poll_id, open, now))?;
    state.sync_soon();
    Ok(())
}

/// One click: the member's choice (or the choice for a member who delegated to them),
/// signed here and queued; it counts once the hub takes it.
#[tauri::command(async)]
// Who the ballot is for and what it chose stay out of the log, and so does a refusal's
// detail (it names the option): the window shows it to the member instead.
#[instrument(skip_all, fields(poll = %poll_id))]
pub fn cast_ballot(
    state: State<'_, AppState>,
    poll_id: PollId,
    for_member: MemberId,
    option_key: String,
    comment: Option<String>,
) -> Result<(), IpcError> {
    let now = state.clock.now();
    with_store(&state, |store| {
        store
            .cast_ballot(poll_id, for_member, &option_key, comment, now)
            .map(|_| ())
    })?;
    state.sync_soon();
    Ok(())
}

/// Lets another member vote for this one in a meeting, or takes it back.
#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn delegate(
    state: State<'_, AppState>,
    meeting_id: MeetingId,
    delegate: Option<MemberId>,
) -> Result<(), IpcError> {
    let now = state.clock.now();
    with_store(&state, |store| store.delegate(meeting_id, delegate, now))?;
    state.sync_soon();
    Ok(())
}

/// Whom the member lets vote for them in a meeting, if anyone.
#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn my_delegate(
    state: State<'_, AppState>,
    meeting_id: MeetingId,
) -> Result<Option<MemberId>, IpcError> {
    with_store(&state, |store| store.my_delegate(meeting_id))
}

/// The member this laptop is enrolled as; `None` on a laptop that only holds the sample.
#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn me(state: State<'_, AppState>) -> Result<Option<Member>, IpcError> {
    with_store(&state, |store| store.me())
}

/// The two files of a poll's results.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ResultFiles {
    pub pdf: String,
    pub csv: String,
}

/// Saves a poll's results as the window laid them out in the member's language: a PDF
/// report and a CSV table. For a secret poll the window has nothing linking a member to
/// a choice to lay out: the hub never sent it.
#[tauri::command(async)]
#[instrument(skip(app, state, report, csv), err(Debug))]
pub fn save_results(
    app: AppHandle,
    state: State<'_, AppState>,
    title: String,
    report: Report,
    csv: String,
) -> Result<ResultFiles, IpcError> {
    let dir = export_dir(&app, &state)?;
    let pdf_path = dir.join(file_name(&title, "kết quả.pdf"));
    let csv_path = dir.join(file_name(&title, "kết quả.csv"));
    let pdf = state.pdf.as_ref().map_err(Clone::clone)?;
    pdf.write_report(&pdf_path, &report)?;
    std::fs::write(&csv_path, csv)
        .map_err(|error| IpcError::unreadable_profile(&csv_path, error))?;
    Ok(ResultFiles {
        pdf: pdf_path.display().to_string(),
        csv: csv_path.display().to_string(),
    })
}

/// For the chair and the secretary: which invitees' laptops hold the whole latest pack.
#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn readiness(
    state: State<'_, AppState>,
    meeting_id: MeetingId,
) -> Result<Vec<InviteeReadiness>, IpcError> {
    with_store(&state, |store| store.readiness_board(meeting_id))
}

/// The invitees of a meeting with their attendance, and the room's quorum.
#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn attendance(
    state: State<'_, AppState>,
    meeting_id: MeetingId,
) -> Result<AttendanceBoard, IpcError> {
    with_store(&state, |store| store.attendance(meeting_id))
}

/// The member checks in on this laptop.
#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn check_in(state: State<'_, AppState>, meeting_id: MeetingId) -> Result<(), IpcError> {
    let now = state.clock.now();
    with_store(&state, |store| store.check_in(meeting_id, now).map(|_| ()))?;
    state.sync_soon();
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
    let now = state.clock.now();
    with_store(&state, |store| {
        store.mark_attendance(meeting_id, member_id, attendance, now)
    })?;
    state.sync_soon();
    Ok(())
}

/// The floor of each agenda item of a meeting: who waits to speak or to question.
#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn floor(
    state: State<'_, AppState>,
    meeting_id: MeetingId,
) -> Result<Vec<ItemFloor>, IpcError> {
    with_store(&state, |store| store.floor(meeting_id))
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
    let now = state.clock.now();
    with_store(&state, |store| {
        store.request_floor(meeting_id, agenda_item_id, speech, now)
    })?;
    state.sync_soon();
    Ok(())
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
    let now = state.clock.now();
    with_store(&state, |store| {
        store.give_floor(meeting_id, agenda_item_id, member_id, speech, now)
    })?;
    state.sync_soon();
    Ok(())
}

/// The chair ends the current turn on an agenda item.
#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn end_floor(
    state: State<'_, AppState>,
    meeting_id: MeetingId,
    agenda_item_id: AgendaItemId,
) -> Result<(), IpcError> {
    let now = state.clock.now();
    with_store(&state, |store| {
        store.end_floor(meeting_id, agenda_item_id, now)
    })?;
    state.sync_soon();
    Ok(())
}
