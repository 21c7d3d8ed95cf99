//! The commands of the meeting room: attendance, the floor, and readiness.

use quorum_core::{AgendaItemId, Attendance, FloorAction, MeetingId, MemberId, SpeechKind};
use quorum_store::{AttendanceBoard, InviteeReadiness, ItemFloor};

laptop_commands! {
    /// For the chair and the secretary: which invitees' laptops hold the whole latest pack.
    fn readiness(meeting_id: MeetingId) -> Vec<InviteeReadiness>
        = |laptop| laptop.readiness(meeting_id);

    /// The invitees of a meeting with their attendance, and the room's quorum.
    fn attendance(meeting_id: MeetingId) -> AttendanceBoard
        = |laptop| laptop.attendance(meeting_id);

    /// The member checks in on this laptop.
    fn check_in(meeting_id: MeetingId) -> ()
        = |laptop| laptop.check_in(meeting_id).map(drop);

    /// The secretary marks an invitee present, absent with a reason, or replaced.
    fn mark_attendance(
        meeting_id: MeetingId,
        member_id: MemberId,
        attendance: Attendance,
    ) -> ()
        = |laptop| laptop.mark_attendance(meeting_id, member_id, attendance);

    /// The floor of each agenda item of a meeting: who waits to speak or to question.
    fn floor(meeting_id: MeetingId) -> Vec<ItemFloor>
        = |laptop| laptop.floor(meeting_id);

    /// The member asks to speak, or to question, on an agenda item.
    fn request_floor(
        meeting_id: MeetingId,
        agenda_item_id: AgendaItemId,
        speech: SpeechKind,
    ) -> ()
        = |laptop| laptop.floor_action(meeting_id, agenda_item_id, FloorAction::Request(speech));

    /// The chair gives the floor to a waiting member.
    fn give_floor(
        meeting_id: MeetingId,
        agenda_item_id: AgendaItemId,
        member_id: MemberId,
        speech: SpeechKind,
    ) -> () = |laptop| {
        let action = FloorAction::Give { member_id, speech };
        laptop.floor_action(meeting_id, agenda_item_id, action)
    };

    /// The chair ends the current turn on an agenda item.
    fn end_floor(meeting_id: MeetingId, agenda_item_id: AgendaItemId) -> ()
        = |laptop| laptop.floor_action(meeting_id, agenda_item_id, FloorAction::End);
}
