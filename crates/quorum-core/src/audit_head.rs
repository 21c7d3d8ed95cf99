//! Where a final poll's ballots stand in the hub's hash-chained ballot log, stated in
//! its signed results (ký số) so that `quorum-hub audit verify --against` can tell, later
//! and from the file alone, whether the hub's log still holds what was signed.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{PollId, statement};

/// A poll's entries in the ballot log once its results are final.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AuditHead {
    /// Entries of this poll in the log: every version of every member's ballot.
    pub ballots: u32,
    /// The log position of the poll's last entry (0 when it has none).
    #[ts(type = "number")]
    pub last_seq: u64,
    /// That entry's hash, in hexadecimal: it chains every entry before it.
    pub hash: String,
}

/// What a signed result's document information says, machine-readably, beside the
/// sentence a person reads: `quorum-audit/1 poll=ID ballots=N last=SEQ hash=HEX`.
const STATEMENT_PREFIX: &str = "quorum-audit/1";

impl AuditHead {
    /// The statement a signed result of `poll_id` carries.
    pub fn statement(&self, poll_id: PollId) -> String {
        format!(
            "{STATEMENT_PREFIX} poll={poll_id} ballots={} last={} hash={}",
            self.ballots, self.last_seq, self.hash
        )
    }

    /// The poll and head a statement names; `None` unless every part is there and well
    /// formed.
    pub fn read_statement(text: &str) -> Option<(PollId, AuditHead)> {
        let [poll_id, ballots, last_seq, hash] =
            statement::fields(text, STATEMENT_PREFIX, ["poll", "ballots", "last", "hash"])?;
        if !statement::is_sha256_hex(&hash) {
            return None;
        }
        Some((
            poll_id.parse().ok()?,
            AuditHead {
                ballots: ballots.parse().ok()?,
                last_seq: last_seq.parse().ok()?,
                hash,
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head() -> AuditHead {
        AuditHead {
            ballots: 3,
            last_seq: 41,
            hash: "ab".repeat(32),
        }
    }

    #[test]
    fn a_statement_reads_back_as_the_head_it_states() {
        let poll = PollId::new_v7();
        let text = head().statement(poll);
        assert!(text.starts_with("quorum-audit/1 poll="));
        assert_eq!(AuditHead::read_statement(&text), Some((poll, head())));
    }

    #[test]
    fn a_statement_missing_a_part_or_with_a_bad_one_says_nothing() {
        let poll = PollId::new_v7();
        let text = head().statement(poll);
        for wrong in [
            text.replace("quorum-audit/1", "quorum-audit/2"),
            text.replace("ballots=3", "ballots=three"),
            text.replace("last=41 ", ""),
            text.replace(&"ab".repeat(32), "abcd"),
            text.replace(&"ab".repeat(32), &"zz".repeat(32)),
            format!("{text} extra=1"),
            String::new(),
        ] {
            assert_eq!(AuditHead::read_statement(&wrong), None, "{wrong}");
        }
    }
}
