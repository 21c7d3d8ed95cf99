//! The meeting room: who is in it, who asks for and has the floor, and which invitees'
//! laptops are ready.

use quorum_core::{AgendaItemId, Attendance, FloorAction, MeetingId, MemberId, Operation};
use quorum_store::{AttendanceBoard, InviteeReadiness, ItemFloor};

use crate::{Laptop, Result};

impl Laptop {
    /// For the chair and the secretary: which invitees' laptops hold the whole latest
    /// pack, and what each last reported.
    pub fn readiness(&self, meeting_id: MeetingId) -> Result<Vec<InviteeReadiness>> {
        self.with_store(|store| store.readiness_board(meeting_id))
    }

    /// The invitees of a meeting with their attendance, and the room's quorum.
    pub fn attendance(&self, meeting_id: MeetingId) -> Result<AttendanceBoard> {
        self.with_store(|store| store.attendance(meeting_id))
    }

    /// The member checks in on this laptop.
    pub fn check_in(&self, meeting_id: MeetingId) -> Result<Operation> {
        self.queue(|store, now| store.check_in(meeting_id, now))
    }

    /// The secretary marks an invitee present, absent with a reason, or replaced.
    pub fn mark_attendance(
        &self,
        meeting_id: MeetingId,
        member_id: MemberId,
        attendance: Attendance,
    ) -> Result<()> {
        self.queue(|store, now| store.mark_attendance(meeting_id, member_id, attendance, now))
    }

    /// The floor of each agenda item of a meeting: who waits to speak or to question.
    pub fn floor(&self, meeting_id: MeetingId) -> Result<Vec<ItemFloor>> {
        self.with_store(|store| store.floor(meeting_id))
    }

    /// Asks for, gives or ends the floor on an agenda item, as `action` says.
    pub fn floor_action(
        &self,
        meeting_id: MeetingId,
        item_id: AgendaItemId,
        action: FloorAction,
    ) -> Result<()> {
        self.queue(|store, now| store.floor_action(meeting_id, item_id, action, now))
    }
}
