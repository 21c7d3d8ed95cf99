//! Signed answer sheets (phiếu lấy ý kiến, ký số) for written opinions: the member's own,
//! queued for the hub, and those the hub passes on to the chair and secretaries.

use chrono::{DateTime, Utc};
use quorum_core::{MemberId, OperationPayload, PollId};
use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;
use tracing::warn;
use ts_rs::TS;

use crate::replica::parsed;
use crate::{Result, Store};

/// Where the member's own sheet for a poll stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum MySheet {
    /// Signed and queued here; the hub has not taken it yet.
    Waiting,
    /// The hub took it and passes it on.
    Received,
}

impl Store {
    /// Queues the member's signed sheet (`pdf`) for `poll_id`.
    pub fn submit_answer_sheet(
        &mut self,
        poll_id: PollId,
        pdf: &[u8],
        now: DateTime<Utc>,
    ) -> Result<()> {
        let payload = OperationPayload::SubmitAnswerSheet {
            poll_id,
            sheet: hex::encode(pdf),
        };
        self.record(now, payload, |_| Ok(()))?;
        Ok(())
    }

    /// Whether this member's sheet for `poll_id` is queued or with the hub.
    pub fn my_answer_sheet(&self, poll_id: PollId, me: MemberId) -> Result<Option<MySheet>> {
        let received = self
            .conn
            .query_row(
                "SELECT 1 FROM answer_sheets WHERE poll_id = ?1 AND member_id = ?2",
                params![poll_id.to_string(), me.to_string()],
                |_| Ok(()),
            )
            .optional()?;
        if received.is_some() {
            return Ok(Some(MySheet::Received));
        }
        let waiting = self
            .conn
            .query_row(
                "SELECT 1 FROM outbox WHERE rejected_reason IS NULL
                   AND json_extract(payload, '$.kind') = 'submitAnswerSheet'
                   AND json_extract(payload, '$.pollId') = ?1
                 LIMIT 1",
                [poll_id.to_string()],
                |_| Ok(()),
            )
            .optional()?;
        Ok(waiting.map(|()| MySheet::Waiting))
    }

    /// The sheets the hub passed on for `poll_id`, by member.
    pub fn answer_sheets(&self, poll_id: PollId) -> Result<Vec<(MemberId, Vec<u8>)>> {
        let mut statement = self.conn.prepare(
            "SELECT member_id, pdf FROM answer_sheets WHERE poll_id = ?1 ORDER BY member_id",
        )?;
        let rows = statement.query_map([poll_id.to_string()], |row| {
            Ok((parsed(row, 0)?, row.get(1)?))
        })?;
        rows.map(|row| Ok(row?)).collect()
    }
}

/// A sheet the hub passes on, or (`None`) withdraws.
pub(crate) fn receive_answer_sheet(
    tx: &Transaction,
    poll_id: PollId,
    member_id: MemberId,
    sheet: Option<&str>,
) -> Result<()> {
    let key = params![poll_id.to_string(), member_id.to_string()];
    match sheet.map(hex::decode) {
        Some(Ok(pdf)) => {
            tx.execute(
                "INSERT INTO answer_sheets (poll_id, member_id, pdf) VALUES (?1, ?2, ?3)
                 ON CONFLICT (poll_id, member_id) DO UPDATE SET pdf = excluded.pdf",
                params![poll_id.to_string(), member_id.to_string(), pdf],
            )?;
        }
        Some(Err(_)) => warn!("an answer sheet from the hub is not hexadecimal; left out"),
        None => {
            tx.execute(
                "DELETE FROM answer_sheets WHERE poll_id = ?1 AND member_id = ?2",
                key,
            )?;
        }
    }
    Ok(())
}
