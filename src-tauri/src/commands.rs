//! The commands of the meeting list and the sync bar. Each command: take the arguments,
//! call the laptop, map the error.

use chrono::{DateTime, Utc};
use quorum_app_core::Language;
use quorum_core::{Meeting, MeetingId, MeetingSummary};
use quorum_store::{SearchHit, SinceLastLook};
use tauri::State;
use tracing::instrument;

use crate::errors::IpcError;
use crate::ipc::{PinnedHub, RejectedOperation, SyncView};
use crate::profile::AppState;

laptop_commands! {
    /// The meetings on this laptop, soonest first.
    fn list_meetings() -> Vec<MeetingSummary> = |laptop| laptop.meetings();

    /// One meeting as this laptop holds it.
    fn get_meeting(id: MeetingId) -> Meeting = |laptop| laptop.meeting(id);

    /// What changed in a meeting since the member last looked; records this look.
    fn look_at_meeting(meeting_id: MeetingId) -> SinceLastLook
        = |laptop| laptop.look_at_meeting(meeting_id);

    /// Keeps the member's language on this laptop.
    fn set_language(language: Language) -> () = |laptop| laptop.set_language(language);

    /// The IANA zone the committee's times are read and written in, as its hub sets it.
    fn time_zone() -> String = |laptop| laptop.time_zone();

    /// The instant meant by a date (dd/mm/yyyy) and a time (HH:MM, 24-hour) typed on the
    /// committee's clock.
    fn committee_time(date: String, time: String) -> DateTime<Utc>
        = |laptop| laptop.committee_time(&date, &time);

    /// Whether this laptop syncs with a hub, and how that stands right now.
    fn sync_status() -> SyncView = |laptop| {
        let hub = laptop.enrollment()?.map(|enrollment| PinnedHub {
            url: enrollment.hub_url,
            certificate: enrollment.hub_certificate,
            device_id: enrollment.device_id,
        });
        let status = laptop.sync_status()?;
        Ok::<_, IpcError>(SyncView { enrolled: laptop.engine().is_some(), status, hub })
    };

    /// Operations the hub refused, with its reasons, so the member sees what did not count.
    fn rejected_operations() -> Vec<RejectedOperation> = |laptop| laptop
        .rejected_operations()
        .map(|rejected| rejected.into_iter().map(RejectedOperation::from).collect());

    /// Pages where `query` occurs, ignoring case and diacritics: in one meeting's pack, or
    /// in every document on this laptop.
    fn search(query: String, meeting_id: Option<MeetingId>) -> Vec<SearchHit>
        = |laptop| laptop.search(&query, meeting_id);
}

/// The language chosen on this laptop; Vietnamese until the member switches, and on a
/// laptop whose store cannot be opened (the window then says why in that language).
#[tauri::command(async)]
#[instrument(skip_all)]
pub fn get_language(state: State<'_, AppState>) -> Language {
    state
        .laptop()
        .map(|laptop| laptop.language())
        .unwrap_or_default()
}
