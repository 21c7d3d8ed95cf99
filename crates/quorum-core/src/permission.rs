//! Who may see and do what in a meeting. One function, [`decide`], so the hub, the
//! store and the UI ask the same question and get the same answer.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{Meeting, MeetingStatus, Member, Role};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Action {
    ViewMeeting,
    EditMeeting,
    /// Private annotations on the meeting's documents.
    Annotate,
    ShareAnnotation,
    Vote,
    /// Open and close polls in the meeting.
    RunPoll,
    CheckIn,
    RequestToSpeak,
}

/// Why an action is refused; the UI shows a sentence for each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, thiserror::Error)]
#[serde(rename_all = "camelCase")]
pub enum Denied {
    #[error("the meeting belongs to another committee")]
    OtherCommittee,
    #[error("the member is not invited to this meeting")]
    NotInvited,
    #[error("the meeting has not been published yet")]
    NotPublished,
    #[error("the meeting is closed")]
    MeetingClosed,
    #[error("only the secretary may do this")]
    SecretaryOnly,
    #[error("only the chair or the secretary may do this")]
    ChairOrSecretaryOnly,
    #[error("this role does not vote or speak")]
    NonVotingRole,
    #[error("observers read only")]
    ObserverReadsOnly,
}

/// Decides whether `actor` may do `action` in `meeting`.
pub fn decide(actor: &Member, action: Action, meeting: &Meeting) -> Result<(), Denied> {
    use Action::*;
    use MeetingStatus::*;

    if actor.committee_id != meeting.committee_id {
        return Err(Denied::OtherCommittee);
    }
    let secretary = actor.role == Role::Secretary;
    if !secretary {
        // Everyone but the secretary sees only meetings they are invited to, once published.
        if !meeting.invitees.contains(&actor.id) {
            return Err(Denied::NotInvited);
        }
        if meeting.status == Draft {
            return Err(Denied::NotPublished);
        }
    }
    let votes_and_speaks = matches!(actor.role, Role::Chair | Role::Member);

    match action {
        ViewMeeting | Annotate => Ok(()),
        ShareAnnotation if actor.role == Role::Observer => Err(Denied::ObserverReadsOnly),
        ShareAnnotation => Ok(()),
        EditMeeting if !secretary => Err(Denied::SecretaryOnly),
        EditMeeting | Vote | CheckIn if meeting.status == Closed => Err(Denied::MeetingClosed),
        EditMeeting => Ok(()),
        Vote if !votes_and_speaks => Err(Denied::NonVotingRole),
        Vote => Ok(()),
        RunPoll if !matches!(actor.role, Role::Chair | Role::Secretary) => {
            Err(Denied::ChairOrSecretaryOnly)
        }
        // Polls run on the meeting's day, before anyone marks the session started.
        RunPoll if meeting.status == Closed => Err(Denied::MeetingClosed),
        RunPoll => Ok(()),
        // The floor, like polls, runs on the meeting's day without a separate start.
        RequestToSpeak if meeting.status == Closed => Err(Denied::MeetingClosed),
        CheckIn if secretary => Err(Denied::NonVotingRole),
        CheckIn => Ok(()),
        RequestToSpeak if !votes_and_speaks => Err(Denied::NonVotingRole),
        RequestToSpeak => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meeting::tests::{at, meeting};
    use crate::{CommitteeId, MemberId};
    use Action::*;
    use MeetingStatus::*;

    fn member(meeting: &Meeting, role: Role) -> Member {
        Member {
            id: MemberId::new_v7(),
            committee_id: meeting.committee_id,
            full_name: "Nguyễn Văn A".into(),
            position: "Ủy viên".into(),
            role,
        }
    }

    /// Builds a meeting in `status` with an invited actor of `role` and asks `decide`.
    fn ask(role: Role, status: MeetingStatus, action: Action) -> Result<(), Denied> {
        let mut m = meeting("Phiên họp", at(1, 8));
        m.status = status;
        let actor = member(&m, role);
        m.invitees.push(actor.id);
        decide(&actor, action, &m)
    }

    #[test]
    fn the_role_table_holds() {
        use Role::*;
        let ok = Ok(());
        let table: Vec<(Role, MeetingStatus, Action, Result<(), Denied>)> = vec![
            // Reading and private notes: everyone invited to a published meeting.
            (Observer, Published, ViewMeeting, ok),
            (Observer, Published, Annotate, ok),
            (
                Observer,
                Published,
                ShareAnnotation,
                Err(Denied::ObserverReadsOnly),
            ),
            (Member, Published, ShareAnnotation, ok),
            // Drafts are the secretary's alone.
            (Secretary, Draft, ViewMeeting, ok),
            (Secretary, Draft, EditMeeting, ok),
            (Chair, Draft, ViewMeeting, Err(Denied::NotPublished)),
            (Member, Draft, Annotate, Err(Denied::NotPublished)),
            // Editing.
            (Chair, Published, EditMeeting, Err(Denied::SecretaryOnly)),
            (Secretary, Closed, EditMeeting, Err(Denied::MeetingClosed)),
            // Voting.
            (Member, InSession, Vote, ok),
            (Chair, Published, Vote, ok),
            (Member, Closed, Vote, Err(Denied::MeetingClosed)),
            (Observer, InSession, Vote, Err(Denied::NonVotingRole)),
            (Secretary, InSession, Vote, Err(Denied::NonVotingRole)),
            // Running polls.
            (Chair, InSession, RunPoll, ok),
            (Secretary, InSession, RunPoll, ok),
            (Chair, Published, RunPoll, ok),
            (Chair, Closed, RunPoll, Err(Denied::MeetingClosed)),
            (
                Member,
                InSession,
                RunPoll,
                Err(Denied::ChairOrSecretaryOnly),
            ),
            // Attendance and the floor.
            (Member, Published, CheckIn, ok),
            (Observer, InSession, CheckIn, ok),
            (Secretary, InSession, CheckIn, Err(Denied::NonVotingRole)),
            (Member, Closed, CheckIn, Err(Denied::MeetingClosed)),
            (Member, InSession, RequestToSpeak, ok),
            (Member, Published, RequestToSpeak, ok),
            (Member, Closed, RequestToSpeak, Err(Denied::MeetingClosed)),
            (
                Observer,
                InSession,
                RequestToSpeak,
                Err(Denied::NonVotingRole),
            ),
        ];
        for (role, status, action, expected) in table {
            assert_eq!(
                ask(role, status, action),
                expected,
                "{role:?} asking to {action:?} in a {status:?} meeting"
            );
        }
    }

    #[test]
    fn members_of_another_committee_get_nothing() {
        let mut m = meeting("Phiên họp", at(1, 8));
        let mut stranger = member(&m, Role::Secretary);
        stranger.committee_id = CommitteeId::new_v7();
        m.invitees.push(stranger.id);
        for action in [ViewMeeting, EditMeeting, Annotate, Vote] {
            assert_eq!(
                decide(&stranger, action, &m),
                Err(Denied::OtherCommittee),
                "even an invited secretary of another committee may not {action:?}"
            );
        }
    }

    #[test]
    fn members_not_invited_see_nothing() {
        let m = meeting("Phiên họp", at(1, 8));
        let uninvited = member(&m, Role::Chair);
        assert_eq!(
            decide(&uninvited, ViewMeeting, &m),
            Err(Denied::NotInvited),
            "a meeting is visible only to its invitees and the secretary"
        );
    }
}
