use chrono::{DateTime, Utc};
use quorum_core::{Operation, OperationId, OperationPayload};
use rusqlite::{Transaction, params};
use tracing::instrument;

use crate::{Result, Store};

impl Store {
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

    /// The oldest operations not yet acknowledged, in the order they were recorded.
    pub fn pending_operations(&self, limit: usize) -> Result<Vec<Operation>> {
        let mut statement = self.conn.prepare(
            "SELECT id, device_seq, created_at, payload FROM outbox ORDER BY device_seq LIMIT ?1",
        )?;
        let rows = statement.query_map([limit as i64], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, i64>(1)?,
                row.get(2)?,
                row.get::<_, String>(3)?,
            ))
        })?;
        let mut operations = Vec::new();
        for row in rows {
            let (id, device_seq, created_at, payload) = row?;
            operations.push(Operation {
                id: id
                    .parse()
                    .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?,
                device_seq: device_seq as u64,
                created_at,
                payload: serde_json::from_str(&payload)?,
            });
        }
        Ok(operations)
    }

    pub fn pending_count(&self) -> Result<u64> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM outbox", [], |row| row.get(0))?)
    }

    /// Removes an operation the hub has answered for. Returns whether it was pending.
    pub fn acknowledge(&self, id: OperationId) -> Result<bool> {
        Ok(self
            .conn
            .execute("DELETE FROM outbox WHERE id = ?1", [id.to_string()])?
            == 1)
    }
}
