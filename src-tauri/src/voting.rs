//! The commands of polls and written opinions: cards to show, ballots and delegation
//! to queue, the chair's and secretary's controls. The hub decides what counts.

use quorum_app_core::{MeetingContext, NewPollSubject, PollCard};
use quorum_core::{MeetingId, Member, MemberId, Poll, PollId, STANDARD_GRACE_SECONDS};
use tauri::State;
use tracing::instrument;

use crate::errors::IpcError;
use crate::profile::AppState;

laptop_commands! {
    /// The polls of a meeting, or with no meeting the written-opinion requests.
    fn polls(meeting_id: Option<MeetingId>) -> Vec<PollCard> = |laptop| laptop.polls(meeting_id);

    /// Everyone in the committees on this laptop, to name voters and delegates.
    fn members() -> Vec<Member> = |laptop| laptop.members();

    /// The member this laptop is enrolled as; `None` on a laptop that only holds the sample.
    fn me() -> Option<Member> = |laptop| laptop.me();

    /// What a meeting's page needs once: the member, the committee's members, and what the
    /// member may do there (or with no meeting, in their committee): the window shows or
    /// hides controls by it.
    fn meeting_context(meeting_id: Option<MeetingId>) -> MeetingContext
        = |laptop| laptop.meeting_context(meeting_id);

    /// A poll with the committee's usual rules, queued.
    fn create_poll(subject: NewPollSubject, question: String, secret: bool) -> Poll
        = |laptop| laptop.create_poll(subject, question, secret, STANDARD_GRACE_SECONDS);

    /// Opens (`open`) or closes a poll; the hub's moment of applying it is what counts.
    fn run_poll(poll_id: PollId, open: bool) -> () = |laptop| laptop.run_poll(poll_id, open);

    /// Lets another member vote for this one in a meeting, or takes it back.
    fn delegate(meeting_id: MeetingId, delegate: Option<MemberId>) -> ()
        = |laptop| laptop.delegate(meeting_id, delegate);

    /// Whom the member lets vote for them in a meeting, if anyone.
    fn my_delegate(meeting_id: MeetingId) -> Option<MemberId>
        = |laptop| laptop.my_delegate(meeting_id);
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
    state
        .laptop()?
        .cast_ballot(poll_id, Some(for_member), &option_key, comment)?;
    Ok(())
}
