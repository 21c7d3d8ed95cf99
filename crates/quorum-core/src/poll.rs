use std::collections::HashSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{AgendaItemId, CommitteeId, DeviceId, MeetingId, MemberId, PollId};

/// What a poll is about: an item in a meeting, or a written-opinion request sent to a
/// committee outside any meeting ("lấy ý kiến thành viên").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum PollSubject {
    #[serde(rename_all = "camelCase")]
    AgendaItem {
        meeting_id: MeetingId,
        agenda_item_id: AgendaItemId,
    },
    #[serde(rename_all = "camelCase")]
    WrittenOpinion { committee_id: CommitteeId },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PollOption {
    /// Stable key stored in ballots, e.g. "agree".
    pub key: String,
    pub label: String,
    /// "Ý kiến khác" must come with the member's own words.
    pub requires_comment: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum BallotSecrecy {
    Named,
    Secret,
}

/// How many members must answer for the result to stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum QuorumRule {
    Count { members: u32 },
    Percent { percent: u8 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum MajorityRule {
    Simple,
    TwoThirds,
}

/// What the majority is counted against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum MajorityBasis {
    AllMembers,
    VotesCast,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Poll {
    pub id: PollId,
    pub subject: PollSubject,
    pub question: String,
    pub options: Vec<PollOption>,
    pub secrecy: BallotSecrecy,
    pub opens_at: Option<DateTime<Utc>>,
    pub closes_at: Option<DateTime<Utc>>,
    pub quorum: QuorumRule,
    pub majority: MajorityRule,
    pub majority_basis: MajorityBasis,
    /// How long after closing a ballot cast offline before closing is still accepted
    /// (and shown as late).
    pub late_grace_seconds: u32,
}

/// One member's choice, signed on the device that cast it. The latest ballot of a
/// member (by cast time) counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Ballot {
    pub poll_id: PollId,
    /// Whose vote it is: the voter, or the member who delegated their vote to them.
    pub member_id: MemberId,
    /// Who cast it; differs from `member_id` when a delegate votes.
    pub cast_by: MemberId,
    pub option_key: String,
    pub comment: Option<String>,
    /// The casting device's clock, signed: what the grace rule judges.
    pub cast_at: DateTime<Utc>,
    pub device_id: DeviceId,
    /// The sequence number of the operation carrying it: binds the signature to one
    /// upload from one device, so it cannot be replayed in another.
    #[ts(type = "number")]
    pub device_seq: u64,
    /// Ed25519 signature of [`Ballot::signed_message`] by the device's key, hex.
    pub signature: String,
}

impl Ballot {
    /// The bytes the device signs: every field but the signature, in a fixed order.
    pub fn signed_message(&self) -> Vec<u8> {
        let fields = (
            "quorum-ballot/1",
            self.poll_id.to_string(),
            self.member_id.to_string(),
            self.cast_by.to_string(),
            &self.option_key,
            &self.comment,
            self.cast_at
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            self.device_id.to_string(),
            self.device_seq,
        );
        // A tuple of strings and numbers always serialises.
        serde_json::to_vec(&fields).unwrap_or_default()
    }
}

/// A member lets `delegate` vote for them in one meeting (ủy quyền), or ends that with
/// `None`; signed on the member's own device, like a ballot, so a stolen bearer token
/// alone cannot hand a vote away.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Delegation {
    pub meeting_id: MeetingId,
    pub member_id: MemberId,
    pub delegate: Option<MemberId>,
    /// The device's clock, to the millisecond (what is signed).
    pub signed_at: DateTime<Utc>,
    pub device_id: DeviceId,
    /// The sequence number of the operation carrying it, as for a ballot.
    #[ts(type = "number")]
    pub device_seq: u64,
    /// Ed25519 signature of [`Delegation::signed_message`] by the device's key, hex.
    pub signature: String,
}

impl Delegation {
    /// The bytes the device signs: every field but the signature, in a fixed order.
    pub fn signed_message(&self) -> Vec<u8> {
        let fields = (
            "quorum-delegation/1",
            self.meeting_id.to_string(),
            self.member_id.to_string(),
            self.delegate.map(|id| id.to_string()),
            self.signed_at
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            self.device_id.to_string(),
            self.device_seq,
        );
        // A tuple of strings and numbers always serialises.
        serde_json::to_vec(&fields).unwrap_or_default()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PollError {
    #[error("a poll needs a question")]
    MissingQuestion,
    #[error("a poll needs at least two options")]
    TooFewOptions,
    #[error("option {key:?} appears more than once")]
    DuplicateOption { key: String },
    #[error("a poll must close after it opens")]
    ClosesBeforeOpening,
    #[error("a quorum of {percent}% is not a share of the members")]
    QuorumOutOfRange { percent: u8 },
    #[error("late ballots may arrive for at most {MAX_GRACE_SECONDS} seconds, not {seconds}")]
    GraceTooLong { seconds: u32 },
    #[error("this ballot belongs to another poll")]
    WrongPoll,
    #[error("{key:?} is not an option of this poll")]
    UnknownOption { key: String },
    #[error("option {key:?} needs a comment")]
    CommentRequired { key: String },
}

impl PollOption {
    fn new(key: &str, label: &str, requires_comment: bool) -> Self {
        Self {
            key: key.into(),
            label: label.into(),
            requires_comment,
        }
    }

    /// The choices Vietnamese committees vote with by default.
    pub fn standard() -> Vec<Self> {
        vec![
            Self::new("agree", "Đồng ý", false),
            Self::new("disagree", "Không đồng ý", false),
            Self::new("other", "Ý kiến khác", true),
        ]
    }
}

/// How long after closing a ballot cast offline before the close still counts (late).
pub const STANDARD_GRACE_SECONDS: u32 = 600;

/// The longest a poll may wait for late ballots: a day. Its results are final only
/// after, so a longer wait would keep them from ever being signed or shown (secret).
pub const MAX_GRACE_SECONDS: u32 = 86_400;

impl Poll {
    /// A poll with the committee's usual rules: agree / disagree / other opinion; passed
    /// by more than half of all voting members, with half of them answering; ten
    /// minutes' grace for ballots cast offline before the close.
    pub fn standard(
        subject: PollSubject,
        question: String,
        secret: bool,
        closes_at: Option<DateTime<Utc>>,
    ) -> Self {
        Self {
            id: PollId::new_v7(),
            subject,
            question: question.trim().to_string(),
            options: PollOption::standard(),
            secrecy: if secret {
                BallotSecrecy::Secret
            } else {
                BallotSecrecy::Named
            },
            opens_at: None,
            closes_at,
            quorum: QuorumRule::Percent { percent: 50 },
            majority: MajorityRule::Simple,
            majority_basis: MajorityBasis::AllMembers,
            late_grace_seconds: STANDARD_GRACE_SECONDS,
        }
    }

    pub fn validate(&self) -> Result<(), PollError> {
        if self.question.trim().is_empty() {
            return Err(PollError::MissingQuestion);
        }
        if self.options.len() < 2 {
            return Err(PollError::TooFewOptions);
        }
        let mut keys = HashSet::new();
        if let Some(option) = self.options.iter().find(|o| !keys.insert(o.key.as_str())) {
            return Err(PollError::DuplicateOption {
                key: option.key.clone(),
            });
        }
        if let (Some(opens), Some(closes)) = (self.opens_at, self.closes_at)
            && closes <= opens
        {
            return Err(PollError::ClosesBeforeOpening);
        }
        if let QuorumRule::Percent { percent } = self.quorum
            && !(1..=100).contains(&percent)
        {
            return Err(PollError::QuorumOutOfRange { percent });
        }
        if self.late_grace_seconds > MAX_GRACE_SECONDS {
            return Err(PollError::GraceTooLong {
                seconds: self.late_grace_seconds,
            });
        }
        Ok(())
    }

    /// Whether a ballot's content fits this poll (not whether it arrived in time).
    pub fn check_ballot(&self, ballot: &Ballot) -> Result<(), PollError> {
        if ballot.poll_id != self.id {
            return Err(PollError::WrongPoll);
        }
        let option = self
            .options
            .iter()
            .find(|o| o.key == ballot.option_key)
            .ok_or_else(|| PollError::UnknownOption {
                key: ballot.option_key.clone(),
            })?;
        let has_comment = ballot
            .comment
            .as_deref()
            .is_some_and(|c| !c.trim().is_empty());
        if option.requires_comment && !has_comment {
            return Err(PollError::CommentRequired {
                key: option.key.clone(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::meeting::tests::at;

    /// A named written opinion open from the 1st to the 5th, on the usual rules.
    pub(crate) fn poll() -> Poll {
        Poll {
            id: PollId::new_v7(),
            subject: PollSubject::WrittenOpinion {
                committee_id: CommitteeId::new_v7(),
            },
            question: "Thông qua dự toán ngân sách 2027?".into(),
            options: PollOption::standard(),
            secrecy: BallotSecrecy::Named,
            opens_at: Some(at(1, 8)),
            closes_at: Some(at(5, 17)),
            quorum: QuorumRule::Percent { percent: 50 },
            majority: MajorityRule::Simple,
            majority_basis: MajorityBasis::AllMembers,
            late_grace_seconds: 600,
        }
    }

    fn ballot(poll: &Poll, option_key: &str, comment: Option<&str>) -> Ballot {
        let member = MemberId::new_v7();
        Ballot {
            poll_id: poll.id,
            member_id: member,
            cast_by: member,
            option_key: option_key.into(),
            comment: comment.map(Into::into),
            cast_at: at(2, 9),
            device_id: DeviceId::new_v7(),
            device_seq: 1,
            signature: String::new(),
        }
    }

    #[test]
    fn the_standard_poll_validates() {
        assert_eq!(
            poll().validate(),
            Ok(()),
            "agree / disagree / other is a valid poll"
        );
    }

    #[test]
    fn invalid_polls_are_refused_with_the_reason() {
        type BreakPoll = fn(&mut Poll);
        let cases: Vec<(BreakPoll, PollError)> = vec![
            (|p| p.question = " ".into(), PollError::MissingQuestion),
            (|p| p.options.truncate(1), PollError::TooFewOptions),
            (
                |p| p.options[1].key = "agree".into(),
                PollError::DuplicateOption {
                    key: "agree".into(),
                },
            ),
            (|p| p.closes_at = p.opens_at, PollError::ClosesBeforeOpening),
            (
                |p| p.quorum = QuorumRule::Percent { percent: 101 },
                PollError::QuorumOutOfRange { percent: 101 },
            ),
            (
                |p| p.late_grace_seconds = MAX_GRACE_SECONDS + 1,
                PollError::GraceTooLong {
                    seconds: MAX_GRACE_SECONDS + 1,
                },
            ),
        ];
        for (break_it, expected) in cases {
            let mut p = poll();
            break_it(&mut p);
            assert_eq!(p.validate(), Err(expected.clone()), "expected {expected}");
        }
    }

    #[test]
    fn other_opinion_needs_a_comment_and_unknown_options_are_refused() {
        let p = poll();
        assert_eq!(
            p.check_ballot(&ballot(&p, "agree", None)),
            Ok(()),
            "agree needs no words"
        );
        assert_eq!(
            p.check_ballot(&ballot(&p, "other", Some("  "))),
            Err(PollError::CommentRequired {
                key: "other".into()
            }),
            "a blank comment is no opinion"
        );
        assert_eq!(
            p.check_ballot(&ballot(&p, "other", Some("Đề nghị bổ sung số liệu"))),
            Ok(()),
            "an opinion with words is accepted"
        );
        assert_eq!(
            p.check_ballot(&ballot(&p, "maybe", None)),
            Err(PollError::UnknownOption {
                key: "maybe".into()
            }),
            "only the poll's options can be chosen"
        );
        let other = poll();
        assert_eq!(
            p.check_ballot(&ballot(&other, "agree", None)),
            Err(PollError::WrongPoll),
            "a ballot is bound to its poll"
        );
    }
}
