//! Attendance at a meeting: the member's own check-in, the secretary's marks, and the
//! room's quorum.

use chrono::{DateTime, Utc};
use quorum_core::{
    Action, Attendance, AttendanceQuorum, MeetingId, Member, MemberId, OperationPayload,
    attendance_quorum,
};
use rusqlite::{Transaction, params};
use serde::Serialize;
use tracing::instrument;
use ts_rs::TS;

use crate::replica::parsed;
use crate::{Result, Store};

/// One invitee and how they attend, if known yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Attendee {
    pub member: Member,
    pub attendance: Option<Attendance>,
    /// The member's laptop checked them in at this time, before the secretary's mark
    /// that stands; shown so the two can settle it.
    pub disputed_check_in: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AttendanceBoard {
    pub attendees: Vec<Attendee>,
    pub quorum: AttendanceQuorum,
}

impl Store {
    /// Every invitee of a meeting with their attendance, and whether the room has quorum.
    pub fn attendance(&self, meeting_id: MeetingId) -> Result<AttendanceBoard> {
        let meeting = self.meeting(meeting_id)?;
        let mut statement = self
            .conn
            .prepare("SELECT member_id, json, disputed_at FROM attendance WHERE meeting_id = ?1")?;
        let rows = statement.query_map([meeting_id.to_string()], |row| {
            Ok((
                parsed::<MemberId>(row, 0)?,
                row.get::<_, String>(1)?,
                row.get::<_, Option<DateTime<Utc>>>(2)?,
            ))
        })?;
        let mut marked = Vec::new();
        let mut disputed = Vec::new();
        for row in rows {
            let (member, json, disputed_at) = row?;
            marked.push((member, serde_json::from_str::<Attendance>(&json)?));
            if let Some(at) = disputed_at {
                disputed.push((member, at));
            }
        }
        let members = self.members()?;
        let quorum = attendance_quorum(&meeting, &members, &marked);
        let attendees = members
            .into_iter()
            .filter(|m| meeting.invitees.contains(&m.id))
            .map(|member| Attendee {
                attendance: marked
                    .iter()
                    .find(|(id, _)| *id == member.id)
                    .map(|(_, a)| a.clone()),
                disputed_check_in: disputed
                    .iter()
                    .find(|(id, _)| *id == member.id)
                    .map(|(_, at)| *at),
                member,
            })
            .collect();
        Ok(AttendanceBoard { attendees, quorum })
    }

    /// The secretary marks an invitee present, absent with a reason, or replaced.
    #[instrument(skip(self), err)]
    pub fn mark_attendance(
        &mut self,
        meeting_id: MeetingId,
        member_id: MemberId,
        attendance: Attendance,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let payload = OperationPayload::MarkAttendance {
            meeting_id,
            member_id,
            attendance: attendance.clone(),
        };
        self.record_allowed(Action::EditMeeting, meeting_id, now, payload, |tx, _| {
            receive_attendance(tx, meeting_id, member_id, &attendance, None)
        })?;
        Ok(())
    }
}

pub(crate) fn receive_attendance(
    tx: &Transaction,
    meeting_id: MeetingId,
    member_id: MemberId,
    attendance: &Attendance,
    disputed_check_in: Option<DateTime<Utc>>,
) -> Result<()> {
    tx.execute(
        "INSERT INTO attendance (meeting_id, member_id, json, disputed_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (meeting_id, member_id) DO UPDATE SET json = excluded.json,
             disputed_at = excluded.disputed_at",
        params![
            meeting_id.to_string(),
            member_id.to_string(),
            serde_json::to_string(attendance)?,
            disputed_check_in,
        ],
    )?;
    Ok(())
}
