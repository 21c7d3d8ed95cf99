//! Polls on this laptop: what the hub shows of them, and the member's own ballots,
//! signed here with the laptop's key and queued like every other operation.

use chrono::{DateTime, SubsecRound, Utc};
use ed25519_dalek::{Signer, SigningKey};
use quorum_core::protocol::PollView;
use quorum_core::{
    Ballot, Delegation, MeetingId, MemberId, OperationId, OperationPayload, Poll, PollId,
    PollState, PollSubject,
};
use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;
use tracing::instrument;
use ts_rs::TS;

use crate::replica::stored_json;
use crate::{Result, Store, StoreError};

/// Where a ballot cast on this laptop stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum BallotStatus {
    /// Signed and kept here; the hub has not taken it yet.
    Waiting,
    /// The hub took it: it counts (the latest of the member's ballots does).
    Counted,
    /// The hub refused it; the code says why, in the member's language.
    Refused {
        refusal: quorum_core::protocol::Refusal,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MyBallot {
    pub ballot: Ballot,
    pub status: BallotStatus,
}

impl Store {
    /// Polls of a meeting, or with `None` the written-opinion requests, newest first.
    pub fn polls(&self, meeting_id: Option<MeetingId>) -> Result<Vec<PollView>> {
        let mut statement = self
            .conn
            .prepare("SELECT json FROM polls WHERE meeting_id IS ?1 ORDER BY id DESC")?;
        let rows = statement.query_map([meeting_id.map(|id| id.to_string())], |row| {
            row.get::<_, String>(0)
        })?;
        rows.map(|json| Ok(serde_json::from_str(&json?)?)).collect()
    }

    pub fn poll(&self, poll_id: PollId) -> Result<PollView> {
        stored_json(&self.conn, "SELECT json FROM polls WHERE id = ?1", poll_id)?
            .ok_or(StoreError::PollNotFound(poll_id))
    }

    /// The member's ballots on a poll cast on this laptop, newest first, with where
    /// each stands.
    pub fn my_ballots(&self, poll_id: PollId) -> Result<Vec<MyBallot>> {
        let mut statement = self.conn.prepare(
            "SELECT b.json, o.id IS NOT NULL, o.refusal FROM my_ballots b
             LEFT JOIN outbox o ON o.id = b.operation_id
             WHERE b.poll_id = ?1
             ORDER BY json_extract(b.json, '$.castAt') DESC, b.operation_id DESC",
        )?;
        let rows = statement.query_map([poll_id.to_string()], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, bool>(1)?,
                row.get::<_, Option<String>>(2)?,
            ))
        })?;
        rows.map(|row| {
            let (json, queued, refusal) = row?;
            let status = match (queued, refusal) {
                (false, _) => BallotStatus::Counted,
                (true, None) => BallotStatus::Waiting,
                (true, Some(refusal)) => BallotStatus::Refused {
                    refusal: serde_json::from_value(serde_json::Value::String(refusal))?,
                },
            };
            Ok(MyBallot {
                ballot: serde_json::from_str(&json)?,
                status,
            })
        })
        .collect()
    }

    /// Signs a ballot with this laptop's key and queues it, in one transaction. `for_member`
    /// is the member whose vote it is: the voter, or one who delegated to them.
    // Who the ballot is for and what it chose stay out of the log, and so does a
    // refusal's detail (it names the option): the member is shown it, not the log.
    #[instrument(skip_all, fields(poll = %poll_id))]
    pub fn cast_ballot(
        &mut self,
        poll_id: PollId,
        for_member: MemberId,
        option_key: &str,
        comment: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<Ballot> {
        // The signature covers milliseconds: nothing finer may travel unsigned.
        let now = now.trunc_subsecs(3);
        let device = self.device()?.ok_or(StoreError::NotEnrolled)?;
        let view = self.poll(poll_id)?;
        if !view.state.at(&view.poll, now).is_open() {
            return Err(StoreError::PollNotOpen);
        }
        if !view.eligible.contains(&for_member) {
            return Err(StoreError::NotEligible);
        }
        if for_member != device.member_id
            && self.delegate_of(&view.poll, for_member)? != Some(device.member_id)
        {
            return Err(StoreError::NotEligible);
        }
        let key = signing_key(&device)?;
        let tx = self.conn.transaction()?;
        let device_seq = next_device_seq(&tx)?;
        let mut ballot = Ballot {
            poll_id,
            member_id: for_member,
            cast_by: device.member_id,
            option_key: option_key.to_string(),
            comment: comment.filter(|c| !c.trim().is_empty()),
            cast_at: now,
            device_id: device.device_id,
            device_seq: device_seq as u64,
            signature: String::new(),
        };
        view.poll.check_ballot(&ballot)?;
        ballot.signature = hex::encode(key.sign(&ballot.signed_message()).to_bytes());
        let operation_id = OperationId::new_v7();
        let payload = OperationPayload::CastBallot {
            ballot: ballot.clone(),
        };
        tx.execute(
            "INSERT INTO outbox (device_seq, id, created_at, payload) VALUES (?1, ?2, ?3, ?4)",
            params![
                device_seq,
                operation_id.to_string(),
                now,
                serde_json::to_string(&payload)?
            ],
        )?;
        tx.execute(
            "INSERT INTO my_ballots (operation_id, poll_id, json) VALUES (?1, ?2, ?3)",
            params![
                operation_id.to_string(),
                poll_id.to_string(),
                serde_json::to_string(&ballot)?
            ],
        )?;
        tx.commit()?;
        tracing::debug!(device_seq, "ballot signed and queued");
        Ok(ballot)
    }

    /// Who votes for `member` in the poll's meeting, if they delegated.
    fn delegate_of(&self, poll: &Poll, member: MemberId) -> Result<Option<MemberId>> {
        let PollSubject::AgendaItem { meeting_id, .. } = poll.subject else {
            return Ok(None);
        };
        self.delegate_in(meeting_id, member)
    }

    /// Whom the member of this laptop lets vote for them in a meeting.
    pub fn my_delegate(&self, meeting_id: MeetingId) -> Result<Option<MemberId>> {
        let me = self.me()?.ok_or(StoreError::NotEnrolled)?;
        self.delegate_in(meeting_id, me.id)
    }

    fn delegate_in(&self, meeting_id: MeetingId, member: MemberId) -> Result<Option<MemberId>> {
        let delegate: Option<String> = self
            .conn
            .query_row(
                "SELECT delegate_id FROM delegations WHERE meeting_id = ?1 AND member_id = ?2",
                params![meeting_id.to_string(), member.to_string()],
                |row| row.get(0),
            )
            .optional()?;
        Ok(delegate.and_then(|id| id.parse().ok()))
    }

    /// Members who let `delegate` vote for them in a meeting.
    pub fn delegators(&self, meeting_id: MeetingId, delegate: MemberId) -> Result<Vec<MemberId>> {
        let mut statement = self.conn.prepare(
            "SELECT member_id FROM delegations WHERE meeting_id = ?1 AND delegate_id = ?2",
        )?;
        let rows = statement.query_map(
            params![meeting_id.to_string(), delegate.to_string()],
            |row| row.get::<_, String>(0),
        )?;
        Ok(rows.filter_map(|id| id.ok()?.parse().ok()).collect())
    }

    /// A poll the chair or secretary prepares; shown here at once as a draft.
    pub fn create_poll(&mut self, poll: &Poll, now: DateTime<Utc>) -> Result<()> {
        poll.validate()?;
        let view = PollView {
            poll: poll.clone(),
            state: PollState::Draft,
            eligible: Vec::new(),
            voters: Vec::new(),
            answered: 0,
            tally: None,
            late_until: None,
            audit: None,
        };
        let payload = OperationPayload::CreatePoll { poll: poll.clone() };
        self.record(now, payload, |tx| receive_poll(tx, &view))?;
        Ok(())
    }

    /// Queues opening or closing a poll; the hub's moment of applying it is what counts.
    pub fn run_poll(&mut self, poll_id: PollId, open: bool, now: DateTime<Utc>) -> Result<()> {
        let payload = if open {
            OperationPayload::OpenPoll { poll_id }
        } else {
            OperationPayload::ClosePoll { poll_id }
        };
        self.record(now, payload, |_| Ok(()))?;
        Ok(())
    }

    /// Lets `delegate` vote for this laptop's member in a meeting (or ends it with
    /// `None`), signed with the device's key in the transaction that queues it.
    pub fn delegate(
        &mut self,
        meeting_id: MeetingId,
        delegate: Option<MemberId>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        // The signature covers milliseconds: nothing finer may travel unsigned.
        let now = now.trunc_subsecs(3);
        let device = self.device()?.ok_or(StoreError::NotEnrolled)?;
        let key = signing_key(&device)?;
        let tx = self.conn.transaction()?;
        let device_seq = next_device_seq(&tx)?;
        let mut delegation = Delegation {
            meeting_id,
            member_id: device.member_id,
            delegate,
            signed_at: now,
            device_id: device.device_id,
            device_seq: device_seq as u64,
            signature: String::new(),
        };
        delegation.signature = hex::encode(key.sign(&delegation.signed_message()).to_bytes());
        receive_delegation(&tx, meeting_id, device.member_id, delegate)?;
        let payload = OperationPayload::Delegate { delegation };
        tx.execute(
            "INSERT INTO outbox (device_seq, id, created_at, payload) VALUES (?1, ?2, ?3, ?4)",
            params![
                device_seq,
                OperationId::new_v7().to_string(),
                now,
                serde_json::to_string(&payload)?
            ],
        )?;
        tx.commit()?;
        Ok(())
    }
}

pub(crate) fn receive_poll(tx: &Transaction, view: &PollView) -> Result<()> {
    let meeting_id = match view.poll.subject {
        PollSubject::AgendaItem { meeting_id, .. } => Some(meeting_id.to_string()),
        PollSubject::WrittenOpinion { .. } => None,
    };
    tx.execute(
        "INSERT INTO polls (id, meeting_id, json) VALUES (?1, ?2, ?3)
         ON CONFLICT (id) DO UPDATE SET meeting_id = excluded.meeting_id, json = excluded.json",
        params![
            view.poll.id.to_string(),
            meeting_id,
            serde_json::to_string(view)?
        ],
    )?;
    Ok(())
}

fn signing_key(device: &crate::DeviceIdentity) -> Result<SigningKey> {
    let secret: [u8; 32] = hex::decode(&device.signing_key)
        .ok()
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or(StoreError::BadDeviceKey)?;
    Ok(SigningKey::from_bytes(&secret))
}

/// The number the outbox will give the next operation, to be signed into it.
fn next_device_seq(tx: &Transaction) -> Result<i64> {
    let last: Option<i64> = tx
        .query_row(
            "SELECT seq FROM sqlite_sequence WHERE name = 'outbox'",
            [],
            |row| row.get(0),
        )
        .optional()?;
    Ok(last.unwrap_or(0) + 1)
}

pub(crate) fn receive_delegation(
    tx: &Transaction,
    meeting_id: MeetingId,
    member: MemberId,
    delegate: Option<MemberId>,
) -> Result<()> {
    match delegate {
        Some(delegate) => tx.execute(
            "INSERT INTO delegations (meeting_id, member_id, delegate_id) VALUES (?1, ?2, ?3)
             ON CONFLICT (meeting_id, member_id) DO UPDATE SET delegate_id = excluded.delegate_id",
            params![
                meeting_id.to_string(),
                member.to_string(),
                delegate.to_string()
            ],
        )?,
        None => tx.execute(
            "DELETE FROM delegations WHERE meeting_id = ?1 AND member_id = ?2",
            params![meeting_id.to_string(), member.to_string()],
        )?,
    };
    Ok(())
}
