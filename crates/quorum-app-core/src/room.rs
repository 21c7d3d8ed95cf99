//! The meeting room: who is in it, who asks for and has the floor, and which invitees'
//! laptops are ready.

use quorum_core::{AgendaItemId, Attendance, MeetingId, MemberId, Operation, SpeechKind};
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
        let now = self.now();
        self.queue(|store| store.check_in(meeting_id, now))
    }

    /// The secretary marks an invitee present, absent with a reason, or replaced.
    pub fn mark_attendance(
        &self,
        meeting_id: MeetingId,
        member_id: MemberId,
        attendance: Attendance,
    ) -> Result<()> {
        let now = self.now();
        self.queue(|store| store.mark_attendance(meeting_id, member_id, attendance, now))
    }

    /// The floor of each agenda item of a meeting: who waits to speak or to question.
    pub fn floor(&self, meeting_id: MeetingId) -> Result<Vec<ItemFloor>> {
        self.with_store(|store| store.floor(meeting_id))
    }

    /// The member asks to speak, or to question, on an agenda item.
    pub fn request_floor(
        &self,
        meeting_id: MeetingId,
        item_id: AgendaItemId,
        speech: SpeechKind,
    ) -> Result<()> {
        let now = self.now();
        self.queue(|store| store.request_floor(meeting_id, item_id, speech, now))
    }

    /// The chair gives the floor to a waiting member.
    pub fn give_floor(
        &self,
        meeting_id: MeetingId,
        item_id: AgendaItemId,
        member_id: MemberId,
        speech: SpeechKind,
    ) -> Result<()> {
        let now = self.now();
        self.queue(|store| store.give_floor(meeting_id, item_id, member_id, speech, now))
    }

    /// The chair ends the current turn on an agenda item.
    pub fn end_floor(&self, meeting_id: MeetingId, item_id: AgendaItemId) -> Result<()> {
        let now = self.now();
        self.queue(|store| store.end_floor(meeting_id, item_id, now))
    }
}
