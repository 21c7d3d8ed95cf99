//! `quorum-hub migrate`: moves a hub's records from its data folder's SQLite file into an
//! empty PostgreSQL database, and its documents into a bucket, as they stand: every row
//! with its own numbers (the feed's, the audit logs'), so laptops keep their cursors and
//! tokens and go on syncing without enrolling again, and `audit verify` passes on the
//! copy. The records are copied in one PostgreSQL transaction: a failure leaves the
//! target empty.

use crate::HubError;
use crate::db::Db;
use crate::store::HubStore;

/// Every table, parents before children, with the columns both schemas share.
const TABLES: &[(&str, &str)] = &[
    ("committees", "id, name, time_zone"),
    ("members", "id, committee_id, full_name, position, role"),
    (
        "enrollment_codes",
        "code_hash, member_id, created_at, used_at, expires_at",
    ),
    (
        "devices",
        "id, member_id, public_key, name, token_hash, enrolled_at, revoked_at, last_seq, \
         last_seen_at, last_pulled_at",
    ),
    ("meetings", "id, committee_id, json, version"),
    ("blobs", "sha256, size"),
    ("meeting_blobs", "meeting_id, sha256"),
    ("committee_blobs", "committee_id, sha256"),
    (
        "changes",
        "seq, committee_id, record, created_at, record_key, committee_seq",
    ),
    ("feed_heads", "committee_id, last_seq"),
    (
        "operations",
        "id, device_id, device_seq, member_id, payload, outcome, received_at",
    ),
    ("annotations", "id, author_id, meeting_id, json, deleted"),
    (
        "polls",
        "id, committee_id, meeting_id, json, state, settled, roster",
    ),
    ("chain_heads", "log, last_seq, hash"),
    (
        "ballots",
        "seq, poll_id, member_id, cast_by, device_id, ballot, timing, received_at, prev_hash, hash",
    ),
    ("delegations", "meeting_id, member_id, delegate_id"),
    (
        "delegation_log",
        "seq, meeting_id, member_id, device_id, delegation, received_at, prev_hash, hash",
    ),
    (
        "counted_ballots",
        "poll_id, member_id, ballot_seq, cast_at_ms",
    ),
    ("device_status", "device_id, status, reported_at"),
    ("attendance", "meeting_id, member_id, attendance, marked_at"),
    ("floor", "meeting_id, agenda_item_id, queue"),
    ("signature_anchors", "fingerprint, certificate, added_at"),
    ("revocation_lists", "url, list, issued_at, fetched_at"),
    ("answer_sheets", "poll_id, member_id, ballot, received_at"),
    (
        "document_versions",
        "document_id, number, sha256, meeting_id",
    ),
];

/// What a migration copied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Migrated {
    pub rows: u64,
    pub documents: u64,
}

/// Copies `from` (a hub on its data folder) into `to` (records in PostgreSQL, documents
/// where it keeps them), which must hold no committee yet. Documents first, each checked
/// against its name on the way; then the records in one transaction.
pub fn migrate(from: &HubStore, to: &HubStore) -> Result<Migrated, HubError> {
    let existing: i64 = to
        .conn
        .query_row("SELECT COUNT(*) FROM committees", (), |row| row.get(0))?;
    if existing > 0 {
        return Err(HubError::MigrationTargetInUse);
    }
    let documents: Vec<String> =
        from.conn
            .query_map("SELECT sha256 FROM blobs ORDER BY sha256", (), |row| {
                row.get(0)
            })?;
    for sha256 in &documents {
        let sha256 = quorum_core::Sha256Hex::try_from(sha256.clone())
            .map_err(|_| HubError::BadBackupSource(sha256.clone()))?;
        to.blobs()
            .copy_verified(&from.blob_path(&sha256), &sha256)?;
    }
    let tx = to.conn.transaction()?;
    let mut rows = 0;
    for (table, columns) in TABLES {
        rows += copy_table(&from.conn, &tx, table, columns)?;
    }
    // The feed's own numbers were copied; the next change continues after them.
    tx.execute_batch(
        "SELECT setval(pg_get_serial_sequence('changes', 'seq'),
                       COALESCE((SELECT MAX(seq) FROM changes), 0) + 1, false)",
    )?;
    tx.commit()?;
    Ok(Migrated {
        rows,
        documents: u64::try_from(documents.len()).unwrap_or(u64::MAX),
    })
}

fn copy_table(from: &Db, to: &Db, table: &str, columns: &str) -> Result<u64, HubError> {
    let width = columns.split(',').count();
    let placeholders: Vec<String> = (1..=width).map(|n| format!("?{n}")).collect();
    let insert = format!(
        "INSERT INTO {table} ({columns}) VALUES ({})",
        placeholders.join(", ")
    );
    let rows = from.query_map(&format!("SELECT {columns} FROM {table}"), (), |row| {
        (0..width)
            .map(|index| row.get::<rusqlite::types::Value>(index))
            .collect::<Result<Vec<_>, _>>()
    })?;
    let copied = u64::try_from(rows.len()).unwrap_or(u64::MAX);
    for row in rows {
        to.execute(&insert, row)?;
    }
    Ok(copied)
}
