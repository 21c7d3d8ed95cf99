//! What the sync engine keeps in the store: the feed cursor, the verified blobs, this
//! laptop's enrollment, and the member's own actions queued for the hub.

use chrono::{DateTime, Utc};
use quorum_core::protocol::{Change, Record};
use quorum_core::{
    Action, Attendance, Committee, DeviceId, MeetingId, Member, MemberId, Operation,
    OperationPayload, Sha256Hex,
};
use rusqlite::{OptionalExtension, params};
use tracing::instrument;

use crate::annotations::receive_annotation;
use crate::answer_sheets::receive_answer_sheet;
use crate::attendance::receive_attendance;
use crate::floor::receive_floor;
use crate::readiness::receive_readiness;
use crate::replica::{
    member_from_row, parsed, parsed_sha256, write_committee, write_meeting, write_member,
};
use crate::signatures::{
    forget_signature_anchor, receive_revocation_list, receive_signature_anchor,
};
use crate::votes::{receive_delegation, receive_poll};
use crate::{Result, Store};

/// This laptop's enrollment with a hub. `signing_key` and `token` are secrets.
#[derive(Clone, PartialEq, Eq)]
pub struct DeviceIdentity {
    pub device_id: DeviceId,
    pub member_id: MemberId,
    pub hub_url: String,
    /// The SHA-256 of the hub's certificate (hex), pinned at enrollment; `None` for a hub
    /// on this machine spoken to in plain HTTP.
    pub hub_certificate: Option<String>,
    /// The Ed25519 secret key, hex.
    pub signing_key: String,
    pub token: String,
    pub enrolled_at: DateTime<Utc>,
}

/// What a laptop's enrollment says without its secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrollment {
    pub device_id: DeviceId,
    pub member_id: MemberId,
    pub hub_url: String,
    /// As in [`DeviceIdentity::hub_certificate`].
    pub hub_certificate: Option<String>,
    pub enrolled_at: DateTime<Utc>,
}

impl std::fmt::Debug for DeviceIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceIdentity")
            .field("device_id", &self.device_id)
            .field("member_id", &self.member_id)
            .field("hub_url", &self.hub_url)
            .field("hub_certificate", &self.hub_certificate)
            .finish_non_exhaustive()
    }
}

/// How much of the meeting packs this laptop holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PackProgress {
    pub documents_total: u64,
    pub documents_present: u64,
    pub bytes_total: u64,
    pub bytes_present: u64,
}

impl Store {
    /// Binds this profile to a hub as `member`, storing the member's committee with it.
    #[instrument(skip_all, err)]
    pub fn enroll_device(
        &mut self,
        identity: &DeviceIdentity,
        committee: &Committee,
        member: &Member,
    ) -> Result<()> {
        let in_keyring =
            crate::keyring::keep(identity.device_id, &identity.token, &identity.signing_key);
        let (secrets_in, signing_key, token) = if in_keyring {
            ("keyring", "", "")
        } else {
            (
                "profile",
                identity.signing_key.as_str(),
                identity.token.as_str(),
            )
        };
        let tx = self.conn.transaction()?;
        write_committee(&tx, committee)?;
        write_member(&tx, member)?;
        tx.execute(
            "INSERT INTO device (id, device_id, member_id, hub_url, signing_key, token, enrolled_at,
                 hub_certificate, secrets_in)
             VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT (id) DO UPDATE SET device_id = excluded.device_id,
               member_id = excluded.member_id, hub_url = excluded.hub_url,
               signing_key = excluded.signing_key, token = excluded.token,
               enrolled_at = excluded.enrolled_at, hub_certificate = excluded.hub_certificate,
               secrets_in = excluded.secrets_in",
            params![
                identity.device_id.to_string(),
                identity.member_id.to_string(),
                identity.hub_url,
                signing_key,
                token,
                identity.enrolled_at,
                identity.hub_certificate,
                secrets_in,
            ],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Forgets everything this laptop holds (meetings, documents' records, ballots,
    /// notes, the outbox, the enrollment and its secrets in the keyring) but the
    /// settings `keep`, in one transaction: what a member leaving the committee, or
    /// trading the demo for a real committee, leaves behind. The documents' files are
    /// the caller's to remove.
    #[instrument(skip(self), err)]
    pub fn forget_everything(&mut self, keep: &[&str]) -> Result<()> {
        if let Some(enrollment) = self.enrollment()? {
            crate::keyring::forget(enrollment.device_id);
        }
        let tx = self.conn.transaction()?;
        // Every table empties, so the references between them are checked at commit.
        tx.pragma_update(None, "defer_foreign_keys", true)?;
        // A virtual table (the search index) is emptied through itself; its shadow
        // tables are its own business (emptying them directly breaks the index).
        let tables: Vec<(String, String)> = {
            let mut statement = tx.prepare(
                "SELECT name, type FROM pragma_table_list
                 WHERE schema = 'main' AND type IN ('table', 'virtual')
                   AND name NOT LIKE 'sqlite_%'",
            )?;
            let names = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
            names.collect::<rusqlite::Result<_>>()?
        };
        for (table, kind) in tables {
            if kind == "virtual" {
                tx.execute(
                    &format!("INSERT INTO \"{table}\" (\"{table}\") VALUES ('delete-all')"),
                    [],
                )?;
            } else if table == "settings" {
                let kept = vec!["?"; keep.len()].join(", ");
                tx.execute(
                    &format!("DELETE FROM settings WHERE key NOT IN ({kept})"),
                    rusqlite::params_from_iter(keep),
                )?;
            } else {
                tx.execute(&format!("DELETE FROM \"{table}\""), [])?;
            }
        }
        // The feed is read again from its start, as on a new laptop.
        tx.execute("INSERT INTO sync_state (id) VALUES (1)", [])?;
        tx.commit()?;
        Ok(())
    }

    /// This laptop's enrollment, secrets included (from the OS keyring if they are there).
    pub fn device(&self) -> Result<Option<DeviceIdentity>> {
        let Some(enrollment) = self.enrollment()? else {
            return Ok(None);
        };
        let (token, signing_key, in_keyring) = self.conn.query_row(
            "SELECT token, signing_key, secrets_in FROM device WHERE id = 1",
            [],
            |row| {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get::<_, String>(2)? == "keyring",
                ))
            },
        )?;
        let (token, signing_key) = if in_keyring {
            crate::keyring::fetch(enrollment.device_id)?
        } else {
            (token, signing_key)
        };
        Ok(Some(DeviceIdentity {
            device_id: enrollment.device_id,
            member_id: enrollment.member_id,
            hub_url: enrollment.hub_url,
            hub_certificate: enrollment.hub_certificate,
            signing_key,
            token,
            enrolled_at: enrollment.enrolled_at,
        }))
    }

    /// This laptop's enrollment without its secrets: which hub, which certificate, which
    /// device. Never asks the OS keyring, so a locked keyring still lets the window say
    /// where the laptop belongs and read what it holds.
    pub fn enrollment(&self) -> Result<Option<Enrollment>> {
        Ok(self
            .conn
            .query_row(
                "SELECT device_id, member_id, hub_url, enrolled_at, hub_certificate
                 FROM device WHERE id = 1",
                [],
                |row| {
                    Ok(Enrollment {
                        device_id: parsed(row, 0)?,
                        member_id: parsed(row, 1)?,
                        hub_url: row.get(2)?,
                        enrolled_at: row.get(3)?,
                        hub_certificate: row.get(4)?,
                    })
                },
            )
            .optional()?)
    }

    /// The member this laptop is enrolled as.
    pub fn me(&self) -> Result<Option<Member>> {
        Ok(self
            .conn
            .query_row(
                "SELECT m.id, m.committee_id, m.full_name, m.position, m.role
                 FROM device d JOIN members m ON m.id = d.member_id WHERE d.id = 1",
                [],
                member_from_row,
            )
            .optional()?)
    }

    pub fn sync_cursor(&self) -> Result<u64> {
        Ok(self
            .conn
            .query_row("SELECT cursor FROM sync_state WHERE id = 1", [], |row| {
                row.get(0)
            })?)
    }

    /// Applies one page of the hub's change feed and moves the cursor, in one
    /// transaction: a crash leaves either the old page state or the new one.
    #[instrument(skip(self, changes), fields(changes = changes.len()), err)]
    pub fn apply_changes(&mut self, changes: &[Change], next_cursor: u64) -> Result<()> {
        let tx = self.conn.transaction()?;
        for change in changes {
            match &change.record {
                Record::Committee { committee } => write_committee(&tx, committee)?,
                Record::Member { member } => write_member(&tx, member)?,
                Record::Meeting { meeting } => write_meeting(&tx, meeting)?,
                Record::MeetingWithdrawn { meeting_id } => {
                    tx.execute(
                        "DELETE FROM meetings WHERE id = ?1",
                        [meeting_id.to_string()],
                    )?;
                }
                Record::Annotation { annotation, .. } => receive_annotation(&tx, annotation)?,
                Record::Poll { poll } => receive_poll(&tx, poll)?,
                Record::Floor {
                    meeting_id,
                    agenda_item_id,
                    queue,
                } => receive_floor(&tx, *meeting_id, *agenda_item_id, queue)?,
                Record::Attendance {
                    meeting_id,
                    member_id,
                    attendance,
                    disputed_check_in,
                } => receive_attendance(
                    &tx,
                    *meeting_id,
                    *member_id,
                    attendance,
                    *disputed_check_in,
                )?,
                Record::Readiness { readiness, .. } => receive_readiness(&tx, readiness)?,
                Record::Delegation {
                    meeting_id,
                    member,
                    delegate,
                } => receive_delegation(&tx, *meeting_id, *member, *delegate)?,
                Record::AnnotationWithdrawn { annotation_id, .. } => {
                    tx.execute(
                        "DELETE FROM annotations WHERE id = ?1",
                        [annotation_id.to_string()],
                    )?;
                }
                Record::SignatureAnchor { certificate, .. } => {
                    receive_signature_anchor(&tx, certificate)?;
                }
                Record::SignatureAnchorRemoved { fingerprint, .. } => {
                    forget_signature_anchor(&tx, fingerprint)?;
                }
                Record::RevocationList { url, list, .. } => {
                    receive_revocation_list(&tx, url, list)?;
                }
                Record::AnswerSheet {
                    poll_id,
                    member_id,
                    sheet,
                    ..
                } => receive_answer_sheet(&tx, *poll_id, *member_id, sheet.as_deref())?,
            }
        }
        tx.execute(
            "UPDATE sync_state SET cursor = ?1 WHERE id = 1",
            [next_cursor],
        )?;
        tx.commit()?;
        Ok(())
    }

    pub fn set_last_synced(&self, at: DateTime<Utc>) -> Result<()> {
        self.conn.execute(
            "UPDATE sync_state SET last_synced_at = ?1 WHERE id = 1",
            [at],
        )?;
        Ok(())
    }

    pub fn last_synced(&self) -> Result<Option<DateTime<Utc>>> {
        Ok(self.conn.query_row(
            "SELECT last_synced_at FROM sync_state WHERE id = 1",
            [],
            |row| row.get(0),
        )?)
    }

    /// Blobs of the current document versions of every stored meeting that are not yet
    /// here and verified, smallest first so most documents become readable soonest.
    pub fn missing_blobs(&self) -> Result<Vec<(Sha256Hex, u64)>> {
        let mut statement = self.conn.prepare(
            "SELECT DISTINCT v.sha256, v.size_bytes FROM documents d
             JOIN document_versions v ON v.document_id = d.id AND v.number = d.current_version
             WHERE v.sha256 NOT IN (SELECT sha256 FROM blobs)
             ORDER BY v.size_bytes, v.sha256",
        )?;
        let rows = statement.query_map([], |row| Ok((parsed_sha256(row, 0)?, row.get(1)?)))?;
        rows.map(|row| Ok(row?)).collect()
    }

    pub fn mark_blob_verified(
        &self,
        sha256: &Sha256Hex,
        size_bytes: u64,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.conn.execute(
            "INSERT INTO blobs (sha256, size_bytes, verified_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (sha256) DO NOTHING",
            params![sha256.as_str(), size_bytes, now],
        )?;
        Ok(())
    }

    pub fn blob_is_verified(&self, sha256: &Sha256Hex) -> Result<bool> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM blobs WHERE sha256 = ?1)",
            [sha256.as_str()],
            |row| row.get(0),
        )?)
    }

    /// Documents (current versions) of all stored meetings, and how many are here.
    pub fn pack_progress(&self) -> Result<PackProgress> {
        Ok(self.conn.query_row(
            "SELECT count(*), count(b.sha256), coalesce(sum(v.size_bytes), 0),
                    coalesce(sum(CASE WHEN b.sha256 IS NULL THEN 0 ELSE v.size_bytes END), 0)
             FROM (SELECT DISTINCT v.sha256, v.size_bytes FROM documents d
                   JOIN document_versions v ON v.document_id = d.id AND v.number = d.current_version) v
             LEFT JOIN blobs b ON b.sha256 = v.sha256",
            [],
            |row| {
                Ok(PackProgress {
                    documents_total: row.get(0)?,
                    documents_present: row.get(1)?,
                    bytes_total: row.get(2)?,
                    bytes_present: row.get(3)?,
                })
            },
        )?)
    }

    /// The member checks in to a meeting: shown at once, queued for the hub.
    #[instrument(skip(self), err)]
    pub fn check_in(&mut self, meeting_id: MeetingId, now: DateTime<Utc>) -> Result<Operation> {
        let payload = OperationPayload::CheckIn { meeting_id };
        self.record_allowed(Action::CheckIn, meeting_id, now, payload, |tx, me| {
            tx.execute(
                "INSERT INTO check_ins (meeting_id, checked_in_at) VALUES (?1, ?2)
                 ON CONFLICT (meeting_id) DO NOTHING",
                params![meeting_id.to_string(), now],
            )?;
            receive_attendance(tx, meeting_id, me.id, &Attendance::Present, None)
        })
    }
}
