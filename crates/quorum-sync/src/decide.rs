//! The engine's decisions, as pure functions of what it knows: what the hub's answer to
//! a push means for the outbox, where a download resumes, what a failed round or a
//! failed publication means for the member, when to try again, and when progress is
//! worth telling the window. The engine does the I/O around them.

use std::time::{Duration, Instant};

use quorum_core::protocol::{MAX_JSON_BODY_BYTES, OperationResult, Outcome, Refusal};
use quorum_core::{Operation, OperationId};
use reqwest::StatusCode;

use crate::engine::Connection;
use crate::{SyncError, backoff_delay};

/// How often to sync when the live channel is quiet.
pub(crate) const POLL_INTERVAL: Duration = Duration::from_secs(30);
const BACKOFF_BASE: Duration = Duration::from_secs(1);
const BACKOFF_MAX: Duration = Duration::from_secs(60);
/// The window hears of download progress at most this often.
pub(crate) const PROGRESS_EVERY: Duration = Duration::from_millis(250);

/// What to do with the outbox after the hub answered one push.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct PushVerdict {
    /// Applied now: leave the outbox.
    pub applied: Vec<OperationId>,
    /// Applied before (a resend): leave the outbox, counted apart.
    pub duplicates: Vec<OperationId>,
    /// Refused for good: kept with the reason for the member to see.
    pub rejected: Vec<(OperationId, Refusal, String)>,
    /// The hub expects this sequence number: nothing after it was applied.
    pub gap: Option<u64>,
    /// Every operation sent was answered without a gap: the next batch may go now.
    pub send_more: bool,
}

/// Reads the hub's `results` for the operations `sent`. An answer for an operation not
/// sent is ignored: only the hub's word on what this laptop sent moves its outbox.
pub(crate) fn judge_push(sent: &[OperationId], results: &[OperationResult]) -> PushVerdict {
    let mut verdict = PushVerdict::default();
    let mut answered = 0;
    for result in results.iter().filter(|r| sent.contains(&r.id)) {
        answered += 1;
        match &result.outcome {
            Outcome::Applied => verdict.applied.push(result.id),
            Outcome::Duplicate => verdict.duplicates.push(result.id),
            Outcome::Rejected { refusal, reason } => {
                verdict.rejected.push((result.id, *refusal, reason.clone()));
            }
            Outcome::Gap { expected } => {
                verdict.gap = Some(*expected);
                break;
            }
        }
    }
    verdict.send_more = verdict.gap.is_none() && answered == sent.len() && !sent.is_empty();
    verdict
}

/// Where a download of a `size`-byte document resumes, given `partial` bytes kept from
/// an earlier one: a partial file longer than the document is not a prefix of it.
pub(crate) fn resume_from(partial: u64, size: u64) -> u64 {
    if partial > size { 0 } else { partial }
}

/// Whether the hub's answer continues the partial file: only a 206 to a Range request.
/// A 200 is the whole document again, which replaces what was kept.
pub(crate) fn continues_partial(status: StatusCode, resumed_from: u64) -> bool {
    status == StatusCode::PARTIAL_CONTENT && resumed_from > 0
}

/// How the laptop stands with the hub after a round that ended with `error`: a hub out
/// of reach, or showing another certificate than the pinned one, is not connected.
pub(crate) fn connection_after(error: Option<&SyncError>) -> Connection {
    match error {
        Some(SyncError::Unreachable { .. } | SyncError::CertificateMismatch { .. }) => {
            Connection::Offline
        }
        _ => Connection::Online,
    }
}

/// What a failed publication means: `Ok(problem)` to keep on the draft for the
/// secretary (the hub refused it, or a document is missing here), or the error that
/// ends the round (the hub is out of reach or failing: try again later).
pub(crate) fn publication_problem(error: SyncError) -> Result<String, SyncError> {
    match error {
        SyncError::Refused {
            status, message, ..
        } if (400..500).contains(&status) && status != 429 => Ok(message),
        SyncError::Io { path, source } => Ok(format!("{}: {source}", path.display())),
        other => Err(other),
    }
}

/// How long to wait before the next round, after `failures` failed rounds in a row
/// (none: the last one succeeded) ending with `error`.
pub(crate) fn next_round_in(failures: u32, error: Option<&SyncError>, jitter: f64) -> Duration {
    match error {
        None => POLL_INTERVAL,
        Some(error) if error.is_retryable() => {
            backoff_delay(failures, BACKOFF_BASE, BACKOFF_MAX, jitter)
        }
        // Waiting on a person (a revoked laptop, another certificate): no hurry.
        Some(_) => BACKOFF_MAX,
    }
}

/// How long to wait before opening the live channel again, after `failures` failed
/// openings in a row (none: it closed after working, and is reopened after the base pause).
pub(crate) fn live_channel_again_in(failures: u32, jitter: f64) -> Duration {
    backoff_delay(failures.max(1), BACKOFF_BASE, BACKOFF_MAX, jitter)
}

/// Lets download progress through at most once per [`PROGRESS_EVERY`], and always at
/// the end, so the window redraws a few times a second rather than once per chunk.
#[derive(Debug, Default)]
pub(crate) struct ProgressGate {
    last: Option<Instant>,
}

impl ProgressGate {
    pub fn should_tell(&mut self, now: Instant, finished: bool) -> bool {
        let due = self
            .last
            .is_none_or(|last| now.duration_since(last) >= PROGRESS_EVERY);
        if due || finished {
            self.last = Some(now);
        }
        due || finished
    }
}

/// Room in a push body for what surrounds the operations.
const PUSH_ENVELOPE_BYTES: usize = 64 * 1024;

/// The first of `operations` whose JSON fits one push body together, and always the
/// first: an answer sheet weighs megabytes, and a push over the hub's limit would be
/// refused whole, every round.
pub(crate) fn within_one_body(operations: Vec<Operation>) -> Vec<Operation> {
    let mut room = MAX_JSON_BODY_BYTES - PUSH_ENVELOPE_BYTES;
    let mut fitting = Vec::with_capacity(operations.len());
    for operation in operations {
        let size = serde_json::to_vec(&operation).map_or(0, |json| json.len() + 1);
        if size > room && !fitting.is_empty() {
            break;
        }
        room = room.saturating_sub(size);
        fitting.push(operation);
    }
    fitting
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: usize) -> Vec<OperationId> {
        (0..n).map(|_| OperationId::new_v7()).collect()
    }

    fn answer(id: OperationId, outcome: Outcome) -> OperationResult {
        OperationResult { id, outcome }
    }

    #[test]
    fn a_push_answered_whole_moves_every_operation_and_asks_for_more() {
        let sent = ids(3);
        let refusal = Refusal::Invalid(quorum_core::protocol::InvalidOperation::PollNotOpen);
        let results = [
            answer(sent[0], Outcome::Applied),
            answer(sent[1], Outcome::Duplicate),
            answer(
                sent[2],
                Outcome::Rejected {
                    refusal,
                    reason: "closed".into(),
                },
            ),
        ];
        assert_eq!(
            judge_push(&sent, &results),
            PushVerdict {
                applied: vec![sent[0]],
                duplicates: vec![sent[1]],
                rejected: vec![(sent[2], refusal, "closed".into())],
                gap: None,
                send_more: true,
            }
        );
    }

    #[test]
    fn a_gap_stops_the_push_and_what_follows_it_stays_queued() {
        let sent = ids(3);
        let results = [
            answer(sent[0], Outcome::Applied),
            answer(sent[1], Outcome::Gap { expected: 7 }),
            answer(sent[2], Outcome::Applied),
        ];
        let verdict = judge_push(&sent, &results);
        assert_eq!(
            (verdict.applied, verdict.gap, verdict.send_more),
            (vec![sent[0]], Some(7), false),
            "nothing after the gap counts as applied"
        );
    }

    #[test]
    fn a_hub_that_stops_early_or_answers_for_others_moves_only_what_it_answered() {
        let sent = ids(2);
        let stranger = OperationId::new_v7();
        let results = [
            answer(stranger, Outcome::Applied),
            answer(sent[0], Outcome::Applied),
        ];
        let verdict = judge_push(&sent, &results);
        assert_eq!(
            (verdict.applied, verdict.send_more),
            (vec![sent[0]], false),
            "an answer for an operation not sent moves nothing; the unanswered one waits"
        );
        assert!(
            !judge_push(&[], &[]).send_more,
            "an empty outbox sends nothing more"
        );
    }

    #[test]
    fn a_download_resumes_only_from_a_possible_prefix_and_only_on_a_206() {
        assert_eq!(resume_from(400, 1000), 400);
        assert_eq!(resume_from(1000, 1000), 1000, "whole, to be checked");
        assert_eq!(resume_from(1001, 1000), 0, "longer than the document");
        assert!(continues_partial(StatusCode::PARTIAL_CONTENT, 400));
        assert!(
            !continues_partial(StatusCode::OK, 400),
            "a 200 is the whole document: it replaces the partial file"
        );
        assert!(!continues_partial(StatusCode::PARTIAL_CONTENT, 0));
    }

    #[test]
    fn a_round_that_could_not_reach_the_hub_shows_offline_and_is_retried_sooner() {
        let refused = SyncError::Refused {
            status: 503,
            code: "unavailable".into(),
            message: "busy".into(),
        };
        assert_eq!(connection_after(None), Connection::Online);
        assert_eq!(
            connection_after(Some(&SyncError::CertificateMismatch { url: "h".into() })),
            Connection::Offline,
            "a hub with another certificate is not ours"
        );
        assert_eq!(
            connection_after(Some(&refused)),
            Connection::Online,
            "a hub that answers is reachable"
        );
        assert_eq!(next_round_in(0, None, 0.0), POLL_INTERVAL);
        assert_eq!(
            next_round_in(1, Some(&refused), 1.0),
            BACKOFF_BASE,
            "a busy hub: soon"
        );
        assert_eq!(
            next_round_in(1, Some(&SyncError::Unauthorized), 1.0),
            BACKOFF_MAX,
            "a revoked laptop waits on a person"
        );
        assert_eq!(
            live_channel_again_in(0, 1.0),
            BACKOFF_BASE,
            "a live channel that closed after working is opened again after the base pause"
        );
    }

    #[test]
    fn a_publication_the_hub_refuses_stays_on_the_draft_and_an_outage_ends_the_round() {
        let refused = |status| SyncError::Refused {
            status,
            code: "conflict".into(),
            message: "another secretary published".into(),
        };
        assert_eq!(
            publication_problem(refused(409)).ok().as_deref(),
            Some("another secretary published")
        );
        assert!(
            publication_problem(refused(429)).is_err(),
            "too many requests: try later"
        );
        assert!(
            publication_problem(refused(500)).is_err(),
            "the hub failed: try later"
        );
        let missing = SyncError::Io {
            path: "/p/blobs/ab".into(),
            source: std::io::Error::from(std::io::ErrorKind::NotFound),
        };
        assert!(
            publication_problem(missing)
                .unwrap()
                .starts_with("/p/blobs/ab"),
            "a document missing here names the file"
        );
    }

    #[test]
    fn progress_is_told_a_few_times_a_second_and_always_at_the_end() {
        let mut gate = ProgressGate::default();
        let start = Instant::now();
        assert!(gate.should_tell(start, false), "the first chunk is told");
        assert!(!gate.should_tell(start + Duration::from_millis(10), false));
        assert!(
            gate.should_tell(start + Duration::from_millis(20), true),
            "the end is always told"
        );
        assert!(!gate.should_tell(start + Duration::from_millis(30), false));
        assert!(gate.should_tell(start + PROGRESS_EVERY + Duration::from_millis(30), false));
    }

    #[test]
    fn operations_too_heavy_for_one_push_wait_for_the_next() {
        let sheet = |seq: u64| Operation {
            id: OperationId::new_v7(),
            device_seq: seq,
            created_at: chrono::DateTime::UNIX_EPOCH,
            payload: quorum_core::OperationPayload::SubmitAnswerSheet {
                poll_id: quorum_core::PollId::new_v7(),
                sheet: "ab".repeat(quorum_core::MAX_ANSWER_SHEET_BYTES),
            },
        };
        let check_in = |seq: u64| Operation {
            payload: quorum_core::OperationPayload::CheckIn {
                meeting_id: quorum_core::MeetingId::new_v7(),
            },
            ..sheet(seq)
        };
        let sent = within_one_body(vec![sheet(1), sheet(2), check_in(3)]);
        assert_eq!(
            sent.iter().map(|op| op.device_seq).collect::<Vec<_>>(),
            [1],
            "the largest sheet goes alone, the rest in order after it"
        );
        let small: Vec<Operation> = (1..=200).map(check_in).collect();
        assert_eq!(
            within_one_body(small).len(),
            200,
            "small ones all go at once"
        );
        let sent = within_one_body(vec![check_in(1), sheet(2), sheet(3)]);
        assert_eq!(
            sent.len(),
            2,
            "a sheet that no longer fits waits for the next push"
        );
    }
}
