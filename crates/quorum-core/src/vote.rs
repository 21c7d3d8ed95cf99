//! The rules that make a vote count: when a ballot is in time, and what the ballots
//! add up to. The hub applies them; the window shows their results.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{
    MajorityBasis, MajorityRule, Meeting, Member, MemberId, Poll, PollSubject, QuorumRule, Role,
};

/// Where a poll stands. Only the hub opens and closes a poll, on its own clock: a
/// device's clock never decides that voting has started or ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum PollState {
    Draft,
    #[serde(rename_all = "camelCase")]
    Open {
        opened_at: DateTime<Utc>,
    },
    #[serde(rename_all = "camelCase")]
    Closed {
        opened_at: DateTime<Utc>,
        closed_at: DateTime<Utc>,
    },
}

/// How far ahead of the hub a device's clock may run: a ballot "cast" later than this
/// after it arrived was stamped by a wrong clock.
pub const MAX_CLOCK_AHEAD: Duration = Duration::minutes(5);

/// Whether an accepted ballot arrived while the poll was open, or after it closed but
/// within the grace period (shown as late in the results).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Timing {
    OnTime,
    Late,
}

/// Why a ballot does not count, judged on time alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TimingError {
    #[error("the poll has not been opened")]
    NotOpen,
    #[error("the ballot was cast after the poll closed")]
    CastAfterClose,
    #[error("the ballot reached the hub after the grace period")]
    AfterGrace,
    #[error("the ballot's time is ahead of the hub's clock")]
    FromTheFuture,
}

impl PollState {
    /// The state at `now`: a poll with a deadline is closed once the deadline passed,
    /// even if nobody closed it by hand.
    pub fn at(self, poll: &Poll, now: DateTime<Utc>) -> Self {
        match (self, poll.closes_at) {
            (Self::Open { opened_at }, Some(deadline)) if now >= deadline => Self::Closed {
                opened_at,
                closed_at: deadline,
            },
            (state, _) => state,
        }
    }

    pub fn is_open(self) -> bool {
        matches!(self, Self::Open { .. })
    }
}

/// The validity rule, settled once for hub, tests and README: a ballot counts if it
/// reaches the hub while the poll is open; or, after the hub closed the poll, if it was
/// cast (by the device's signed clock) before the close and reaches the hub within the
/// poll's grace period. Ballots stamped more than [`MAX_CLOCK_AHEAD`] after their
/// arrival are refused.
pub fn judge_timing(
    poll: &Poll,
    state: PollState,
    cast_at: DateTime<Utc>,
    received_at: DateTime<Utc>,
) -> Result<Timing, TimingError> {
    if cast_at > received_at + MAX_CLOCK_AHEAD {
        return Err(TimingError::FromTheFuture);
    }
    match state.at(poll, received_at) {
        PollState::Draft => Err(TimingError::NotOpen),
        PollState::Open { .. } => Ok(Timing::OnTime),
        PollState::Closed { closed_at, .. } => {
            if cast_at > closed_at {
                Err(TimingError::CastAfterClose)
            } else if received_at > closed_at + Duration::seconds(poll.late_grace_seconds.into()) {
                Err(TimingError::AfterGrace)
            } else {
                Ok(Timing::Late)
            }
        }
    }
}

/// Who may vote in `poll`: the voting invitees (chair, members) of its meeting, or for
/// a written opinion every voting member of the committee. `meeting` is the poll's
/// meeting, if it belongs to one.
pub fn eligible_voters(
    poll: &Poll,
    committee: &[Member],
    meeting: Option<&Meeting>,
) -> Vec<MemberId> {
    let votes = |m: &&Member| matches!(m.role, Role::Chair | Role::Member);
    match (&poll.subject, meeting) {
        (PollSubject::AgendaItem { .. }, Some(meeting)) => committee
            .iter()
            .filter(votes)
            .filter(|m| meeting.invitees.contains(&m.id))
            .map(|m| m.id)
            .collect(),
        (PollSubject::AgendaItem { .. }, None) => Vec::new(),
        (PollSubject::WrittenOpinion { committee_id }, _) => committee
            .iter()
            .filter(votes)
            .filter(|m| m.committee_id == *committee_id)
            .map(|m| m.id)
            .collect(),
    }
}

/// One counted ballot, as the tally needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counted {
    pub member_id: MemberId,
    pub option_key: String,
    pub timing: Timing,
    /// Cast by a delegate for this member.
    pub delegated: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OptionCount {
    pub key: String,
    pub label: String,
    pub count: u32,
}

/// What the ballots add up to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Tally {
    /// Per option, in the poll's order.
    pub counts: Vec<OptionCount>,
    /// Members whose ballot counts.
    pub answered: u32,
    /// Members entitled to vote.
    pub eligible: u32,
    pub late: u32,
    pub delegated: u32,
    pub quorum_met: bool,
    /// Whether the first option (agree) has the majority the poll asks for, with quorum.
    pub passed: bool,
}

/// Adds up `counted` (one per member) for `poll`, with `eligible` members entitled.
pub fn tally(poll: &Poll, eligible: u32, counted: &[Counted]) -> Tally {
    let counts: Vec<OptionCount> = poll
        .options
        .iter()
        .map(|option| OptionCount {
            key: option.key.clone(),
            label: option.label.clone(),
            count: counted
                .iter()
                .filter(|c| c.option_key == option.key)
                .count() as u32,
        })
        .collect();
    let answered = counted.len() as u32;
    let quorum_met = match poll.quorum {
        QuorumRule::Count { members } => answered >= members,
        QuorumRule::Percent { percent } => answered * 100 >= u32::from(percent) * eligible,
    };
    let basis = match poll.majority_basis {
        MajorityBasis::AllMembers => eligible,
        MajorityBasis::VotesCast => answered,
    };
    let yes = counts.first().map_or(0, |c| c.count);
    let majority = match poll.majority {
        MajorityRule::Simple => yes * 2 > basis,
        MajorityRule::TwoThirds => yes * 3 >= basis * 2 && yes > 0,
    };
    Tally {
        counts,
        answered,
        eligible,
        late: counted.iter().filter(|c| c.timing == Timing::Late).count() as u32,
        delegated: counted.iter().filter(|c| c.delegated).count() as u32,
        quorum_met,
        passed: quorum_met && majority,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meeting::tests::at;

    /// A poll with no times of its own: only its state says when ballots count.
    fn poll() -> Poll {
        Poll {
            opens_at: None,
            closes_at: None,
            ..crate::poll::tests::poll()
        }
    }

    #[test]
    fn a_ballot_counts_while_open_and_late_within_grace_if_cast_before_close() {
        let p = poll();
        let open = PollState::Open {
            opened_at: at(1, 9),
        };
        let closed = PollState::Closed {
            opened_at: at(1, 9),
            closed_at: at(1, 10),
        };
        let minutes = |m| at(1, 10) + Duration::minutes(m);
        assert_eq!(
            judge_timing(&p, PollState::Draft, at(1, 9), at(1, 9)),
            Err(TimingError::NotOpen)
        );
        assert_eq!(
            judge_timing(&p, open, at(1, 9), minutes(-30)),
            Ok(Timing::OnTime)
        );
        assert_eq!(
            judge_timing(&p, closed, minutes(-1), minutes(9)),
            Ok(Timing::Late),
            "cast offline a minute before close, uploaded nine minutes after: late but counted"
        );
        assert_eq!(
            judge_timing(&p, closed, minutes(-1), minutes(11)),
            Err(TimingError::AfterGrace),
            "past the ten-minute grace"
        );
        assert_eq!(
            judge_timing(&p, closed, minutes(1), minutes(2)),
            Err(TimingError::CastAfterClose)
        );
        assert_eq!(
            judge_timing(&p, open, minutes(-27), minutes(-30)),
            Ok(Timing::OnTime),
            "a clock a few minutes fast is tolerated"
        );
        assert_eq!(
            judge_timing(&p, closed, minutes(60), minutes(2)),
            Err(TimingError::FromTheFuture),
            "a clock an hour fast is not"
        );
    }

    #[test]
    fn a_written_opinion_closes_itself_at_its_deadline() {
        let p = Poll {
            closes_at: Some(at(3, 17)),
            ..poll()
        };
        let open = PollState::Open {
            opened_at: at(1, 8),
        };
        assert!(open.at(&p, at(3, 16)).is_open());
        assert_eq!(
            open.at(&p, at(3, 18)),
            PollState::Closed {
                opened_at: at(1, 8),
                closed_at: at(3, 17)
            }
        );
    }

    fn counted(choices: &[&str]) -> Vec<Counted> {
        choices
            .iter()
            .map(|key| Counted {
                member_id: MemberId::new_v7(),
                option_key: (*key).into(),
                timing: Timing::OnTime,
                delegated: false,
            })
            .collect()
    }

    #[test]
    fn more_than_half_of_all_members_passes_a_simple_majority() {
        let p = poll();
        let t = tally(&p, 9, &counted(&["agree"; 5]));
        assert_eq!(
            (t.answered, t.counts[0].count, t.quorum_met, t.passed),
            (5, 5, true, true),
            "5 of 9 agree"
        );
        let t = tally(
            &p,
            10,
            &counted(&["agree", "agree", "agree", "agree", "agree", "disagree"]),
        );
        assert!(!t.passed, "5 of 10 members is not more than half");
        let t = tally(&p, 10, &counted(&["agree"; 5]));
        assert_eq!(
            (t.quorum_met, t.passed),
            (true, false),
            "exactly half answering is a quorum; exactly half agreeing is no majority"
        );
        let t = tally(&p, 10, &counted(&["agree", "agree", "agree", "agree"]));
        assert!(!t.quorum_met && !t.passed, "4 of 10 answered: no quorum");
    }

    #[test]
    fn two_thirds_of_votes_cast() {
        let p = Poll {
            majority: MajorityRule::TwoThirds,
            majority_basis: MajorityBasis::VotesCast,
            quorum: QuorumRule::Count { members: 3 },
            ..poll()
        };
        assert!(
            tally(&p, 20, &counted(&["agree", "agree", "disagree"])).passed,
            "2 of 3"
        );
        assert!(
            !tally(&p, 20, &counted(&["agree", "agree", "disagree", "other"])).passed,
            "2 of 4"
        );
    }
}
