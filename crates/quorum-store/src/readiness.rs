//! Who is ready for a meeting: what this laptop holds, to report to the hub, and the
//! reports of the committee's laptops, for the chair and the secretary.

use quorum_core::protocol::{DeviceReadiness, PackState};
use quorum_core::{MeetingId, Member};
use rusqlite::{Transaction, params};
use serde::Serialize;
use ts_rs::TS;

use crate::replica::parsed;
use crate::{Result, Store};

/// One invitee on the readiness board: ready when one of their laptops holds the whole
/// pack of the meeting's latest version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct InviteeReadiness {
    pub member: Member,
    pub ready: bool,
    /// Their laptops' last reports, newest first; empty when none has reported.
    pub devices: Vec<DeviceReadiness>,
}

impl Store {
    /// For each meeting on this laptop: its version, and how many of its current
    /// documents are here, verified.
    pub fn pack_states(&self) -> Result<Vec<PackState>> {
        let mut statement = self.conn.prepare(
            "SELECT m.id, m.version, count(DISTINCT v.sha256), count(DISTINCT b.sha256)
             FROM meetings m
             LEFT JOIN agenda_items i ON i.meeting_id = m.id
             LEFT JOIN documents d ON d.agenda_item_id = i.id
             LEFT JOIN document_versions v ON v.document_id = d.id AND v.number = d.current_version
             LEFT JOIN blobs b ON b.sha256 = v.sha256
             GROUP BY m.id, m.version
             ORDER BY m.id",
        )?;
        let rows = statement.query_map([], |row| {
            Ok(PackState {
                meeting_id: parsed(row, 0)?,
                version: row.get(1)?,
                documents_total: row.get(2)?,
                documents_present: row.get(3)?,
            })
        })?;
        rows.map(|row| Ok(row?)).collect()
    }

    /// For each invitee of a meeting, whether a laptop of theirs is ready for it.
    pub fn readiness_board(&self, meeting_id: MeetingId) -> Result<Vec<InviteeReadiness>> {
        let meeting = self.meeting(meeting_id)?;
        let reports = self.readiness()?;
        let board = self
            .members()?
            .into_iter()
            .filter(|member| meeting.invitees.contains(&member.id))
            .map(|member| {
                let mut devices: Vec<DeviceReadiness> = reports
                    .iter()
                    .filter(|report| report.member_id == member.id)
                    .cloned()
                    .collect();
                devices.sort_by_key(|d| std::cmp::Reverse(d.reported_at));
                InviteeReadiness {
                    ready: devices.iter().any(|d| d.is_ready_for(&meeting)),
                    member,
                    devices,
                }
            })
            .collect();
        Ok(board)
    }

    /// The last report of every laptop of the committee the hub passed on.
    pub fn readiness(&self) -> Result<Vec<DeviceReadiness>> {
        let mut statement = self
            .conn
            .prepare("SELECT json FROM readiness ORDER BY member_id, device_id")?;
        let rows = statement.query_map([], |row| row.get::<_, String>(0))?;
        rows.map(|json| Ok(serde_json::from_str(&json?)?)).collect()
    }
}

pub(crate) fn receive_readiness(tx: &Transaction, readiness: &DeviceReadiness) -> Result<()> {
    tx.execute(
        "INSERT INTO readiness (device_id, member_id, json) VALUES (?1, ?2, ?3)
         ON CONFLICT (device_id) DO UPDATE SET member_id = excluded.member_id, json = excluded.json",
        params![
            readiness.device_id.to_string(),
            readiness.member_id.to_string(),
            serde_json::to_string(readiness)?
        ],
    )?;
    Ok(())
}
