//! Polls, ballots and delegations (ủy quyền) on the hub: the vote operations of a
//! device's outbox, what the feed shows of a poll, and the results the CLI prints.
//!
//! Invariants:
//! - A poll's roster (who may vote, and who votes for whom) is fixed when it opens:
//!   republishing the meeting never changes an open or unsettled poll's voters or drops a
//!   ballot, so the feed's tally and `results` always agree.
//! - A late ballot (arriving after the close, within the grace period) counts only as
//!   its member's first on the poll, and only if no device of that member (or of the
//!   delegate casting it) has pulled the feed since the close.
//! - A delegation is taken only when signed by the delegating member's device for this
//!   very upload, and goes to its own hash-chained log.
//! - Only the hub's clock opens and closes a poll. A device's signed clock decides only
//!   whether a ballot that reaches the hub after closing was cast before it.
//! - A ballot is taken only when the pushing device signed it for this very upload (its
//!   device, caster and sequence number), so it can be neither altered nor replayed.
//! - Every accepted ballot goes to the audit log ([`crate::audit`]); the one that counts
//!   for a member is their latest by (cast time, log order), so an older ballot that
//!   arrives late never overrides a newer one.
//! - What the feed carries of a secret poll never links a member to a choice: no
//!   voters, and no tally until the poll is final (closed, grace period over). A tally
//!   shown earlier would move with each late ballot and give that ballot away.

use std::collections::HashMap;

use chrono::{DateTime, Duration, SubsecRound, Utc};
use quorum_core::protocol::{InvalidOperation, PollView, Record, Refusal};
use quorum_core::{
    Action, Ballot, BallotSecrecy, CommitteeId, Counted, Delegation, Denied, DeviceId, MeetingId,
    Member, MemberId, Poll, PollId, PollState, PollSubject, Role, Tally, Timing, decide,
    eligible_voters, judge_timing, may_ask_written_opinion, tally,
};
use rusqlite::params;

use crate::appended::Appended;
use crate::db::{Db, OptionalRow};
use serde::{Deserialize, Serialize};

use crate::audit::{self, Logged};
use crate::intake::NotApplied;
use crate::store::{self, HubStore};
use crate::{HubError, answer_sheets};

/// Who may vote in an opened poll, and who votes for whom, as they stood at opening.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PollRoster {
    voters: Vec<MemberId>,
    /// (member, their delegate).
    delegates: Vec<(MemberId, MemberId)>,
}

/// A poll as the hub keeps it.
struct StoredPoll {
    poll: Poll,
    committee_id: CommitteeId,
    state: PollState,
    /// The final record is in the feed; no ballot is taken any more.
    settled: bool,
    /// Fixed at opening; `None` while a draft (and for polls opened before rosters were
    /// kept, whose voters are then the meeting's).
    roster: Option<PollRoster>,
}

fn load_poll(conn: &Db, poll_id: PollId) -> Result<Option<StoredPoll>, HubError> {
    Ok(conn
        .query_row(
            "SELECT json, committee_id, state, settled, roster FROM polls WHERE id = ?1",
            [poll_id.to_string()],
            |row| {
                let roster: Option<String> = row.get(4)?;
                Ok(StoredPoll {
                    poll: store::json_column(0, &row.get::<String>(0)?)?,
                    committee_id: store::parse_column(1, row.get(1)?)?,
                    state: store::json_column(2, &row.get::<String>(2)?)?,
                    settled: row.get(3)?,
                    roster: roster
                        .map(|json| store::json_column(4, &json))
                        .transpose()?,
                })
            },
        )
        .optional()?)
}

fn meeting_of(poll: &Poll) -> Option<MeetingId> {
    match poll.subject {
        PollSubject::AgendaItem { meeting_id, .. } => Some(meeting_id),
        PollSubject::WrittenOpinion { .. } => None,
    }
}

/// Whether no ballot can change the result any more: closed, and the grace period for
/// ballots cast offline before closing is over.
fn is_final(poll: &Poll, state: PollState, now: DateTime<Utc>) -> bool {
    matches!(state, PollState::Closed { closed_at, .. }
        if now >= closed_at + Duration::seconds(poll.late_grace_seconds.into()))
}

/// Stores the poll as it stands at `now` and appends it to the feed.
fn publish(conn: &Db, stored: &mut StoredPoll, now: DateTime<Utc>) -> Result<(), HubError> {
    stored.state = stored.state.at(&stored.poll, now);
    stored.settled = is_final(&stored.poll, stored.state, now);
    let roster = stored
        .roster
        .as_ref()
        .map(serde_json::to_string)
        .transpose()?;
    conn.execute(
        "INSERT INTO polls (id, committee_id, meeting_id, json, state, settled, roster)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (id) DO UPDATE SET committee_id = excluded.committee_id,
             meeting_id = excluded.meeting_id, json = excluded.json, state = excluded.state,
             settled = excluded.settled, roster = excluded.roster",
        params![
            stored.poll.id.to_string(),
            stored.committee_id.to_string(),
            meeting_of(&stored.poll).map(|id| id.to_string()),
            serde_json::to_string(&stored.poll)?,
            serde_json::to_string(&stored.state)?,
            stored.settled,
            roster,
        ],
    )?;
    let record = Record::Poll {
        poll: view(conn, stored, now)?,
    };
    store::append_change(conn, stored.committee_id, &record, now)?;
    if stored.poll.takes_answer_sheets() {
        let counted = count(conn, stored)?.counted;
        answer_sheets::withdraw_stale(conn, stored.poll.id, stored.committee_id, &counted, now)?;
    }
    Ok(())
}

/// Takes `member`'s signed answer sheet for their ballot that counts in `poll_id`.
pub(crate) fn submit_answer_sheet(
    conn: &Db,
    member: &Member,
    poll_id: PollId,
    sheet: &str,
    now: DateTime<Utc>,
) -> Result<(), NotApplied> {
    let stored = load_poll(conn, poll_id)?.ok_or(InvalidOperation::UnknownPoll)?;
    if stored.committee_id != member.committee_id {
        return Err(InvalidOperation::UnknownPoll.into());
    }
    let counted = count(conn, &stored)?.counted;
    let theirs = counted
        .iter()
        .find(|logged| logged.ballot.member_id == member.id);
    answer_sheets::take(
        conn,
        member,
        &stored.poll,
        stored.committee_id,
        theirs,
        sheet,
        now,
    )
}

/// The poll's ballots added up: who may vote, and each member's counting ballot.
struct Count {
    eligible: Vec<MemberId>,
    /// In the order of `eligible`.
    counted: Vec<Logged>,
    tally: Tally,
}

/// Who may vote: the roster fixed at opening, or (a draft) who would if it opened now.
fn eligible(conn: &Db, stored: &StoredPoll) -> Result<Vec<MemberId>, HubError> {
    if let Some(roster) = &stored.roster {
        return Ok(roster.voters.clone());
    }
    current_voters(conn, stored)
}

fn current_voters(conn: &Db, stored: &StoredPoll) -> Result<Vec<MemberId>, HubError> {
    let committee = store::members_of_committee(conn, stored.committee_id)?;
    let meeting = match meeting_of(&stored.poll) {
        Some(meeting_id) => store::meeting(conn, meeting_id)?,
        None => None,
    };
    Ok(eligible_voters(&stored.poll, &committee, meeting.as_ref()))
}

fn count(conn: &Db, stored: &StoredPoll) -> Result<Count, HubError> {
    let eligible = eligible(conn, stored)?;
    let mut latest: HashMap<MemberId, Logged> = audit::counted_ballots(conn, stored.poll.id)?
        .into_iter()
        .map(|logged| (logged.ballot.member_id, logged))
        .collect();
    // Everyone on the roster counts, invited still or not: editing the meeting after
    // opening changes nothing here.
    let counted: Vec<Logged> = eligible.iter().filter_map(|id| latest.remove(id)).collect();
    let for_tally: Vec<Counted> = counted
        .iter()
        .map(|logged| Counted {
            member_id: logged.ballot.member_id,
            option_key: logged.ballot.option_key.clone(),
            timing: logged.timing,
            delegated: logged.ballot.member_id != logged.ballot.cast_by,
        })
        .collect();
    let entitled = u32::try_from(eligible.len()).unwrap_or(u32::MAX);
    let tally = tally(&stored.poll, entitled, &for_tally);
    Ok(Count {
        eligible,
        counted,
        tally,
    })
}

/// What every viewer of the poll may see of it (who may view it at all is the feed's
/// business, in `api::visible_to`).
fn view(conn: &Db, stored: &StoredPoll, now: DateTime<Utc>) -> Result<PollView, HubError> {
    let count = count(conn, stored)?;
    let named = stored.poll.secrecy == BallotSecrecy::Named;
    let voters = if named {
        count.counted.iter().map(|l| l.ballot.member_id).collect()
    } else {
        Vec::new()
    };
    Ok(PollView {
        poll: stored.poll.clone(),
        state: stored.state,
        eligible: count.eligible,
        voters,
        answered: count.tally.answered,
        tally: (named || is_final(&stored.poll, stored.state, now)).then_some(count.tally),
        late_until: match stored.state {
            PollState::Closed { closed_at, .. } if !is_final(&stored.poll, stored.state, now) => {
                Some(closed_at + Duration::seconds(stored.poll.late_grace_seconds.into()))
            }
            _ => None,
        },
        audit: if is_final(&stored.poll, stored.state, now) {
            Some(audit::head_of(conn, stored.poll.id)?)
        } else {
            None
        },
    })
}

/// Whether `member` may prepare, open or close a poll on `subject`; answers the
/// committee the poll belongs to.
fn may_run(conn: &Db, member: &Member, subject: &PollSubject) -> Result<CommitteeId, NotApplied> {
    match subject {
        PollSubject::AgendaItem {
            meeting_id,
            agenda_item_id,
        } => {
            let meeting =
                store::meeting(conn, *meeting_id)?.ok_or(InvalidOperation::UnknownMeeting)?;
            decide(member, Action::RunPoll, &meeting)?;
            if !meeting.agenda.iter().any(|item| item.id == *agenda_item_id) {
                return Err(InvalidOperation::UnknownAgendaItem.into());
            }
            Ok(meeting.committee_id)
        }
        PollSubject::WrittenOpinion { committee_id } => {
            may_ask_written_opinion(member, *committee_id)?;
            Ok(*committee_id)
        }
    }
}

pub(crate) fn create_poll(
    conn: &Db,
    member: &Member,
    poll: &Poll,
    now: DateTime<Utc>,
) -> Result<(), NotApplied> {
    poll.validate().map_err(|_| InvalidOperation::InvalidPoll)?;
    let committee_id = may_run(conn, member, &poll.subject)?;
    if let Some(before) = load_poll(conn, poll.id)? {
        if before.state != PollState::Draft {
            return Err(InvalidOperation::PollAlreadyOpened.into());
        }
        // Editing a draft takes the right to run the poll it was, too.
        may_run(conn, member, &before.poll.subject)?;
    }
    let mut stored = StoredPoll {
        poll: poll.clone(),
        committee_id,
        state: PollState::Draft,
        settled: false,
        roster: None,
    };
    publish(conn, &mut stored, now)?;
    Ok(())
}

pub(crate) fn open_poll(
    conn: &Db,
    member: &Member,
    poll_id: PollId,
    now: DateTime<Utc>,
) -> Result<(), NotApplied> {
    let mut stored = load_poll(conn, poll_id)?.ok_or(InvalidOperation::UnknownPoll)?;
    may_run(conn, member, &stored.poll.subject)?;
    if stored.state != PollState::Draft {
        return Err(InvalidOperation::PollAlreadyOpened.into());
    }
    // Opened past its deadline it would close before it opened.
    if stored
        .poll
        .closes_at
        .is_some_and(|deadline| deadline <= now)
    {
        return Err(InvalidOperation::InvalidPoll.into());
    }
    let voters = current_voters(conn, &stored)?;
    let delegates = match meeting_of(&stored.poll) {
        Some(meeting_id) => delegations_of(conn, meeting_id)?
            .into_iter()
            .filter(|(member, delegate)| voters.contains(member) && voters.contains(delegate))
            .collect(),
        None => Vec::new(),
    };
    stored.roster = Some(PollRoster { voters, delegates });
    stored.state = PollState::Open { opened_at: now };
    publish(conn, &mut stored, now)?;
    Ok(())
}

/// Every (member, delegate) of a meeting now.
fn delegations_of(conn: &Db, meeting_id: MeetingId) -> Result<Vec<(MemberId, MemberId)>, HubError> {
    let rows = conn.query_map(
        "SELECT member_id, delegate_id FROM delegations WHERE meeting_id = ?1",
        [meeting_id.to_string()],
        |row| {
            Ok((
                store::parse_column(0, row.get(0)?)?,
                store::parse_column(1, row.get(1)?)?,
            ))
        },
    )?;
    Ok(rows)
}

pub(crate) fn close_poll(
    conn: &Db,
    member: &Member,
    poll_id: PollId,
    now: DateTime<Utc>,
) -> Result<(), NotApplied> {
    let mut stored = load_poll(conn, poll_id)?.ok_or(InvalidOperation::UnknownPoll)?;
    match may_run(conn, member, &stored.poll.subject) {
        // Closing lets nobody vote, so a meeting closed meanwhile does not keep it open.
        Err(NotApplied::Refused(Refusal::Denied(Denied::MeetingClosed))) => {}
        other => {
            other?;
        }
    }
    let PollState::Open { opened_at } = stored.state.at(&stored.poll, now) else {
        return Err(InvalidOperation::PollNotOpen.into());
    };
    stored.state = PollState::Closed {
        opened_at,
        closed_at: now,
    };
    publish(conn, &mut stored, now)?;
    Ok(())
}

/// Why `member_id` is not among a poll's voters.
fn not_eligible(
    conn: &Db,
    stored: &StoredPoll,
    member_id: MemberId,
) -> Result<NotApplied, HubError> {
    Ok(match store::member(conn, member_id)? {
        Some(m) if m.committee_id == stored.committee_id => match m.role {
            Role::Chair | Role::Member => Denied::NotInvited.into(),
            Role::Secretary | Role::Observer => Denied::NonVotingRole.into(),
        },
        _ => Denied::OtherCommittee.into(),
    })
}

fn delegate_of(
    conn: &Db,
    meeting_id: MeetingId,
    member_id: MemberId,
) -> Result<Option<MemberId>, HubError> {
    let delegate: Option<String> = conn
        .query_row(
            "SELECT delegate_id FROM delegations WHERE meeting_id = ?1 AND member_id = ?2",
            params![meeting_id.to_string(), member_id.to_string()],
            |row| row.get(0),
        )
        .optional()?;
    Ok(delegate.map(|id| store::parse_column(0, id)).transpose()?)
}

/// The operation a ballot or delegation came in.
pub(crate) struct Upload<'a> {
    pub device_id: DeviceId,
    pub device_seq: u64,
    /// The device's member.
    pub member: &'a Member,
    /// Whether the ballot or delegation carries the device's signature.
    pub signed: bool,
    /// Where the audit logs stand in the transaction.
    pub heads: &'a mut audit::LogHeads,
    /// The rows the group appended so far.
    pub appended: &'a mut Appended,
    /// The polls the group's ballots went to, as read.
    pub polls: &'a mut PollsRead,
}

/// The polls a group's ballots went to, each read once: the group forgets them before
/// it applies anything that is not a ballot, so nothing changed them since.
#[derive(Default)]
pub(crate) struct PollsRead(HashMap<PollId, Option<StoredPoll>>);

impl PollsRead {
    fn read(&mut self, conn: &Db, poll_id: PollId) -> Result<Option<&StoredPoll>, HubError> {
        let read = match self.0.entry(poll_id) {
            std::collections::hash_map::Entry::Occupied(read) => read.into_mut(),
            std::collections::hash_map::Entry::Vacant(unread) => {
                unread.insert(load_poll(conn, poll_id)?)
            }
        };
        Ok(read.as_ref())
    }

    pub(crate) fn forget(&mut self) {
        self.0.clear();
    }
}

/// Takes a ballot pushed in `upload`. The poll's new state is published by the caller,
/// once for all the ballots it takes together ([`publish_polls`]): re-counting after each
/// one would make a poll's ballots cost the square of their number.
pub(crate) fn cast_ballot(
    conn: &Db,
    upload: Upload<'_>,
    ballot: &Ballot,
    now: DateTime<Utc>,
) -> Result<(), NotApplied> {
    // Digits finer than the signed milliseconds would travel unsigned.
    let bound = ballot.device_id == upload.device_id
        && ballot.device_seq == upload.device_seq
        && ballot.cast_by == upload.member.id
        && ballot.cast_at == ballot.cast_at.trunc_subsecs(3);
    if !bound || !upload.signed {
        return Err(InvalidOperation::BadSignature.into());
    }
    let stored = upload
        .polls
        .read(conn, ballot.poll_id)?
        .ok_or(InvalidOperation::UnknownPoll)?;
    if !eligible(conn, stored)?.contains(&ballot.member_id) {
        return Err(not_eligible(conn, stored, ballot.member_id)?);
    }
    if ballot.member_id != ballot.cast_by {
        // Only in a meeting can a vote be delegated; a written opinion is each member's own.
        let delegated = match (&stored.roster, meeting_of(&stored.poll)) {
            (Some(roster), _) => roster
                .delegates
                .contains(&(ballot.member_id, ballot.cast_by)),
            (None, Some(meeting_id)) => {
                delegate_of(conn, meeting_id, ballot.member_id)? == Some(ballot.cast_by)
            }
            (None, None) => false,
        };
        if !delegated {
            return Err(InvalidOperation::NotDelegated.into());
        }
    }
    stored
        .poll
        .check_ballot(ballot)
        .map_err(|_| InvalidOperation::InvalidChoice)?;
    let timing = judge_timing(&stored.poll, stored.state, ballot.cast_at, now)
        .map_err(InvalidOperation::from)?;
    // Only a clock set back could get here: the final tally is out, it must not move.
    if stored.settled {
        return Err(InvalidOperation::BallotAfterGrace.into());
    }
    if timing == Timing::Late {
        check_late(conn, stored, ballot, upload.appended, now)?;
    }
    audit::append_counted(upload.heads, upload.appended, ballot, timing, now)?;
    Ok(())
}

/// Publishes each of `polls` as it stands now: counted once, whatever the ballots taken.
/// A poll the group `read` and did not forget since is not read again.
pub(crate) fn publish_polls(
    conn: &Db,
    polls: impl IntoIterator<Item = PollId>,
    read: &mut PollsRead,
    now: DateTime<Utc>,
) -> Result<(), HubError> {
    for poll_id in polls {
        let stored = match read.0.remove(&poll_id) {
            Some(stored) => stored,
            None => load_poll(conn, poll_id)?,
        };
        if let Some(mut stored) = stored {
            publish(conn, &mut stored, now)?;
        }
    }
    Ok(())
}

/// Whether a pull by `device_id` at `now` must be noted for [`check_late`]: some poll of
/// `committee_id` is closed, still unsettled (late ballots may come), and the device's
/// last noted pull is not after its close. A poll that closes later is not affected by a
/// pull made before. Read after the page the pull hands out, so that a close that page
/// shows is seen here too.
pub(crate) fn pull_counts_for_late_ballots(
    conn: &Db,
    committee_id: CommitteeId,
    device_id: DeviceId,
    now: DateTime<Utc>,
) -> Result<bool, HubError> {
    let noted: Option<DateTime<Utc>> = conn
        .query_row(
            "SELECT last_pulled_at FROM devices WHERE id = ?1",
            [device_id.to_string()],
            |row| row.get(0),
        )
        .optional()?
        .flatten();
    let unsettled: Vec<(Poll, PollState)> = conn.query_map(
        "SELECT json, state FROM polls WHERE committee_id = ?1 AND settled = 0",
        [committee_id.to_string()],
        |row| {
            Ok((
                store::json_column(0, &row.get::<String>(0)?)?,
                store::json_column(1, &row.get::<String>(1)?)?,
            ))
        },
    )?;
    Ok(unsettled.iter().any(|(poll, state)| {
        matches!(state.at(poll, now), PollState::Closed { closed_at, .. }
            if noted.is_none_or(|noted| noted <= closed_at))
    }))
}

/// A ballot arriving after the close counts only if it cannot have been cast knowing the
/// result: the member's first on the poll, from someone none of whose devices pulled
/// the feed since the close.
fn check_late(
    conn: &Db,
    stored: &StoredPoll,
    ballot: &Ballot,
    appended: &Appended,
    now: DateTime<Utc>,
) -> Result<(), NotApplied> {
    let PollState::Closed { closed_at, .. } = stored.state.at(&stored.poll, now) else {
        return Ok(());
    };
    let voted_in_group =
        appended.holds_counting(&stored.poll.id.to_string(), &ballot.member_id.to_string());
    if voted_in_group || audit::has_voted(conn, stored.poll.id, ballot.member_id)? {
        return Err(InvalidOperation::LateBallotReplaces.into());
    }
    for who in [ballot.member_id, ballot.cast_by] {
        if store::member_last_pulled(conn, who)?.is_some_and(|pulled| pulled > closed_at) {
            return Err(InvalidOperation::SeenSinceClose.into());
        }
    }
    Ok(())
}

/// Takes a delegation pushed in `upload`.
pub(crate) fn delegate(
    conn: &Db,
    upload: Upload<'_>,
    delegation: &Delegation,
    now: DateTime<Utc>,
) -> Result<(), NotApplied> {
    let bound = delegation.device_id == upload.device_id
        && delegation.device_seq == upload.device_seq
        && delegation.member_id == upload.member.id
        && delegation.signed_at == delegation.signed_at.trunc_subsecs(3);
    if !bound || !upload.signed {
        return Err(InvalidOperation::BadDelegationSignature.into());
    }
    let member = upload.member;
    let meeting_id = delegation.meeting_id;
    let delegate = delegation.delegate;
    let meeting = store::meeting(conn, meeting_id)?.ok_or(InvalidOperation::UnknownMeeting)?;
    decide(member, Action::Vote, &meeting)?;
    match delegate {
        Some(delegate_id) => {
            let votes = store::member(conn, delegate_id)?
                .is_some_and(|d| decide(&d, Action::Vote, &meeting).is_ok());
            if delegate_id == member.id || !votes {
                return Err(InvalidOperation::InvalidDelegate.into());
            }
            conn.execute(
                "INSERT INTO delegations (meeting_id, member_id, delegate_id) VALUES (?1, ?2, ?3)
                 ON CONFLICT (meeting_id, member_id) DO UPDATE SET delegate_id = excluded.delegate_id",
                params![
                    meeting_id.to_string(),
                    member.id.to_string(),
                    delegate_id.to_string()
                ],
            )?;
        }
        None => {
            conn.execute(
                "DELETE FROM delegations WHERE meeting_id = ?1 AND member_id = ?2",
                params![meeting_id.to_string(), member.id.to_string()],
            )?;
        }
    }
    audit::append_delegation(conn, upload.heads, delegation, now)?;
    let record = Record::Delegation {
        meeting_id,
        member: member.id,
        delegate,
    };
    store::append_change(conn, meeting.committee_id, &record, now)?;
    Ok(())
}

/// A poll's results, for `quorum-hub results`.
#[derive(Debug, Clone)]
pub struct PollResults {
    pub poll: Poll,
    pub tally: Tally,
    /// Each counted ballot, for a named poll only; in the order of the eligible members.
    pub ballots: Vec<NamedBallot>,
}

#[derive(Debug, Clone)]
pub struct NamedBallot {
    pub member: String,
    pub option_key: String,
    pub comment: Option<String>,
    pub timing: Timing,
    /// The delegate who cast it, when it was not the member.
    pub cast_by: Option<String>,
}

impl HubStore {
    /// The results of `poll_id` at `now`. A secret poll's wait until it is final, as
    /// they do in the feed.
    pub fn poll_results(
        &self,
        poll_id: PollId,
        now: DateTime<Utc>,
    ) -> Result<PollResults, HubError> {
        let conn = &self.conn;
        let stored = load_poll(conn, poll_id)?.ok_or(HubError::PollNotFound(poll_id))?;
        let state = stored.state.at(&stored.poll, now);
        let named = stored.poll.secrecy == BallotSecrecy::Named;
        if !named && !is_final(&stored.poll, state, now) {
            return Err(HubError::ResultsNotFinal(poll_id));
        }
        let count = count(conn, &stored)?;
        let ballots = if named {
            let names: HashMap<MemberId, String> =
                store::members_of_committee(conn, stored.committee_id)?
                    .into_iter()
                    .map(|m| (m.id, m.full_name))
                    .collect();
            let name = |id: MemberId| names.get(&id).cloned().unwrap_or_else(|| id.to_string());
            count
                .counted
                .into_iter()
                .map(|Logged { ballot, timing, .. }| NamedBallot {
                    member: name(ballot.member_id),
                    cast_by: (ballot.cast_by != ballot.member_id).then(|| name(ballot.cast_by)),
                    option_key: ballot.option_key,
                    comment: ballot.comment,
                    timing,
                })
                .collect()
        } else {
            Vec::new()
        };
        Ok(PollResults {
            poll: stored.poll,
            tally: count.tally,
            ballots,
        })
    }

    /// Publishes what time alone changed: polls their deadline closed, and polls that
    /// became final (a secret one's tally is shown only then). Returns how many moved.
    pub fn settle_polls(&mut self, now: DateTime<Utc>) -> Result<usize, HubError> {
        let tx = self.conn.transaction()?;
        let unsettled: Vec<(PollId, CommitteeId, PollState)> = tx.query_map(
            "SELECT id, committee_id, state FROM polls WHERE settled = 0
             ORDER BY committee_id, id",
            (),
            |row| {
                Ok((
                    store::parse_column(0, row.get(0)?)?,
                    store::parse_column(1, row.get(1)?)?,
                    store::json_column(2, &row.get::<String>(2)?)?,
                ))
            },
        )?;
        let ids: Vec<PollId> = unsettled
            .iter()
            .filter(|(_, _, state)| *state != PollState::Draft)
            .map(|(id, _, _)| *id)
            .collect();
        // Feeds first, in one order for every writer, so two hub processes settling
        // at once cannot each hold what the other waits for.
        store::take_feeds(&tx, unsettled.iter().map(|(_, committee, _)| *committee))?;
        let mut moved = 0;
        for poll_id in ids {
            let Some(mut stored) = load_poll(&tx, poll_id)? else {
                continue;
            };
            let state = stored.state.at(&stored.poll, now);
            if state != stored.state || is_final(&stored.poll, state, now) {
                publish(&tx, &mut stored, now)?;
                moved += 1;
            }
        }
        tx.commit()?;
        Ok(moved)
    }
}
