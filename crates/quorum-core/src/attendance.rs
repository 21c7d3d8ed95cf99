//! Who is in the room: members check in on their laptops, the secretary marks the
//! others by hand; quorum is counted from it.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{Meeting, Member, MemberId, Role};

/// One invitee's attendance at a meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Attendance {
    Present,
    /// Excused or not, with the reason the secretary was given.
    Absent {
        reason: String,
    },
    /// Someone attends in the member's place (người dự thay), named here.
    Substitute {
        by: String,
    },
}

/// The room's count against the meeting's voting invitees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AttendanceQuorum {
    /// Voting invitees present in person or through a substitute.
    pub present: u32,
    /// Voting invitees (chair and members).
    pub voting: u32,
    /// More than half of the voting invitees are in the room.
    pub met: bool,
}

/// Counts the room: a substitute stands for the member they replace.
pub fn attendance_quorum(
    meeting: &Meeting,
    members: &[Member],
    marked: &[(MemberId, Attendance)],
) -> AttendanceQuorum {
    let voting: Vec<MemberId> = members
        .iter()
        .filter(|m| matches!(m.role, Role::Chair | Role::Member))
        .filter(|m| meeting.invitees.contains(&m.id))
        .map(|m| m.id)
        .collect();
    let present = voting
        .iter()
        .filter(|id| {
            marked.iter().any(|(member, attendance)| {
                member == *id && !matches!(attendance, Attendance::Absent { .. })
            })
        })
        .count() as u32;
    let voting = voting.len() as u32;
    AttendanceQuorum {
        present,
        voting,
        met: present * 2 > voting,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meeting::tests::{at, meeting};
    use crate::{CommitteeId, MemberId};

    fn member(committee_id: CommitteeId, role: Role) -> Member {
        Member {
            id: MemberId::new_v7(),
            committee_id,
            full_name: "Thành viên".into(),
            position: String::new(),
            role,
        }
    }

    #[test]
    fn exactly_half_of_the_voting_invitees_is_no_quorum() {
        let committee = CommitteeId::new_v7();
        let voters: Vec<Member> = (0..6).map(|_| member(committee, Role::Member)).collect();
        let meeting = Meeting {
            invitees: voters.iter().map(|m| m.id).collect(),
            ..meeting("Phiên họp", at(1, 8))
        };
        let present = |n: usize| -> Vec<(MemberId, Attendance)> {
            voters[..n]
                .iter()
                .map(|m| (m.id, Attendance::Present))
                .collect()
        };
        assert!(
            !attendance_quorum(&meeting, &voters, &present(3)).met,
            "3 of 6 is half, not more"
        );
        assert!(
            attendance_quorum(&meeting, &voters, &present(4)).met,
            "4 of 6"
        );
    }

    #[test]
    fn more_than_half_of_the_voting_invitees_in_the_room_is_a_quorum() {
        let committee = CommitteeId::new_v7();
        let voters: Vec<Member> = (0..5).map(|_| member(committee, Role::Member)).collect();
        let secretary = member(committee, Role::Secretary);
        let mut everyone = voters.clone();
        everyone.push(secretary.clone());
        let meeting = Meeting {
            invitees: everyone.iter().map(|m| m.id).collect(),
            ..meeting("Phiên họp", at(1, 8))
        };
        let mut marked = vec![
            (voters[0].id, Attendance::Present),
            (
                voters[1].id,
                Attendance::Substitute {
                    by: "Phó phòng".into(),
                },
            ),
            (
                voters[2].id,
                Attendance::Absent {
                    reason: "Đi công tác".into(),
                },
            ),
            (secretary.id, Attendance::Present),
        ];
        assert_eq!(
            attendance_quorum(&meeting, &everyone, &marked),
            AttendanceQuorum {
                present: 2,
                voting: 5,
                met: false
            },
            "a substitute counts, an absence and the secretary do not: 2 of 5"
        );
        marked.push((voters[3].id, Attendance::Present));
        assert!(
            attendance_quorum(&meeting, &everyone, &marked).met,
            "3 of 5"
        );
    }
}
