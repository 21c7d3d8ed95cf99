//! Takes in a device's outbox: each operation applied at most once, in the device's
//! order, with a per-operation outcome the member is shown.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use quorum_core::protocol::{InvalidOperation, OperationResult, Outcome, Record, Refusal};
use quorum_core::{
    Action, AgendaItemId, Annotation, AnnotationId, Attendance, Denied, DeviceId, FloorRequest,
    Meeting, MeetingId, Member, MemberId, Operation, OperationId, OperationPayload, SpeechState,
    Visibility, decide, end_floor, give_floor, request_floor,
};
use rusqlite::params;
use rusqlite::types::Value;

use crate::appended::Appended;
use crate::audit::LogHeads;
use crate::db::{Db, OptionalRow};

use crate::store::{self, HubStore};
use crate::votes::Upload;
use crate::{HubError, votes};

/// Why an operation did not take effect: refused for good (the member is told why and
/// the queue moves on), or the hub failed (the push fails, to be retried).
pub(crate) enum NotApplied {
    Refused(Refusal),
    Failed(HubError),
}

impl From<Denied> for NotApplied {
    fn from(denied: Denied) -> Self {
        Self::Refused(denied.into())
    }
}

impl From<InvalidOperation> for NotApplied {
    fn from(invalid: InvalidOperation) -> Self {
        Self::Refused(invalid.into())
    }
}

impl From<HubError> for NotApplied {
    fn from(error: HubError) -> Self {
        Self::Failed(error)
    }
}

impl From<crate::db::DbError> for NotApplied {
    fn from(error: crate::db::DbError) -> Self {
        Self::Failed(error.into())
    }
}

/// Splits into what [`apply`] answers: a refusal inside, a failure outside.
fn refused_or_failed(result: Result<(), NotApplied>) -> Result<Result<(), Refusal>, HubError> {
    match result {
        Ok(()) => Ok(Ok(())),
        Err(NotApplied::Refused(refusal)) => Ok(Err(refusal)),
        Err(NotApplied::Failed(error)) => Err(error),
    }
}

/// One device's push, waiting to be applied with the pushes that arrived beside it.
pub(crate) struct Waiting {
    pub device_id: DeviceId,
    pub member: Member,
    pub operations: Vec<Operation>,
    /// The operations whose ballot or delegation the device signed ([`signed_by_device`]).
    pub signed: HashSet<OperationId>,
    pub answer: Answer,
}

/// Whether `operations` hold a ballot or a delegation, whose signatures must be checked.
pub(crate) fn carries_signatures(operations: &[Operation]) -> bool {
    operations.iter().any(|op| {
        matches!(
            op.payload,
            OperationPayload::CastBallot { .. } | OperationPayload::Delegate { .. }
        )
    })
}

/// The ballots and delegations among `operations` that carry a valid signature by the
/// device key `public_key` (hex). Whether each is bound to this very upload (device,
/// caster, sequence number) is checked when it is applied.
pub(crate) fn signed_by_device(operations: &[Operation], public_key: &str) -> HashSet<OperationId> {
    operations
        .iter()
        .filter(|operation| match &operation.payload {
            OperationPayload::CastBallot { ballot } => crate::audit::signed_by(ballot, public_key),
            OperationPayload::Delegate { delegation } => {
                crate::audit::delegation_signed_by(delegation, public_key)
            }
            _ => false,
        })
        .map(|operation| operation.id)
        .collect()
}

/// What a push did, once durable: each operation's outcome, and where its committee's
/// feed stands when it applied something (to wake the live channels).
pub(crate) struct Pushed {
    pub results: Vec<OperationResult>,
    pub latest_seq: Option<u64>,
}

/// Applies the `waiting` pushes in one durable transaction (group commit: one disk flush
/// at `synchronous=FULL` for all of them), each in order for its device and stopping at
/// its first gap in sequence numbers, each in a savepoint of its own so that a push the
/// hub fails on is taken back alone. The polls their ballots went to are re-counted and
/// published once, at the end; a failure there, or one that ends SQLite's transaction,
/// takes the whole group back. Nobody is answered before the commit: an acknowledged
/// operation is on disk, and a push that fails is taken back whole, to be sent again.
pub(crate) fn push_together(store: &mut HubStore, waiting: Vec<Waiting>, now: DateTime<Utc>) {
    match store_together(store, waiting, now) {
        // A caller that went away has its answer in the database all the same.
        Ok(answers) => {
            for (answer, pushed) in answers {
                let _ = answer.send(pushed);
            }
        }
        // The answers were dropped unsent, which tells each caller that its push was not
        // stored; the transaction rolled back as it was dropped.
        Err(error) => tracing::error!(%error, "a group of pushes could not be stored"),
    }
}

type Answer = tokio::sync::oneshot::Sender<Result<Pushed, HubError>>;
/// A push's answer, ready to be sent once the group is committed.
type Answered = (Answer, Result<Pushed, HubError>);

fn store_together(
    store: &mut HubStore,
    waiting: Vec<Waiting>,
    now: DateTime<Utc>,
) -> Result<Vec<Answered>, HubError> {
    let tx = store.conn.transaction()?;
    let mut group = take_in_order(&tx, &waiting)?;
    let mut voted = std::collections::BTreeSet::new();
    let mut taken = Vec::with_capacity(waiting.len());
    for push in waiting {
        let results = {
            if !only_ballots(&push) {
                // It may write the rows kept back while it runs: its savepoint must
                // then hold its own rows only.
                group.appended.write(&tx)?;
            }
            // Dropped uncommitted, a savepoint takes its push back (and the logs' heads
            // and the rows kept back go back to where they stood before it).
            let savepoint = tx.savepoint()?;
            let before = (group.heads.clone(), group.appended.mark());
            let results = take_push(&savepoint, &push, &mut voted, &mut group, now);
            if results.is_ok() {
                savepoint.commit()?;
            } else {
                group.heads = before.0;
                group.appended.take_back(before.1);
                group.polls.forget();
            }
            results
        };
        // Some failures (a full disk, say) make SQLite roll back the whole transaction,
        // savepoints and all: then nothing of the group stands, and nobody is answered.
        if !tx.can_commit() {
            return Err(results.err().unwrap_or(HubError::NotCommitted(
                "the group's transaction ended early".into(),
            )));
        }
        taken.push((push, results));
    }
    group.appended.write(&tx)?;
    if let Some(heads) = &group.heads {
        heads.write(&tx)?;
    }
    votes::publish_polls(&tx, voted, &mut group.polls, now)?;
    let mut answers = Vec::with_capacity(taken.len());
    let mut latest = std::collections::HashMap::new();
    for (push, results) in taken {
        let pushed = match results {
            Ok(results) => {
                let applied = results.iter().any(|r| r.outcome == Outcome::Applied);
                let committee_id = push.member.committee_id;
                // Read once per committee: the group's pushes answer the same head.
                let latest_seq = if applied {
                    let seq = match latest.get(&committee_id) {
                        Some(seq) => *seq,
                        None => store::latest_seq(&tx, committee_id)?,
                    };
                    latest.insert(committee_id, seq);
                    Some(seq)
                } else {
                    None
                };
                Ok(Pushed {
                    results,
                    latest_seq,
                })
            }
            Err(error) => Err(error),
        };
        answers.push((push.answer, pushed));
    }
    tx.commit()?;
    Ok(answers)
}

/// What the pushes of one group share inside its transaction.
#[derive(Default)]
struct Group {
    /// The audit logs' heads, taken when the group carries ballots or delegations.
    heads: Option<LogHeads>,
    /// Each device's last operation taken, from its row taken at the start and moved on
    /// by each of its pushes in the group.
    device_seqs: std::collections::HashMap<DeviceId, u64>,
    /// The operations and ballots the group took, written a few statements at a time.
    appended: Appended,
    /// The polls its ballots went to, as read.
    polls: votes::PollsRead,
}

fn only_ballots(push: &Waiting) -> bool {
    push.operations
        .iter()
        .all(|op| matches!(op.payload, OperationPayload::CastBallot { .. }))
}

/// Takes, before anything else and in one order for every writer, the rows the group
/// may change that other hub processes also change: its devices' rows (so two processes
/// given the same device's push apply it once), the audit logs' heads when it carries
/// ballots or delegations, and its committees' feeds. Two groups can then never each hold
/// a row the other waits for. Answers the group, holding what it took.
fn take_in_order(conn: &Db, waiting: &[Waiting]) -> Result<Group, HubError> {
    let devices: std::collections::BTreeSet<DeviceId> =
        waiting.iter().map(|push| push.device_id).collect();
    let mut device_seqs = std::collections::HashMap::new();
    for device_id in devices {
        if let Some(last_seq) = store::take_device(conn, device_id)? {
            device_seqs.insert(device_id, last_seq);
        }
    }
    let logged = waiting
        .iter()
        .any(|push| carries_signatures(&push.operations));
    let heads = logged.then(|| LogHeads::take(conn)).transpose()?;
    store::take_feeds(conn, waiting.iter().map(|push| push.member.committee_id))?;
    Ok(Group {
        heads,
        device_seqs,
        ..Group::default()
    })
}

/// One device's push inside the group's transaction; notes the polls its ballots went
/// to. The device's row moves to its last operation once, at the end.
fn take_push(
    conn: &Db,
    push: &Waiting,
    voted: &mut std::collections::BTreeSet<quorum_core::PollId>,
    group: &mut Group,
    now: DateTime<Utc>,
) -> Result<Vec<OperationResult>, HubError> {
    let mut results = Vec::with_capacity(push.operations.len());
    let ids: Vec<OperationId> = push.operations.iter().map(|op| op.id).collect();
    let stored = store::stored_operations(conn, &ids)?;
    let first_seq = *group
        .device_seqs
        .get(&push.device_id)
        .ok_or(HubError::DeviceNotFound(push.device_id))?;
    let mut last_seq = first_seq;
    for operation in &push.operations {
        let outcome =
            if stored.contains(&operation.id) || group.appended.holds_operation(operation.id) {
                Outcome::Duplicate
            } else {
                let taking = Taking {
                    device_id: push.device_id,
                    member: &push.member,
                    signed: push.signed.contains(&operation.id),
                    group: &mut *group,
                };
                take_one(conn, taking, &mut last_seq, operation, now)?
            };
        if let (Outcome::Applied, OperationPayload::CastBallot { ballot }) =
            (&outcome, &operation.payload)
        {
            voted.insert(ballot.poll_id);
        }
        let stop = matches!(outcome, Outcome::Gap { .. });
        results.push(OperationResult {
            id: operation.id,
            outcome,
        });
        if stop {
            break;
        }
    }
    if last_seq != first_seq {
        store::set_device_last_seq(conn, push.device_id, last_seq)?;
        group.device_seqs.insert(push.device_id, last_seq);
    }
    Ok(results)
}

/// What taking one operation of a push needs besides the operation.
struct Taking<'a> {
    device_id: DeviceId,
    member: &'a Member,
    /// Whether the operation's ballot or delegation carries the device's signature.
    signed: bool,
    group: &'a mut Group,
}

/// Takes an operation the hub does not hold yet. `last_seq`: the device's last
/// operation so far, moved on by this one.
fn take_one(
    conn: &Db,
    mut taking: Taking<'_>,
    last_seq: &mut u64,
    operation: &Operation,
    now: DateTime<Utc>,
) -> Result<Outcome, HubError> {
    if operation.device_seq <= *last_seq {
        // Not stored: the (device, seq) slot already holds the operation that used it.
        return Ok(Outcome::rejected(InvalidOperation::SequenceReused));
    }
    let expected = *last_seq + 1;
    if operation.device_seq > expected {
        return Ok(Outcome::Gap { expected });
    }
    let applied = if operation.payload.check_sizes().is_err() {
        Err(InvalidOperation::TooLarge.into())
    } else {
        apply(conn, &mut taking, operation, now)?
    };
    let Taking {
        device_id,
        member,
        group,
        ..
    } = taking;
    let outcome = match applied {
        Ok(()) => Outcome::Applied,
        Err(refusal) => Outcome::rejected(refusal),
    };
    // `expected` fits SQLite's INTEGER: it is one past a value SQLite already holds.
    let device_seq = i64::try_from(expected).unwrap_or(i64::MAX);
    group.appended.operation(
        operation.id,
        [
            Value::Text(device_id.to_string()),
            Value::Integer(device_seq),
            Value::Text(member.id.to_string()),
            Value::Text(serde_json::to_string(&redacted(&operation.payload))?),
            Value::Text(serde_json::to_string(&outcome)?),
            crate::db::value_of(&now)?,
        ],
    );
    // A rejected operation also moves the device on, so it never blocks the queue.
    *last_seq = expected;
    Ok(outcome)
}

/// What the operations table keeps of a payload: a ballot without its choice, comment
/// and signature (checked against each option in turn, the signature would tell the
/// choice), an answer sheet without the sheet. The audit log holds the ballot itself,
/// and is the only place that does.
fn redacted(payload: &OperationPayload) -> serde_json::Value {
    let mut value = serde_json::to_value(payload).unwrap_or_default();
    if let OperationPayload::CastBallot { .. } = payload
        && let Some(ballot) = value.get_mut("ballot").and_then(|b| b.as_object_mut())
    {
        for secret in ["optionKey", "comment", "signature"] {
            ballot.remove(secret);
        }
    }
    // The sheet states the choice too; the feed holds the sheet itself.
    if let OperationPayload::SubmitAnswerSheet { .. } = payload
        && let Some(fields) = value.as_object_mut()
    {
        fields.remove("sheet");
    }
    value
}

/// The effect of one operation pushed by `device_id`; `Err` is a refusal shown to the
/// member.
fn apply(
    conn: &Db,
    taking: &mut Taking<'_>,
    operation: &Operation,
    now: DateTime<Utc>,
) -> Result<Result<(), Refusal>, HubError> {
    if !matches!(operation.payload, OperationPayload::CastBallot { .. }) {
        // What follows may read the rows kept back, or change a poll the group read.
        taking.group.appended.write(conn)?;
        taking.group.polls.forget();
    }
    let member = taking.member;
    Ok(match &operation.payload {
        OperationPayload::CheckIn { meeting_id } => {
            let meeting = load_meeting(conn, *meeting_id)?
                .and_then(|m| allowed(member, Action::CheckIn, &m).map(|()| m));
            check_in(conn, meeting, member.id, operation.created_at, now)?
        }
        OperationPayload::MarkAttendance {
            meeting_id,
            member_id,
            attendance,
        } => {
            let meeting = load_meeting(conn, *meeting_id)?
                .and_then(|m| allowed(member, Action::EditMeeting, &m).map(|()| m))
                .and_then(|m| {
                    if m.invitees.contains(member_id) {
                        Ok(m)
                    } else {
                        Err(InvalidOperation::NotAnInvitee.into())
                    }
                });
            attend(
                conn,
                meeting,
                *member_id,
                attendance,
                store::MarkedBy::Secretary,
                now,
            )?
        }
        OperationPayload::RequestToSpeak {
            meeting_id,
            agenda_item_id,
            speech,
        } => {
            let meeting = load_meeting(conn, *meeting_id)?
                .and_then(|m| allowed(member, Action::RequestToSpeak, &m).map(|()| m))
                .and_then(|m| on_agenda(m, *agenda_item_id));
            let request = FloorRequest {
                member_id: member.id,
                kind: *speech,
                requested_at: now,
                state: SpeechState::Waiting,
            };
            change_floor(conn, meeting, *agenda_item_id, now, |queue| {
                request_floor(queue, request);
                Ok(())
            })?
        }
        OperationPayload::EndFloor {
            meeting_id,
            agenda_item_id,
        } => {
            let meeting = load_meeting(conn, *meeting_id)?
                .and_then(|m| allowed(member, Action::RunPoll, &m).map(|()| m))
                .and_then(|m| on_agenda(m, *agenda_item_id));
            change_floor(conn, meeting, *agenda_item_id, now, |queue| {
                if end_floor(queue) {
                    Ok(())
                } else {
                    Err(InvalidOperation::NobodySpeaking.into())
                }
            })?
        }
        OperationPayload::GiveFloor {
            meeting_id,
            agenda_item_id,
            member_id,
            speech,
        } => {
            let meeting = load_meeting(conn, *meeting_id)?
                .and_then(|m| allowed(member, Action::RunPoll, &m).map(|()| m))
                .and_then(|m| on_agenda(m, *agenda_item_id));
            change_floor(conn, meeting, *agenda_item_id, now, |queue| {
                if give_floor(queue, *member_id, *speech, now) {
                    Ok(())
                } else {
                    Err(InvalidOperation::NotWaiting.into())
                }
            })?
        }
        OperationPayload::SaveAnnotation { annotation } => {
            save_annotation(conn, member, annotation, now)?
        }
        OperationPayload::DeleteAnnotation { annotation_id } => {
            delete_annotation(conn, member, *annotation_id, now)?
        }
        OperationPayload::CreatePoll { poll } => {
            refused_or_failed(votes::create_poll(conn, member, poll, now))?
        }
        OperationPayload::OpenPoll { poll_id } => {
            refused_or_failed(votes::open_poll(conn, member, *poll_id, now))?
        }
        OperationPayload::ClosePoll { poll_id } => {
            refused_or_failed(votes::close_poll(conn, member, *poll_id, now))?
        }
        OperationPayload::CastBallot { ballot } => refused_or_failed(votes::cast_ballot(
            conn,
            Upload::of(taking, operation.device_seq)?,
            ballot,
            now,
        ))?,
        OperationPayload::SubmitAnswerSheet { poll_id, sheet } => refused_or_failed(
            votes::submit_answer_sheet(conn, member, *poll_id, sheet, now),
        )?,
        OperationPayload::Delegate { delegation } => refused_or_failed(votes::delegate(
            conn,
            Upload::of(taking, operation.device_seq)?,
            delegation,
            now,
        ))?,
    })
}

impl<'a> Upload<'a> {
    /// The ballot's or delegation's upload in operation `device_seq` of `taking`, whose
    /// group took the logs' heads at its start, as it does whenever it carries one.
    fn of(taking: &'a mut Taking<'_>, device_seq: u64) -> Result<Self, HubError> {
        let group = &mut *taking.group;
        let heads = group
            .heads
            .as_mut()
            .ok_or_else(|| HubError::NotCommitted("the audit logs' heads were not taken".into()))?;
        Ok(Upload {
            device_id: taking.device_id,
            device_seq,
            member: taking.member,
            signed: taking.signed,
            heads,
            appended: &mut group.appended,
            polls: &mut group.polls,
        })
    }
}

fn on_agenda(meeting: Meeting, agenda_item_id: AgendaItemId) -> Result<Meeting, Refusal> {
    if meeting.agenda.iter().any(|item| item.id == agenda_item_id) {
        Ok(meeting)
    } else {
        Err(InvalidOperation::UnknownAgendaItem.into())
    }
}

/// Applies `change` to an item's floor, if the operation was allowed, and tells the
/// meeting.
fn change_floor(
    conn: &Db,
    meeting: Result<Meeting, Refusal>,
    agenda_item_id: AgendaItemId,
    now: DateTime<Utc>,
    change: impl FnOnce(&mut Vec<FloorRequest>) -> Result<(), Refusal>,
) -> Result<Result<(), Refusal>, HubError> {
    let meeting = match meeting {
        Ok(meeting) => meeting,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let mut queue = store::floor(conn, meeting.id, agenda_item_id)?;
    if let Err(refusal) = change(&mut queue) {
        return Ok(Err(refusal));
    }
    store::save_floor(conn, &meeting, agenda_item_id, &queue, now)?;
    Ok(Ok(()))
}

/// Records `member_id`'s attendance at `meeting`, if the operation was allowed.
fn attend(
    conn: &Db,
    meeting: Result<Meeting, Refusal>,
    member_id: MemberId,
    attendance: &Attendance,
    marked_by: store::MarkedBy,
    now: DateTime<Utc>,
) -> Result<Result<(), Refusal>, HubError> {
    Ok(match meeting {
        Ok(meeting) => {
            store::record_attendance(conn, &meeting, member_id, attendance, marked_by, now)?;
            Ok(())
        }
        Err(refusal) => Err(refusal),
    })
}

/// A member's own check-in, made on their laptop at `checked_in_at`. The later decision
/// holds: a check-in queued offline before the secretary marked the member does not
/// undo that mark when it arrives; it is refused, and the meeting shows the
/// disagreement. (The laptop's clock is the member's own; all it could gain by setting
/// it ahead is to check in, which a check-in made now would do anyway.)
fn check_in(
    conn: &Db,
    meeting: Result<Meeting, Refusal>,
    member_id: MemberId,
    checked_in_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Result<(), Refusal>, HubError> {
    let meeting = match meeting {
        Ok(meeting) => meeting,
        Err(refusal) => return Ok(Err(refusal)),
    };
    if let Some((mark, marked_at)) = store::secretary_mark(conn, meeting.id, member_id)?
        && checked_in_at < marked_at
    {
        store::record_disputed_check_in(conn, &meeting, member_id, mark, checked_in_at, now)?;
        return Ok(Err(InvalidOperation::MarkedMeanwhile.into()));
    }
    attend(
        conn,
        Ok(meeting),
        member_id,
        &Attendance::Present,
        store::MarkedBy::Member,
        now,
    )
}

fn allowed(member: &Member, action: Action, meeting: &Meeting) -> Result<(), Refusal> {
    decide(member, action, meeting).map_err(Refusal::from)
}

fn load_meeting(conn: &Db, meeting_id: MeetingId) -> Result<Result<Meeting, Refusal>, HubError> {
    Ok(store::meeting(conn, meeting_id)?.ok_or(InvalidOperation::UnknownMeeting.into()))
}

/// An annotation as the hub holds it.
struct StoredAnnotation {
    author: String,
    meeting_id: MeetingId,
    annotation: Annotation,
}

fn stored_annotation(
    conn: &Db,
    annotation_id: AnnotationId,
) -> Result<Option<StoredAnnotation>, HubError> {
    Ok(conn
        .query_row(
            "SELECT author_id, meeting_id, json FROM annotations WHERE id = ?1",
            [annotation_id.to_string()],
            |row| {
                Ok(StoredAnnotation {
                    author: row.get(0)?,
                    meeting_id: store::parse_column(1, row.get(1)?)?,
                    annotation: store::json_column(2, &row.get::<String>(2)?)?,
                })
            },
        )
        .optional()?)
}

fn save_annotation(
    conn: &Db,
    member: &Member,
    annotation: &Annotation,
    now: DateTime<Utc>,
) -> Result<Result<(), Refusal>, HubError> {
    if annotation.author != member.id {
        return Ok(Err(InvalidOperation::NotTheAuthor.into()));
    }
    let before = stored_annotation(conn, annotation.id)?;
    if let Some(stored) = &before
        && stored.author != member.id.to_string()
    {
        return Ok(Err(InvalidOperation::SomeoneElsesAnnotation.into()));
    }
    let meetings = store::meetings_of_committee(conn, member.committee_id)?;
    let Some(meeting) = meetings.iter().find(|m| {
        m.documents()
            .any(|document| document.id == annotation.document_id)
    }) else {
        return Ok(Err(InvalidOperation::UnknownDocument.into()));
    };
    if let Err(reason) = allowed(member, Action::Annotate, meeting) {
        return Ok(Err(reason));
    }
    if annotation.visibility == Visibility::Shared
        && let Err(reason) = allowed(member, Action::ShareAnnotation, meeting)
    {
        return Ok(Err(reason));
    }
    store_annotation(conn, member, meeting.id, annotation, before, now)?;
    Ok(Ok(()))
}

fn delete_annotation(
    conn: &Db,
    member: &Member,
    annotation_id: AnnotationId,
    now: DateTime<Utc>,
) -> Result<Result<(), Refusal>, HubError> {
    match stored_annotation(conn, annotation_id)? {
        // Unknown: it was made and deleted offline before ever reaching the hub.
        None => Ok(Ok(())),
        Some(stored) if stored.author == member.id.to_string() => {
            let tombstone = Annotation {
                deleted: true,
                updated_at: now,
                ..stored.annotation.clone()
            };
            store_annotation(
                conn,
                member,
                stored.meeting_id,
                &tombstone,
                Some(stored),
                now,
            )?;
            Ok(Ok(()))
        }
        Some(_) => Ok(Err(InvalidOperation::SomeoneElsesAnnotation.into())),
    }
}

/// Keeps the annotation and tells the feed: the author's devices and, if it is shared,
/// the meeting get it; if it was shared and is private now, the others drop it.
fn store_annotation(
    conn: &Db,
    member: &Member,
    meeting_id: MeetingId,
    annotation: &Annotation,
    before: Option<StoredAnnotation>,
    now: DateTime<Utc>,
) -> Result<(), HubError> {
    conn.execute(
        "INSERT INTO annotations (id, author_id, meeting_id, json, deleted)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (id) DO UPDATE SET meeting_id = excluded.meeting_id,
             json = excluded.json, deleted = excluded.deleted",
        params![
            annotation.id.to_string(),
            member.id.to_string(),
            meeting_id.to_string(),
            serde_json::to_string(annotation)?,
            annotation.deleted,
        ],
    )?;
    let record = Record::Annotation {
        meeting_id,
        annotation: annotation.clone(),
    };
    store::append_change(conn, member.committee_id, &record, now)?;
    let was_shared = before.is_some_and(|b| b.annotation.visibility == Visibility::Shared);
    if was_shared && annotation.visibility == Visibility::Private {
        let withdrawal = Record::AnnotationWithdrawn {
            annotation_id: annotation.id,
            author: member.id,
        };
        store::append_change(conn, member.committee_id, &withdrawal, now)?;
    }
    Ok(())
}
