//! A member's signed answer sheet (phiếu lấy ý kiến) for a written opinion: a one-page
//! PDF their laptop lays out from their ballot and they sign with their token (ký số).
//! The signed revision states, machine-readably, whose ballot it is, so the hub takes a
//! sheet only for the ballot of its member that counts.

use sha2::{Digest, Sha256};

use crate::{Ballot, BallotSecrecy, MemberId, Poll, PollId, PollSubject, Sha256Hex, statement};

/// The largest answer sheet the hub takes. One page Quorum lays out weighs about 820 KB,
/// nearly all of it the two Vietnamese fonts it embeds; in hexadecimal, with the rest of
/// its operation, the largest still fits one push body.
pub const MAX_ANSWER_SHEET_BYTES: usize = 1536 * 1024;

const _: () = assert!(
    2 * MAX_ANSWER_SHEET_BYTES + 64 * 1024 <= crate::protocol::MAX_JSON_BODY_BYTES,
    "an answer sheet's operation must fit a push body by itself"
);

/// What a signed answer sheet's document information says under the signature:
/// `quorum-answer/1 poll=ID member=ID ballot=HEX`.
const STATEMENT_PREFIX: &str = "quorum-answer/1";

/// The ballot an answer sheet is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerStatement {
    pub poll_id: PollId,
    pub member_id: MemberId,
    /// [`Ballot::fingerprint`] of the ballot answered: its choice, comment, time and
    /// device, all at once.
    pub ballot: String,
}

impl Poll {
    /// A named written opinion: a member's answer can be signed. A secret poll's sheet
    /// would tie the member to their choice.
    pub fn takes_answer_sheets(&self) -> bool {
        matches!(self.subject, PollSubject::WrittenOpinion { .. })
            && self.secrecy == BallotSecrecy::Named
    }
}

impl Ballot {
    /// SHA-256 of what the device signed, in hexadecimal: names this very ballot.
    pub fn fingerprint(&self) -> String {
        Sha256Hex::from_digest(&Sha256::digest(self.signed_message()).into())
            .as_str()
            .to_string()
    }
}

impl AnswerStatement {
    pub fn of(ballot: &Ballot) -> Self {
        Self {
            poll_id: ballot.poll_id,
            member_id: ballot.member_id,
            ballot: ballot.fingerprint(),
        }
    }

    pub fn text(&self) -> String {
        format!(
            "{STATEMENT_PREFIX} poll={} member={} ballot={}",
            self.poll_id, self.member_id, self.ballot
        )
    }

    /// The statement `text` holds; `None` unless every part is there and well formed.
    pub fn read(text: &str) -> Option<Self> {
        let [poll_id, member_id, ballot] =
            statement::fields(text, STATEMENT_PREFIX, ["poll", "member", "ballot"])?;
        statement::is_sha256_hex(&ballot).then_some(())?;
        Some(Self {
            poll_id: poll_id.parse().ok()?,
            member_id: member_id.parse().ok()?,
            ballot,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meeting::tests::at;
    use crate::{DeviceId, MemberId};

    fn ballot(option_key: &str) -> Ballot {
        let member = MemberId::new_v7();
        Ballot {
            poll_id: PollId::new_v7(),
            member_id: member,
            cast_by: member,
            option_key: option_key.into(),
            comment: None,
            cast_at: at(3, 9),
            device_id: DeviceId::new_v7(),
            device_seq: 4,
            signature: "00".into(),
        }
    }

    #[test]
    fn a_statement_reads_back_as_the_ballot_it_names() {
        let statement = AnswerStatement::of(&ballot("agree"));
        assert_eq!(AnswerStatement::read(&statement.text()), Some(statement));
    }

    #[test]
    fn another_choice_is_another_ballot() {
        let agree = ballot("agree");
        let disagree = Ballot {
            option_key: "disagree".into(),
            ..agree.clone()
        };
        assert_ne!(agree.fingerprint(), disagree.fingerprint());
        let signature_only = Ballot {
            signature: "11".into(),
            ..agree.clone()
        };
        assert_eq!(
            agree.fingerprint(),
            signature_only.fingerprint(),
            "the device's signature is over the fingerprinted fields, not part of them"
        );
    }

    #[test]
    fn a_statement_with_a_part_missing_or_extra_is_none() {
        let text = AnswerStatement::of(&ballot("agree")).text();
        let (without_ballot, _) = text.rsplit_once(' ').unwrap();
        for broken in [
            without_ballot.to_string(),
            format!("{text} extra=1"),
            text.replace("quorum-answer/1", "quorum-answer/2"),
            text.replace("member=", "voter="),
            format!("{without_ballot} ballot={}", "zz".repeat(32)),
            text.replace("quorum-answer/1", "quorum-audit/1"),
        ] {
            assert_eq!(AnswerStatement::read(&broken), None, "{broken}");
        }
    }
}
