//! `quorum-hub audit verify --against RESULTS.pdf`: whether the ballot log still holds
//! what a signed results document (ký số) states of it. The statement is read from the
//! revision the signature signs, so neither the file nor the log can be changed since
//! without this saying so.

use chrono::{DateTime, Utc};
use quorum_core::{AuditHead, PollId};
use quorum_signatures::{Party, Problem, Verdict, last_signed_statement, verify_document};

use crate::store::HubStore;
use crate::{AuditOutcome, HubError, anchors, audit};

/// What the log says of a signed results document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignedResults {
    /// The log is intact and holds, for the poll, exactly what was signed.
    Match {
        poll_id: PollId,
        head: AuditHead,
        signer: Option<Party>,
    },
    /// No signature of the file signs a results statement.
    NoStatement,
    /// The signature over the statement does not hold, for these reasons.
    SignatureDoesNotHold {
        verdict: Verdict,
        problems: Vec<Problem>,
    },
    /// The log itself is broken (as `audit verify` says).
    LogBroken(AuditOutcome),
    /// The log holds something else for the poll now.
    Differs {
        poll_id: PollId,
        signed: AuditHead,
        logged: AuditHead,
    },
}

impl HubStore {
    /// Checks `pdf`'s last signed results statement against the ballot log, the
    /// signature against the certificates the hub trusts, at `now`.
    pub fn check_signed_results(
        &self,
        pdf: &[u8],
        now: DateTime<Utc>,
    ) -> Result<SignedResults, HubError> {
        let checked = verify_document(pdf, &anchors::trust(&self.conn)?, now);
        let stated = last_signed_statement(pdf, &checked, AuditHead::read_statement);
        let Some((signature, (poll_id, signed))) = stated else {
            return Ok(SignedResults::NoStatement);
        };
        if signature.verdict != Verdict::Valid {
            return Ok(SignedResults::SignatureDoesNotHold {
                verdict: signature.verdict,
                problems: signature.problems.clone(),
            });
        }
        let log = self.verify_audit_log()?;
        if !matches!(log, AuditOutcome::Intact { .. }) {
            return Ok(SignedResults::LogBroken(log));
        }
        let logged = audit::head_of(&self.conn, poll_id)?;
        Ok(if logged == signed {
            SignedResults::Match {
                poll_id,
                head: signed,
                signer: signature.signer.clone(),
            }
        } else {
            SignedResults::Differs {
                poll_id,
                signed,
                logged,
            }
        })
    }
}
