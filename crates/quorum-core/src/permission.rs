//! Who may see and do what in a meeting. One function, [`decide`], so the hub, the
//! store and the UI ask the same question and get the same answer.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{CommitteeId, Meeting, MeetingStatus, Member, MemberId, Role};

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
    let secretary = prepares_meetings(actor.role);
    if !secretary {
        // Everyone but the secretary sees only meetings they are invited to, once published.
        if !meeting.invitees.contains(&actor.id) {
            return Err(Denied::NotInvited);
        }
        if meeting.status == Draft {
            return Err(Denied::NotPublished);
        }
    }
    let votes_and_speaks = votes(actor.role);

    match action {
        ViewMeeting | Annotate => Ok(()),
        ShareAnnotation if actor.role == Role::Observer => Err(Denied::ObserverReadsOnly),
        ShareAnnotation => Ok(()),
        EditMeeting if !secretary => Err(Denied::SecretaryOnly),
        EditMeeting | Vote | CheckIn if meeting.status == Closed => Err(Denied::MeetingClosed),
        EditMeeting => Ok(()),
        Vote if !votes_and_speaks => Err(Denied::NonVotingRole),
        Vote => Ok(()),
        RunPoll if !runs_polls(actor.role) => Err(Denied::ChairOrSecretaryOnly),
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

/// The role that prepares and edits meetings, and sees them as drafts.
fn prepares_meetings(role: Role) -> bool {
    role == Role::Secretary
}

/// The roles that vote and speak.
fn votes(role: Role) -> bool {
    matches!(role, Role::Chair | Role::Member)
}

/// The roles that prepare, open and close polls.
fn runs_polls(role: Role) -> bool {
    matches!(role, Role::Chair | Role::Secretary)
}

/// Whether `actor` may prepare, open or close a written-opinion request to the
/// committee `committee_id`.
pub fn may_ask_written_opinion(actor: &Member, committee_id: CommitteeId) -> Result<(), Denied> {
    if actor.committee_id != committee_id {
        Err(Denied::OtherCommittee)
    } else if !runs_polls(actor.role) {
        Err(Denied::ChairOrSecretaryOnly)
    } else {
        Ok(())
    }
}

/// What a member may do, each answer [`decide`]'s, sent to the window with the data so
/// it shows or hides controls without deciding anything itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Capabilities {
    /// Edit the meeting, mark attendance, tie a folder (the secretary).
    pub edit_meeting: bool,
    /// Prepare, open and close polls; give and end the floor.
    pub run_polls: bool,
    pub vote: bool,
    pub check_in: bool,
    pub request_to_speak: bool,
    pub share_annotations: bool,
    /// Members this one may let vote for them: the other invitees who vote.
    pub delegates: Vec<MemberId>,
}

impl Capabilities {
    /// In `meeting`, among the committee's `members`.
    pub fn in_meeting(actor: &Member, meeting: &Meeting, members: &[Member]) -> Self {
        let may = |action| decide(actor, action, meeting).is_ok();
        let vote = may(Action::Vote);
        let delegates = if vote {
            members
                .iter()
                .filter(|m| m.id != actor.id && decide(m, Action::Vote, meeting).is_ok())
                .map(|m| m.id)
                .collect()
        } else {
            Vec::new()
        };
        Self {
            edit_meeting: may(Action::EditMeeting),
            run_polls: may(Action::RunPoll),
            vote,
            check_in: may(Action::CheckIn),
            request_to_speak: may(Action::RequestToSpeak),
            share_annotations: may(Action::ShareAnnotation),
            delegates,
        }
    }

    /// Outside any meeting: preparing meetings, and the committee's written opinions.
    pub fn in_committee(actor: &Member) -> Self {
        Self {
            edit_meeting: prepares_meetings(actor.role),
            run_polls: may_ask_written_opinion(actor, actor.committee_id).is_ok(),
            vote: votes(actor.role),
            ..Self::default()
        }
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

    /// A published meeting inviting one member of each role, plus `extra` invitees.
    fn room(status: MeetingStatus) -> (Meeting, [Member; 4]) {
        let mut m = meeting("Phiên họp", at(1, 8));
        m.status = status;
        let people = [Role::Secretary, Role::Chair, Role::Member, Role::Observer]
            .map(|role| member(&m, role));
        m.invitees.extend(people.iter().map(|p| p.id));
        (m, people)
    }

    #[test]
    fn capabilities_follow_decide_for_each_role() {
        let (m, people) = room(InSession);
        let [secretary, chair, voter, observer] = &people;
        let outsider = member(&m, Role::Member);
        let mut members = people.to_vec();
        members.push(outsider.clone());
        let of = |who: &Member| Capabilities::in_meeting(who, &m, &members);

        let chair_may = of(chair);
        assert!(
            chair_may.run_polls && chair_may.vote && chair_may.check_in && !chair_may.edit_meeting,
            "the chair runs polls and votes but does not edit: {chair_may:?}"
        );
        assert_eq!(
            chair_may.delegates,
            vec![voter.id],
            "the chair may delegate to the other invitee who votes; not to the secretary, \
             the observer, an uninvited member or themself"
        );
        let secretary_may = of(secretary);
        assert!(
            secretary_may.edit_meeting
                && secretary_may.run_polls
                && !secretary_may.vote
                && !secretary_may.check_in
                && secretary_may.delegates.is_empty(),
            "the secretary edits and runs polls, and neither votes nor delegates: {secretary_may:?}"
        );
        assert_eq!(
            of(observer),
            Capabilities {
                check_in: true,
                ..Capabilities::default()
            },
            "an observer reads, and checks in to be counted present"
        );
        let voter_may = of(voter);
        assert!(
            voter_may.vote && voter_may.request_to_speak && !voter_may.run_polls,
            "a member votes and speaks, and runs nothing: {voter_may:?}"
        );
        assert_eq!(
            of(&outsider),
            Capabilities::default(),
            "a member not invited may do nothing in the meeting"
        );
    }

    #[test]
    fn in_a_closed_meeting_nobody_votes_checks_in_or_edits() {
        let (m, people) = room(Closed);
        for who in &people {
            let may = Capabilities::in_meeting(who, &m, &people);
            assert!(
                !may.vote && !may.check_in && !may.edit_meeting && !may.run_polls,
                "{:?}: {may:?}",
                who.role
            );
        }
    }

    #[test]
    fn outside_meetings_the_secretary_prepares_and_the_chair_asks_for_written_opinions() {
        let (m, [secretary, chair, voter, observer]) = room(Published);
        let secretary_may = Capabilities::in_committee(&secretary);
        assert!(secretary_may.edit_meeting && secretary_may.run_polls && !secretary_may.vote);
        let chair_may = Capabilities::in_committee(&chair);
        assert!(!chair_may.edit_meeting && chair_may.run_polls && chair_may.vote);
        let voter_may = Capabilities::in_committee(&voter);
        assert!(!voter_may.run_polls && voter_may.vote);
        assert_eq!(
            Capabilities::in_committee(&observer),
            Capabilities::default()
        );
        assert_eq!(
            may_ask_written_opinion(&chair, CommitteeId::new_v7()),
            Err(Denied::OtherCommittee),
            "never of another committee (meeting {})",
            m.id
        );
    }
}
