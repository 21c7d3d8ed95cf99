use chrono::{DateTime, Utc};
use quorum_core::protocol::Refusal;
use quorum_core::{Action, MeetingId, Member, Operation, OperationId, OperationPayload, decide};
use rusqlite::types::Type;
use rusqlite::{Row, Transaction, params};
use tracing::instrument;

use crate::replica::parsed_enum;
use crate::{Result, Store, StoreError};

/// An operation the hub refused, kept so the member sees what did not count.
#[derive(Debug, Clone, PartialEq)]
pub struct RefusedOperation {
    pub operation: Operation,
    pub refusal: Refusal,
    /// The hub's sentence, for support.
    pub reason: String,
}

impl Store {
    /// Queues what the member does on a meeting, after `decide` allows `action` there:
    /// `effect` gets the member and applies it to the replica in the same transaction.
    pub(crate) fn record_allowed<F>(
        &mut self,
        action: Action,
        meeting_id: MeetingId,
        now: DateTime<Utc>,
        payload: OperationPayload,
        effect: F,
    ) -> Result<Operation>
    where
        F: FnOnce(&Transaction, &Member) -> Result<()>,
    {
        let me = self.me()?.ok_or(StoreError::NotEnrolled)?;
        decide(&me, action, &self.meeting(meeting_id)?)?;
        self.record(now, payload, |tx| effect(tx, &me))
    }

    /// Applies `effect` to the replica and queues `payload` for the hub, in one
    /// transaction: either both happen or neither does.
    #[instrument(skip_all, err)]
    pub fn record<F>(
        &mut self,
        now: DateTime<Utc>,
        payload: OperationPayload,
        effect: F,
    ) -> Result<Operation>
    where
        F: FnOnce(&Transaction) -> Result<()>,
    {
        let tx = self.conn.transaction()?;
        effect(&tx)?;
        let id = OperationId::new_v7();
        tx.execute(
            "INSERT INTO outbox (id, created_at, payload) VALUES (?1, ?2, ?3)",
            params![id.to_string(), now, serde_json::to_string(&payload)?],
        )?;
        let device_seq = tx.last_insert_rowid();
        tx.commit()?;
        Ok(Operation {
            id,
            device_seq: device_seq as u64,
            created_at: now,
            payload,
        })
    }

    /// The oldest operations waiting for the hub, in the order they were recorded.
    pub fn pending_operations(&self, limit: usize) -> Result<Vec<Operation>> {
        let mut statement = self.conn.prepare(
            "SELECT id, device_seq, created_at, payload FROM outbox
             WHERE rejected_reason IS NULL ORDER BY device_seq LIMIT ?1",
        )?;
        let rows = statement.query_map([limit as i64], read_operation)?;
        rows.map(|row| Ok(row?)).collect()
    }

    pub fn pending_count(&self) -> Result<u64> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM outbox WHERE rejected_reason IS NULL",
            [],
            |row| row.get(0),
        )?)
    }

    /// Removes an operation the hub has applied. Returns whether it was still waiting.
    pub fn acknowledge(&self, id: OperationId) -> Result<bool> {
        Ok(self.conn.execute(
            "DELETE FROM outbox WHERE id = ?1 AND rejected_reason IS NULL",
            [id.to_string()],
        )? == 1)
    }

    /// Keeps an operation the hub refused, with why, out of the upload queue.
    pub fn mark_rejected(&self, id: OperationId, refusal: Refusal, reason: &str) -> Result<bool> {
        Ok(self.conn.execute(
            "UPDATE outbox SET refusal = ?2, rejected_reason = ?3
             WHERE id = ?1 AND rejected_reason IS NULL",
            params![
                id.to_string(),
                serde_json::to_value(refusal)?.as_str(),
                reason
            ],
        )? == 1)
    }

    /// Operations the hub refused, oldest first.
    pub fn rejected_operations(&self) -> Result<Vec<RefusedOperation>> {
        let mut statement = self.conn.prepare(
            "SELECT id, device_seq, created_at, payload, refusal, rejected_reason FROM outbox
             WHERE rejected_reason IS NOT NULL ORDER BY device_seq",
        )?;
        let rows = statement.query_map([], |row| {
            Ok(RefusedOperation {
                operation: read_operation(row)?,
                refusal: parsed_enum(row, 4)?,
                reason: row.get(5)?,
            })
        })?;
        rows.map(|row| Ok(row?)).collect()
    }
}

/// Reads `id, device_seq, created_at, payload` from the first four columns.
fn read_operation(row: &Row) -> rusqlite::Result<Operation> {
    let id: String = row.get(0)?;
    let payload: String = row.get(3)?;
    let bad = |index, e: Box<dyn std::error::Error + Send + Sync>| {
        rusqlite::Error::FromSqlConversionFailure(index, Type::Text, e)
    };
    Ok(Operation {
        id: id.parse().map_err(|e| bad(0, Box::new(e)))?,
        device_seq: row.get(1)?,
        created_at: row.get(2)?,
        payload: serde_json::from_str(&payload).map_err(|e| bad(3, Box::new(e)))?,
    })
}
