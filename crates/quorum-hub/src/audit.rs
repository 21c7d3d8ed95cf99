//! The ballot audit log (`ballots`): every ballot the hub accepted, each version of a
//! member's choice, exactly as signed on the device, in the order the hub took them.
//!
//! Invariants:
//! - Rows are only ever appended. Row `seq` follows row `seq - 1` with no gap, and its
//!   `hash` is the SHA-256 of the previous row's hash followed by a canonical text of
//!   the row, so editing, removing or reordering a row breaks the chain from there on.
//! - Each row keeps the ballot's own signature: with the devices' public keys anyone can
//!   check that no ballot was made up or altered, even by someone who rebuilt the chain.

use chrono::{DateTime, SecondsFormat, Utc};
use ed25519_dalek::{Signature, VerifyingKey};
use quorum_core::{AuditHead, Ballot, Delegation, PollId, Timing};
use rusqlite::params;
use rusqlite::types::Value;

use crate::appended::{Appended, Counting};
use crate::db::{Db, OptionalRow};

use crate::HubError;
use crate::secrets::sha256_hex;
use crate::store::{self, HubStore};

/// The `prev_hash` of the first row.
const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Whether `ballot` carries a valid Ed25519 signature by the key `public_key` (hex).
pub(crate) fn signed_by(ballot: &Ballot, public_key: &str) -> bool {
    signature_valid(&ballot.signed_message(), &ballot.signature, public_key)
}

/// Whether `delegation` carries a valid Ed25519 signature by the key `public_key` (hex).
pub(crate) fn delegation_signed_by(delegation: &Delegation, public_key: &str) -> bool {
    signature_valid(
        &delegation.signed_message(),
        &delegation.signature,
        public_key,
    )
}

fn signature_valid(message: &[u8], signature: &str, public_key: &str) -> bool {
    let key = hex::decode(public_key)
        .ok()
        .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
        .and_then(|bytes| VerifyingKey::from_bytes(&bytes).ok());
    let signature = hex::decode(signature)
        .ok()
        .and_then(|bytes| <[u8; 64]>::try_from(bytes).ok())
        .map(|bytes| Signature::from_bytes(&bytes));
    match (key, signature) {
        // Strict: no weak keys, no malleable signatures.
        (Some(key), Some(signature)) => key.verify_strict(message, &signature).is_ok(),
        _ => false,
    }
}

/// One row as stored; every field is hashed as the text the database holds.
struct Row {
    seq: u64,
    poll_id: String,
    member_id: String,
    cast_by: String,
    device_id: String,
    ballot: String,
    timing: String,
    received_at: String,
    prev_hash: String,
}

impl Chained for Row {
    fn seq(&self) -> u64 {
        self.seq
    }

    fn prev_hash(&self) -> &str {
        &self.prev_hash
    }

    fn hash(&self) -> String {
        // A JSON array keeps field boundaries unambiguous whatever a comment contains.
        let canonical = serde_json::json!([
            "quorum-ballot-log/1",
            self.seq,
            self.poll_id,
            self.member_id,
            self.cast_by,
            self.device_id,
            self.ballot,
            self.timing,
            self.received_at,
        ]);
        sha256_hex(format!("{}{canonical}", self.prev_hash).as_bytes())
    }
}

fn as_i64(seq: u64) -> i64 {
    i64::try_from(seq).unwrap_or(i64::MAX)
}

/// The two hash-chained logs.
const BALLOT_LOG: &str = "ballots";
const DELEGATION_LOG: &str = "delegation_log";

/// The highest seq `log` ever reached, kept in its head row: a removed last row leaves
/// it behind.
fn reached(conn: &Db, log: &str) -> Result<u64, HubError> {
    let reached: Option<i64> = conn
        .query_row(
            "SELECT last_seq FROM chain_heads WHERE log = ?1",
            [log],
            |row| row.get(0),
        )
        .optional()?;
    Ok(reached.and_then(|s| u64::try_from(s).ok()).unwrap_or(0))
}

/// Where new rows of the ballot log and of the delegation log go: for each, the seq
/// after its last row and the hash the next links to (the genesis hash for a first row).
/// Takes both head rows for the rest of the transaction, in one statement and in one
/// order for every writer, so two hub processes appending at once queue on them and each
/// log stays one chain.
fn take_heads(conn: &Db) -> Result<[(u64, String); 2], HubError> {
    let taken: Vec<(String, i64, String)> = conn.query_map(
        "INSERT INTO chain_heads (log, last_seq, hash) VALUES (?1, 0, ?3), (?2, 0, ?3)
         ON CONFLICT (log) DO UPDATE SET last_seq = chain_heads.last_seq
         RETURNING log, last_seq, hash",
        [BALLOT_LOG, DELEGATION_LOG, GENESIS_HASH],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
    )?;
    let head = |log: &str| {
        taken
            .iter()
            .find(|(taken_log, ..)| taken_log == log)
            .map(|(_, last_seq, hash)| (u64::try_from(*last_seq).unwrap_or(0) + 1, hash.clone()))
            .ok_or_else(|| HubError::NotCommitted(format!("the {log} log's head was not taken")))
    };
    Ok([head(BALLOT_LOG)?, head(DELEGATION_LOG)?])
}

/// Where a log stands inside a transaction that appends to it.
#[derive(Debug, Clone)]
pub(crate) struct Head {
    /// The seq the next row takes.
    next_seq: u64,
    /// The hash the next row links to.
    hash: String,
    moved: bool,
}

/// Both logs' heads, taken (locked) once at the start of a group's transaction, moved in
/// memory as rows are appended, and written back once before it commits. Writing a head
/// row for each ballot made PostgreSQL walk every earlier version of that row on each
/// write (hundreds in one push), and cost SQLite two statements a ballot.
#[derive(Debug, Clone)]
pub(crate) struct LogHeads {
    ballots: Head,
    delegations: Head,
}

impl LogHeads {
    /// Takes both logs' heads for the rest of the transaction, in one order for every
    /// writer.
    pub(crate) fn take(conn: &Db) -> Result<Self, HubError> {
        let [ballots, delegations] = take_heads(conn)?.map(|(next_seq, hash)| Head {
            next_seq,
            hash,
            moved: false,
        });
        Ok(Self {
            ballots,
            delegations,
        })
    }

    /// Writes the heads that moved back to their rows; call before the commit.
    pub(crate) fn write(&self, conn: &Db) -> Result<(), HubError> {
        for (log, head) in [
            (BALLOT_LOG, &self.ballots),
            (DELEGATION_LOG, &self.delegations),
        ] {
            if head.moved {
                advance_head(conn, log, head.next_seq - 1, &head.hash)?;
            }
        }
        Ok(())
    }
}

impl Head {
    /// The seq and link of a row about to be appended.
    fn next(&self) -> (u64, String) {
        (self.next_seq, self.hash.clone())
    }

    /// Moves past the row `seq` just appended, whose hash is `hash`.
    fn advance(&mut self, seq: u64, hash: String) {
        self.next_seq = seq + 1;
        self.hash = hash;
        self.moved = true;
    }
}

/// Moves `log`'s head to the row just appended.
fn advance_head(conn: &Db, log: &str, seq: u64, hash: &str) -> Result<(), HubError> {
    conn.execute(
        "UPDATE chain_heads SET last_seq = ?2, hash = ?3 WHERE log = ?1",
        params![log, as_i64(seq), hash],
    )?;
    Ok(())
}

/// A row of a hash-chained log.
trait Chained {
    fn seq(&self) -> u64;
    fn prev_hash(&self) -> &str;
    /// The hash of the row's content and its link, as computed when it was appended.
    fn hash(&self) -> String;
}

/// Walks a log's `rows` (in seq order, each with its stored hash): recomputes each hash,
/// follows each link back, asks `fault` about each row, and checks that the log did not
/// lose its last rows. Answers how many rows are intact, or the first broken one.
fn walk<R: Chained>(
    rows: Vec<(R, String)>,
    reached: u64,
    mut fault: impl FnMut(&R) -> Result<Option<AuditBreak>, HubError>,
) -> Result<Result<u64, (u64, AuditBreak)>, HubError> {
    let mut expected_seq = 1;
    let mut expected_prev = GENESIS_HASH.to_string();
    for (row, hash) in rows {
        if row.hash() != hash {
            return Ok(Err((row.seq(), AuditBreak::HashMismatch)));
        }
        if row.seq() != expected_seq || row.prev_hash() != expected_prev {
            return Ok(Err((row.seq(), AuditBreak::ChainLink)));
        }
        if let Some(reason) = fault(&row)? {
            return Ok(Err((row.seq(), reason)));
        }
        expected_seq += 1;
        expected_prev = hash;
    }
    if reached >= expected_seq {
        return Ok(Err((expected_seq, AuditBreak::Missing)));
    }
    Ok(Ok(expected_seq - 1))
}

/// Appends an accepted ballot to the log (written with the group's other rows, see
/// [`Appended`]); returns its seq.
fn append(
    heads: &mut LogHeads,
    appended: &mut Appended,
    ballot: &Ballot,
    timing: Timing,
    received_at: DateTime<Utc>,
) -> Result<u64, HubError> {
    let (seq, prev_hash) = heads.ballots.next();
    let row = Row {
        seq,
        poll_id: ballot.poll_id.to_string(),
        member_id: ballot.member_id.to_string(),
        cast_by: ballot.cast_by.to_string(),
        device_id: ballot.device_id.to_string(),
        ballot: serde_json::to_string(ballot)?,
        timing: store::serde_name(&timing),
        received_at: received_at.to_rfc3339_opts(SecondsFormat::AutoSi, true),
        prev_hash,
    };
    let hash = row.hash();
    heads.ballots.advance(row.seq, hash.clone());
    appended.ballot([
        Value::Integer(as_i64(row.seq)),
        Value::Text(row.poll_id),
        Value::Text(row.member_id),
        Value::Text(row.cast_by),
        Value::Text(row.device_id),
        Value::Text(row.ballot),
        Value::Text(row.timing),
        Value::Text(row.received_at),
        Value::Text(row.prev_hash),
        Value::Text(hash),
    ]);
    Ok(seq)
}

/// One accepted ballot of a poll, as counting needs it.
pub(crate) struct Logged {
    pub ballot: Ballot,
    pub timing: Timing,
}

/// Appends an accepted ballot at `heads` and makes it its member's counting one if it is
/// their latest by (cast time, log order). Written with the group's other rows.
pub(crate) fn append_counted(
    heads: &mut LogHeads,
    appended: &mut Appended,
    ballot: &Ballot,
    timing: Timing,
    received_at: DateTime<Utc>,
) -> Result<(), HubError> {
    let seq = append(heads, appended, ballot, timing, received_at)?;
    appended.counting(Counting {
        poll_id: ballot.poll_id.to_string(),
        member_id: ballot.member_id.to_string(),
        ballot_seq: as_i64(seq),
        cast_at_ms: ballot.cast_at.timestamp_millis(),
    });
    Ok(())
}

/// Each member's counting ballot of `poll_id`: their latest by (cast time, log order).
pub(crate) fn counted_ballots(conn: &Db, poll_id: PollId) -> Result<Vec<Logged>, HubError> {
    Ok(conn.query_map(
        "SELECT b.ballot, b.timing FROM counted_ballots c JOIN ballots b ON b.seq = c.ballot_seq
         WHERE c.poll_id = ?1",
        [poll_id.to_string()],
        |row| {
            Ok(Logged {
                ballot: store::json_column(0, &row.get::<String>(0)?)?,
                timing: store::name_column(1, row.get(1)?)?,
            })
        },
    )?)
}

/// Where `poll_id`'s entries stand in the ballot log: how many, and the last one's
/// position and hash (the genesis hash when it has none).
pub(crate) fn head_of(conn: &Db, poll_id: PollId) -> Result<AuditHead, HubError> {
    let (ballots, last): (i64, Option<i64>) = conn.query_row(
        "SELECT COUNT(*), MAX(seq) FROM ballots WHERE poll_id = ?1",
        [poll_id.to_string()],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    let hash = match last {
        Some(seq) => conn.query_row("SELECT hash FROM ballots WHERE seq = ?1", [seq], |row| {
            row.get(0)
        })?,
        None => GENESIS_HASH.to_string(),
    };
    Ok(AuditHead {
        ballots: u32::try_from(ballots).unwrap_or(u32::MAX),
        last_seq: last.and_then(|seq| u64::try_from(seq).ok()).unwrap_or(0),
        hash,
    })
}

/// Whether `member_id` has a ballot counting in `poll_id`.
pub(crate) fn has_voted(
    conn: &Db,
    poll_id: PollId,
    member_id: quorum_core::MemberId,
) -> Result<bool, HubError> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM counted_ballots WHERE poll_id = ?1 AND member_id = ?2",
            params![poll_id.to_string(), member_id.to_string()],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// What `audit verify` found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditOutcome {
    Intact {
        ballots: u64,
        delegations: u64,
    },
    /// The first ballot row (by seq) that fails, and why.
    Broken {
        seq: u64,
        reason: AuditBreak,
    },
    /// The first delegation row (by seq) that fails, and why.
    BrokenDelegation {
        seq: u64,
        reason: AuditBreak,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AuditBreak {
    /// The row is not what was hashed when it was appended.
    #[error("hash mismatch")]
    HashMismatch,
    /// The row does not follow the one before it: a row was removed or reordered.
    #[error("chain link")]
    ChainLink,
    /// Rows up to this seq were appended, but the log ends before it.
    #[error("missing")]
    Missing,
    #[error("unknown device")]
    UnknownDevice,
    /// The ballot is not signed by its device's key, or that device is not the caster's.
    #[error("bad signature")]
    BadSignature,
    /// The row's columns name another poll, member or device than its signed ballot.
    #[error("row does not match its signed ballot")]
    RowMismatch,
}

/// Every row in log order, with the hash stored beside it.
fn rows(conn: &Db) -> Result<Vec<(Row, String)>, HubError> {
    Ok(conn.query_map(
        "SELECT seq, poll_id, member_id, cast_by, device_id, ballot, timing, received_at,
             prev_hash, hash
         FROM ballots ORDER BY seq",
        (),
        |row| {
            Ok((
                Row {
                    seq: u64::try_from(row.get::<i64>(0)?).unwrap_or(0),
                    poll_id: row.get(1)?,
                    member_id: row.get(2)?,
                    cast_by: row.get(3)?,
                    device_id: row.get(4)?,
                    ballot: row.get(5)?,
                    timing: row.get(6)?,
                    received_at: row.get(7)?,
                    prev_hash: row.get(8)?,
                },
                row.get(9)?,
            ))
        },
    )?)
}

impl HubStore {
    /// Walks both logs in order: recomputes each hash, follows each link back, and
    /// checks each ballot's and delegation's signature with its device's public key.
    pub fn verify_audit_log(&self) -> Result<AuditOutcome, HubError> {
        let conn = &self.conn;
        let ballots = match walk(rows(conn)?, reached(conn, BALLOT_LOG)?, |row| {
            ballot_fault(conn, row)
        })? {
            Ok(ballots) => ballots,
            Err((seq, reason)) => return Ok(AuditOutcome::Broken { seq, reason }),
        };
        match verify_delegations(conn)? {
            Ok(delegations) => Ok(AuditOutcome::Intact {
                ballots,
                delegations,
            }),
            Err((seq, reason)) => Ok(AuditOutcome::BrokenDelegation { seq, reason }),
        }
    }
}

// --- delegations -------------------------------------------------------------------

/// One row of `delegation_log`; every field is hashed as the text the database holds.
struct DelegationRow {
    seq: u64,
    meeting_id: String,
    member_id: String,
    device_id: String,
    delegation: String,
    received_at: String,
    prev_hash: String,
}

impl Chained for DelegationRow {
    fn seq(&self) -> u64 {
        self.seq
    }

    fn prev_hash(&self) -> &str {
        &self.prev_hash
    }

    fn hash(&self) -> String {
        let canonical = serde_json::json!([
            "quorum-delegation-log/1",
            self.seq,
            self.meeting_id,
            self.member_id,
            self.device_id,
            self.delegation,
            self.received_at,
        ]);
        sha256_hex(format!("{}{canonical}", self.prev_hash).as_bytes())
    }
}

/// Appends an accepted delegation, signature and all, at `heads`. Call inside the
/// operation's transaction.
pub(crate) fn append_delegation(
    conn: &Db,
    heads: &mut LogHeads,
    delegation: &Delegation,
    received_at: DateTime<Utc>,
) -> Result<(), HubError> {
    let (seq, prev_hash) = heads.delegations.next();
    let row = DelegationRow {
        seq,
        meeting_id: delegation.meeting_id.to_string(),
        member_id: delegation.member_id.to_string(),
        device_id: delegation.device_id.to_string(),
        delegation: serde_json::to_string(delegation)?,
        received_at: received_at.to_rfc3339_opts(SecondsFormat::AutoSi, true),
        prev_hash,
    };
    let hash = row.hash();
    conn.execute(
        "INSERT INTO delegation_log (seq, meeting_id, member_id, device_id, delegation,
             received_at, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            as_i64(row.seq),
            row.meeting_id,
            row.member_id,
            row.device_id,
            row.delegation,
            row.received_at,
            row.prev_hash,
            hash,
        ],
    )?;
    heads.delegations.advance(row.seq, hash);
    Ok(())
}

/// The delegation log's count when intact, or its first broken row and why.
fn verify_delegations(conn: &Db) -> Result<Result<u64, (u64, AuditBreak)>, HubError> {
    let rows = conn.query_map(
        "SELECT seq, meeting_id, member_id, device_id, delegation, received_at, prev_hash, hash
         FROM delegation_log ORDER BY seq",
        (),
        |row| {
            Ok((
                DelegationRow {
                    seq: u64::try_from(row.get::<i64>(0)?).unwrap_or(0),
                    meeting_id: row.get(1)?,
                    member_id: row.get(2)?,
                    device_id: row.get(3)?,
                    delegation: row.get(4)?,
                    received_at: row.get(5)?,
                    prev_hash: row.get(6)?,
                },
                row.get::<String>(7)?,
            ))
        },
    )?;
    walk(rows, reached(conn, DELEGATION_LOG)?, |row| {
        delegation_fault(conn, row)
    })
}

/// What is wrong with a row's delegation, if anything: it must be what its columns say,
/// signed by the delegating member's device.
fn delegation_fault(conn: &Db, row: &DelegationRow) -> Result<Option<AuditBreak>, HubError> {
    let device = match row.device_id.parse() {
        Ok(device_id) => store::device_key(conn, device_id)?,
        Err(_) => None,
    };
    let Some(device) = device else {
        return Ok(Some(AuditBreak::UnknownDevice));
    };
    let Ok(delegation) = serde_json::from_str::<Delegation>(&row.delegation) else {
        return Ok(Some(AuditBreak::BadSignature));
    };
    let columns = [
        (&row.meeting_id, delegation.meeting_id.to_string()),
        (&row.member_id, delegation.member_id.to_string()),
        (&row.device_id, delegation.device_id.to_string()),
    ];
    if columns.iter().any(|(column, signed)| **column != *signed) {
        return Ok(Some(AuditBreak::RowMismatch));
    }
    if device.member_id != delegation.member_id
        || !delegation_signed_by(&delegation, &device.public_key)
    {
        return Ok(Some(AuditBreak::BadSignature));
    }
    Ok(None)
}

/// What is wrong with a row's ballot, if anything: it must be what its columns say,
/// signed by its caster's device.
fn ballot_fault(conn: &Db, row: &Row) -> Result<Option<AuditBreak>, HubError> {
    let device = match row.device_id.parse() {
        Ok(device_id) => store::device_key(conn, device_id)?,
        Err(_) => None,
    };
    let Some(device) = device else {
        return Ok(Some(AuditBreak::UnknownDevice));
    };
    let Ok(ballot) = serde_json::from_str::<Ballot>(&row.ballot) else {
        return Ok(Some(AuditBreak::BadSignature));
    };
    let columns = [
        (&row.poll_id, ballot.poll_id.to_string()),
        (&row.member_id, ballot.member_id.to_string()),
        (&row.cast_by, ballot.cast_by.to_string()),
        (&row.device_id, ballot.device_id.to_string()),
    ];
    if columns.iter().any(|(column, signed)| **column != *signed) {
        return Ok(Some(AuditBreak::RowMismatch));
    }
    if device.member_id != ballot.cast_by || !signed_by(&ballot, &device.public_key) {
        return Ok(Some(AuditBreak::BadSignature));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use ed25519_dalek::{Signer, SigningKey};
    use quorum_core::{Clock, DeviceId, FixedClock, MemberId, Role};

    use super::*;

    /// A hub holding `ballots` signed ballots of one member for one poll.
    fn log_with(ballots: u64) -> (tempfile::TempDir, HubStore) {
        let dir = tempfile::tempdir().unwrap();
        let mut store = HubStore::open(dir.path()).unwrap();
        let clock = FixedClock(DateTime::UNIX_EPOCH);
        let committee = store
            .add_committee("UBND", quorum_core::DEFAULT_TIME_ZONE, &clock)
            .unwrap();
        let member = store
            .add_member(
                committee.id,
                "Trần Thị Bích",
                Role::Member,
                "",
                crate::DEFAULT_CODE_VALIDITY,
                &clock,
            )
            .unwrap()
            .member;
        let key = SigningKey::from_bytes(&[7; 32]);
        let device_id = DeviceId::new_v7();
        let public_key = hex::encode(key.verifying_key().to_bytes());
        let device = store::NewDevice {
            id: device_id,
            member_id: member.id,
            public_key_hex: &public_key,
            name: "Laptop",
            token_hash: "token",
        };
        store::insert_device(&store.conn, &device, clock.now()).unwrap();
        let poll_id = PollId::new_v7();
        store
            .conn
            .execute(
                "INSERT INTO polls (id, committee_id, json, state) VALUES (?1, ?2, '{}', '{}')",
                params![poll_id.to_string(), committee.id.to_string()],
            )
            .unwrap();
        let mut heads = LogHeads::take(&store.conn).unwrap();
        let mut appended = Appended::default();
        for device_seq in 1..=ballots {
            let mut ballot = Ballot {
                poll_id,
                member_id: member.id,
                cast_by: member.id,
                option_key: "agree".into(),
                comment: None,
                cast_at: clock.now(),
                device_id,
                device_seq,
                signature: String::new(),
            };
            ballot.signature = hex::encode(key.sign(&ballot.signed_message()).to_bytes());
            append(
                &mut heads,
                &mut appended,
                &ballot,
                Timing::OnTime,
                clock.now(),
            )
            .unwrap();
        }
        appended.write(&store.conn).unwrap();
        heads.write(&store.conn).unwrap();
        (dir, store)
    }

    /// Changes row `seq` and recomputes every hash from there on, as someone covering
    /// their tracks would.
    fn rewrite(store: &HubStore, seq: u64, change: impl FnOnce(&mut Row)) {
        store
            .conn
            .execute_batch("DROP TRIGGER ballots_are_never_updated; PRAGMA foreign_keys = OFF;")
            .unwrap();
        let mut change = Some(change);
        let mut prev_hash = None;
        for (mut row, _) in rows(&store.conn).unwrap() {
            if row.seq == seq
                && let Some(change) = change.take()
            {
                change(&mut row);
            }
            if row.seq < seq {
                continue;
            }
            if let Some(prev) = prev_hash.take() {
                row.prev_hash = prev;
            }
            let hash = row.hash();
            store
                .conn
                .execute(
                    "UPDATE ballots SET member_id = ?2, ballot = ?3, prev_hash = ?4, hash = ?5
                     WHERE seq = ?1",
                    params![
                        as_i64(row.seq),
                        row.member_id,
                        row.ballot,
                        row.prev_hash,
                        hash
                    ],
                )
                .unwrap();
            prev_hash = Some(hash);
        }
    }

    #[test]
    fn an_untouched_log_verifies() {
        assert_eq!(
            log_with(0).1.verify_audit_log().unwrap(),
            AuditOutcome::Intact {
                ballots: 0,
                delegations: 0
            },
            "an empty log is intact"
        );
        assert_eq!(
            log_with(3).1.verify_audit_log().unwrap(),
            AuditOutcome::Intact {
                ballots: 3,
                delegations: 0
            },
            "every appended row links to the one before"
        );
    }

    #[test]
    fn a_rebuilt_chain_does_not_hide_an_altered_ballot() {
        let (_dir, store) = log_with(3);
        rewrite(&store, 2, |row| {
            row.ballot = row.ballot.replace("\"agree\"", "\"disagree\"");
        });
        assert_eq!(
            store.verify_audit_log().unwrap(),
            AuditOutcome::Broken {
                seq: 2,
                reason: AuditBreak::BadSignature
            },
            "the hashes add up again, but the device never signed that choice"
        );

        let (_dir, store) = log_with(3);
        rewrite(&store, 3, |row| {
            row.member_id = MemberId::new_v7().to_string()
        });
        assert_eq!(
            store.verify_audit_log().unwrap(),
            AuditOutcome::Broken {
                seq: 3,
                reason: AuditBreak::RowMismatch
            },
            "a row cannot be moved to another member than its signed ballot names"
        );
    }

    #[test]
    fn a_removed_ballot_breaks_the_chain_and_a_removed_last_one_is_missed() {
        let remove = |store: &HubStore, seq: i64| {
            store
                .conn
                .execute_batch("DROP TRIGGER ballots_are_never_deleted")
                .unwrap();
            store
                .conn
                .execute("DELETE FROM ballots WHERE seq = ?1", [seq])
                .unwrap();
        };
        let (_dir, store) = log_with(3);
        remove(&store, 2);
        assert_eq!(
            store.verify_audit_log().unwrap(),
            AuditOutcome::Broken {
                seq: 3,
                reason: AuditBreak::ChainLink
            },
            "the row after a removed one no longer follows its predecessor"
        );
        let (_dir, store) = log_with(3);
        remove(&store, 3);
        assert_eq!(
            store.verify_audit_log().unwrap(),
            AuditOutcome::Broken {
                seq: 3,
                reason: AuditBreak::Missing
            },
            "SQLite remembers that the log reached 3"
        );
    }
}
