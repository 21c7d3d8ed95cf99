//! The hub's SQLite file and blob folder, and the queries over them. Everything here is
//! blocking; async callers reach it through [`crate::Hub::with_store`].

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use quorum_core::protocol::{DeviceReadiness, DeviceStatus, Record};
use quorum_core::{
    AgendaItemId, Attendance, Committee, CommitteeId, DeviceId, FloorRequest, Meeting, MeetingId,
    Member, MemberId, OperationId, PublishedVersion, Sha256Hex,
};
use rusqlite::params;
use rusqlite_migration::{M, Migrations};
use tracing::instrument;

use quorum_sqlite::private;

use crate::HubError;
use crate::blobs::{BlobStore, BlobsAt};
use crate::db::{Db, OptionalRow};

static MIGRATIONS_SQL: &[&str] = &[
    include_str!("migrations/0001_hub.sql"),
    include_str!("migrations/0002_votes.sql"),
    include_str!("migrations/0003_compact_feed.sql"),
    include_str!("migrations/0004_device_status.sql"),
    include_str!("migrations/0005_attendance.sql"),
    include_str!("migrations/0006_floor.sql"),
    include_str!("migrations/0007_trust.sql"),
    include_str!("migrations/0008_time_zone.sql"),
    include_str!("migrations/0009_document_versions.sql"),
    include_str!("migrations/0010_chain_heads.sql"),
    include_str!("migrations/0011_signature_anchors.sql"),
    include_str!("migrations/0012_revocation_lists.sql"),
    include_str!("migrations/0013_answer_sheets.sql"),
];

/// The database version this build writes; kept in SQLite's `user_version`.
pub const SCHEMA_VERSION: usize = MIGRATIONS_SQL.len();

static MIGRATIONS: LazyLock<Migrations<'static>> =
    LazyLock::new(|| Migrations::new(MIGRATIONS_SQL.iter().map(|sql| M::up(sql)).collect()));

/// PostgreSQL's schema, one file per version; kept in its `schema_version` table.
static POSTGRES_SCHEMA: &[&str] = &[
    include_str!("migrations/postgres/0001_hub.sql"),
    include_str!("migrations/postgres/0002_signature_anchors.sql"),
    include_str!("migrations/postgres/0003_revocation_lists.sql"),
    include_str!("migrations/postgres/0004_answer_sheets.sql"),
];

/// Where the hub keeps its records: the data folder's SQLite file (one hub process, the
/// default), or a PostgreSQL database several hub processes share.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Records {
    #[default]
    InDataFolder,
    /// A `postgres://` connection URL.
    Postgres(String),
}

impl std::str::FromStr for Records {
    type Err = String;

    /// `sqlite:` (the data folder's file) or a `postgres://…` / `postgresql://…` URL.
    fn from_str(text: &str) -> Result<Self, String> {
        if text == "sqlite:" || text == "sqlite" {
            Ok(Self::InDataFolder)
        } else if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            Ok(Self::Postgres(text.to_string()))
        } else {
            Err(format!(
                "not a database: give `sqlite:` (the data folder's file) or a postgres:// URL, not {text:?}"
            ))
        }
    }
}

/// Where a hub keeps its records and its documents; the data folder for both unless
/// told otherwise.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Backends {
    pub records: Records,
    pub blobs: BlobsAt,
}

/// The hub's data folder: `hub.sqlite3` (unless its records are in PostgreSQL) and
/// `blobs/<first 2 hex>/<sha256>` (unless its documents are in a bucket).
pub struct HubStore {
    pub(crate) conn: Db,
    blobs: BlobStore,
}

impl HubStore {
    /// Opens the data folder with its records and documents where `backends` says,
    /// creating the folder and upgrading the records on first use.
    pub fn open_with(data_dir: &Path, backends: &Backends) -> Result<Self, HubError> {
        let blobs_dir = Self::prepare_folder(data_dir)?;
        let conn = match &backends.records {
            Records::InDataFolder => open_sqlite(data_dir)?,
            Records::Postgres(url) => open_postgres(url)?,
        };
        Ok(Self {
            conn,
            blobs: BlobStore::open(blobs_dir, &backends.blobs)?,
        })
    }

    /// Opens the data folder, its records in its own SQLite file.
    pub fn open(data_dir: &Path) -> Result<Self, HubError> {
        Self::open_with(data_dir, &Backends::default())
    }

    fn prepare_folder(data_dir: &Path) -> Result<PathBuf, HubError> {
        let blobs_dir = data_dir.join("blobs");
        let io_error = |path: &Path| {
            let path = path.to_path_buf();
            move |source| HubError::Io { path, source }
        };
        private::create_dir(data_dir).map_err(io_error(data_dir))?;
        private::create_dir(&blobs_dir).map_err(io_error(&blobs_dir))?;
        Ok(blobs_dir)
    }

    pub fn blobs(&self) -> &BlobStore {
        &self.blobs
    }

    /// Where a blob is in the data folder, when documents are kept there.
    pub fn blob_path(&self, sha256: &Sha256Hex) -> PathBuf {
        blob_path(self.blobs.folder(), sha256)
    }
}

/// A connection for reads beside the store's one writer, on the records `records` (the
/// data folder's SQLite file, already upgraded by the store, or PostgreSQL).
pub(crate) fn open_reader(data_dir: &Path, records: &Records) -> Result<Db, HubError> {
    match records {
        Records::InDataFolder => {
            // WAL lets readers see the last commit while the writer works.
            let conn = rusqlite::Connection::open_with_flags(
                data_dir.join("hub.sqlite3"),
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY
                    | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )?;
            conn.busy_timeout(std::time::Duration::from_secs(5))?;
            Ok(Db::sqlite(conn))
        }
        Records::Postgres(url) => Ok(Db::postgres(url)?),
    }
}

/// The data folder's SQLite file, upgraded on first use.
#[instrument(err)]
fn open_sqlite(data_dir: &Path) -> Result<Db, HubError> {
    let db_path = data_dir.join("hub.sqlite3");
    quorum_sqlite::check_before_writing(&db_path, SCHEMA_VERSION).map_err(|reason| {
        HubError::Untouched {
            path: db_path.clone(),
            reason,
        }
    })?;
    private::prepare_database(&db_path).map_err(|source| HubError::Io {
        path: db_path.clone(),
        source,
    })?;
    let conn = quorum_sqlite::open_migrated::<HubError>(
        &db_path,
        &MIGRATIONS,
        quorum_sqlite::Durability::Full,
    )?;
    Ok(Db::sqlite(conn))
}

/// The PostgreSQL database at `url`, its tables created on first use. Several hub
/// processes may start at once: the first to take the schema lock creates them, the
/// others then find them.
#[instrument(skip(url), err)]
fn open_postgres(url: &str) -> Result<Db, HubError> {
    let conn = Db::postgres(url)?;
    let tx = conn.transaction()?;
    // Any constant of the hub's own: only hub processes take this lock.
    tx.execute_batch("SELECT pg_advisory_xact_lock(7878016)")?;
    let made: bool = tx.query_row(
        "SELECT to_regclass('schema_version') IS NOT NULL",
        (),
        |row| row.get(0),
    )?;
    let version: i64 = if made {
        tx.query_row("SELECT MAX(version) FROM schema_version", (), |row| {
            row.get(0)
        })?
    } else {
        0
    };
    if usize::try_from(version).unwrap_or(usize::MAX) > POSTGRES_SCHEMA.len() {
        return Err(HubError::Untouched {
            path: PathBuf::from("the PostgreSQL database"),
            reason: quorum_sqlite::Untouched::TooNew {
                found: version,
                supported: POSTGRES_SCHEMA.len(),
            },
        });
    }
    let version = usize::try_from(version).unwrap_or(0);
    if version == 0 {
        tx.execute_batch("CREATE TABLE schema_version (version BIGINT NOT NULL)")?;
    }
    for (number, sql) in POSTGRES_SCHEMA.iter().enumerate().skip(version) {
        tx.execute_batch(sql)?;
        tx.execute(
            "INSERT INTO schema_version (version) VALUES (?1)",
            [i64::try_from(number + 1).unwrap_or(i64::MAX)],
        )?;
    }
    tx.commit()?;
    Ok(conn)
}

/// Where a blob lives; the two-character fan-out keeps directories small.
pub fn blob_path(blobs_dir: &Path, sha256: &Sha256Hex) -> PathBuf {
    let hex = sha256.as_str();
    blobs_dir.join(&hex[..2]).join(hex)
}

pub use quorum_sqlite::{json_column, name_column, parse_column, serde_name};

fn seq_from(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

// --- committees and members -------------------------------------------------------

pub fn committee(conn: &Db, id: CommitteeId) -> Result<Option<Committee>, HubError> {
    Ok(conn
        .query_row(
            "SELECT id, name, time_zone FROM committees WHERE id = ?1",
            [id.to_string()],
            |row| {
                Ok(Committee {
                    id: parse_column(0, row.get(0)?)?,
                    name: row.get(1)?,
                    time_zone: row.get(2)?,
                })
            },
        )
        .optional()?)
}

/// Stores `committee`; appends a change only when it is new or different, so running
/// the demo twice leaves the feed as it was. Returns the new change's seq, if any.
pub fn put_committee(
    conn: &Db,
    committee: &Committee,
    now: DateTime<Utc>,
) -> Result<Option<u64>, HubError> {
    let known = self::committee(conn, committee.id)?;
    if known.as_ref() == Some(committee) {
        return Ok(None);
    }
    upsert_committee(conn, committee)?;
    let record = Record::Committee {
        committee: committee.clone(),
    };
    let seq = append_change(conn, committee.id, &record, now)?;
    if known.is_none() {
        crate::anchors::send_anchors_to(conn, committee.id, now)?;
        crate::revocation::send_lists_to(conn, committee.id, now)?;
    }
    Ok(Some(seq))
}

use quorum_sqlite::MEMBER_COLUMNS;

/// A member from the columns [`MEMBER_COLUMNS`].
fn member_from_row(row: &crate::db::Row<'_>) -> Result<Member, crate::db::DbError> {
    Ok(Member {
        id: parse_column(0, row.get(0)?)?,
        committee_id: parse_column(1, row.get(1)?)?,
        full_name: row.get(2)?,
        position: row.get(3)?,
        role: name_column(4, row.get(4)?)?,
    })
}

fn upsert_member(conn: &Db, member: &Member) -> Result<(), HubError> {
    conn.execute(
        "INSERT INTO members (id, committee_id, full_name, position, role)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (id) DO UPDATE SET committee_id = excluded.committee_id,
             full_name = excluded.full_name, position = excluded.position, role = excluded.role",
        params![
            member.id.to_string(),
            member.committee_id.to_string(),
            member.full_name,
            member.position,
            serde_name(&member.role),
        ],
    )?;
    Ok(())
}

fn upsert_committee(conn: &Db, committee: &Committee) -> Result<(), HubError> {
    conn.execute(
        "INSERT INTO committees (id, name, time_zone) VALUES (?1, ?2, ?3)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, time_zone = excluded.time_zone",
        params![
            committee.id.to_string(),
            committee.name,
            committee.time_zone
        ],
    )?;
    Ok(())
}

pub fn member(conn: &Db, id: MemberId) -> Result<Option<Member>, HubError> {
    Ok(conn
        .query_row(
            &format!("SELECT {MEMBER_COLUMNS} FROM members WHERE id = ?1"),
            [id.to_string()],
            member_from_row,
        )
        .optional()?)
}

/// Members of every committee, by committee then name.
pub fn members(conn: &Db) -> Result<Vec<Member>, HubError> {
    Ok(conn.query_map(
        &format!("SELECT {MEMBER_COLUMNS} FROM members ORDER BY committee_id, full_name"),
        (),
        member_from_row,
    )?)
}

pub fn members_of_committee(conn: &Db, committee_id: CommitteeId) -> Result<Vec<Member>, HubError> {
    Ok(conn.query_map(
        &format!("SELECT {MEMBER_COLUMNS} FROM members WHERE committee_id = ?1 ORDER BY full_name"),
        [committee_id.to_string()],
        member_from_row,
    )?)
}

/// Stores `member` (its committee must exist); appends a change only when it is new
/// or different.
pub fn put_member(conn: &Db, member: &Member, now: DateTime<Utc>) -> Result<Option<u64>, HubError> {
    if self::member(conn, member.id)?.as_ref() == Some(member) {
        return Ok(None);
    }
    if committee(conn, member.committee_id)?.is_none() {
        return Err(HubError::CommitteeNotFound(member.committee_id));
    }
    upsert_member(conn, member)?;
    let record = Record::Member {
        member: member.clone(),
    };
    append_change(conn, member.committee_id, &record, now).map(Some)
}

// --- enrollment codes and devices --------------------------------------------------

/// Stores the hash of a fresh code for `member_id`, dropping the member's unused ones
/// so only the newest code handed out can enroll.
pub fn replace_code(
    conn: &Db,
    member_id: MemberId,
    code_hash: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), HubError> {
    conn.execute(
        "DELETE FROM enrollment_codes WHERE member_id = ?1 AND used_at IS NULL",
        [member_id.to_string()],
    )?;
    conn.execute(
        "INSERT INTO enrollment_codes (code_hash, member_id, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4)",
        params![code_hash, member_id.to_string(), now, expires_at],
    )?;
    Ok(())
}

/// What a code offered by a device turned out to be.
pub enum OfferedCode {
    /// Unused and in time: now taken, for this member.
    Taken(MemberId),
    /// Unused, and the newest code the member was given, but past its expiry. Saying so
    /// tells a guesser nothing they could use: the code enrolls nobody any more.
    Expired,
    /// Unknown, already used, or replaced by a newer one.
    Refused,
}

/// Marks an unused, unexpired code as used and answers whose it was.
pub fn take_code(conn: &Db, code_hash: &str, now: DateTime<Utc>) -> Result<OfferedCode, HubError> {
    let member_id: Option<String> = conn
        .query_row(
            "UPDATE enrollment_codes SET used_at = ?2
             WHERE code_hash = ?1 AND used_at IS NULL AND expires_at > ?2 RETURNING member_id",
            params![code_hash, now],
            |row| row.get(0),
        )
        .optional()?;
    if let Some(id) = member_id {
        return Ok(OfferedCode::Taken(parse_column(0, id)?));
    }
    let expired = conn
        .query_row(
            "SELECT 1 FROM enrollment_codes WHERE code_hash = ?1 AND used_at IS NULL",
            [code_hash],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    Ok(if expired {
        OfferedCode::Expired
    } else {
        OfferedCode::Refused
    })
}

pub struct NewDevice<'a> {
    pub id: DeviceId,
    pub member_id: MemberId,
    pub public_key_hex: &'a str,
    pub name: &'a str,
    pub token_hash: &'a str,
}

pub fn insert_device(
    conn: &Db,
    device: &NewDevice<'_>,
    now: DateTime<Utc>,
) -> Result<(), HubError> {
    conn.execute(
        "INSERT INTO devices (id, member_id, public_key, name, token_hash, enrolled_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            device.id.to_string(),
            device.member_id.to_string(),
            device.public_key_hex,
            device.name,
            device.token_hash,
            now,
        ],
    )?;
    Ok(())
}

/// How stale `devices.last_seen_at` may get before a request refreshes it: at
/// `synchronous=FULL` every write is a flush to disk, and "last seen" is only shown, to
/// the minute, by `admin list-devices`.
const SEEN_PRECISION: chrono::Duration = chrono::Duration::minutes(1);

/// An enrolled device a request comes from.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub device_id: DeviceId,
    pub member: Member,
    /// The Ed25519 key (hex) its ballots and delegations are signed with.
    pub public_key: String,
}

/// The enrolled, non-revoked device holding the token with this hash, and its member;
/// whether it should be noted as seen at `now` ([`note_seen`]). Only reads.
pub fn authenticate(
    conn: &Db,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<(Authenticated, bool)>, HubError> {
    Ok(conn
        .query_row(
            "SELECT d.id, m.id, m.committee_id, m.full_name, m.position, m.role, d.public_key,
                 d.last_seen_at
             FROM devices d JOIN members m ON m.id = d.member_id
             WHERE d.token_hash = ?1 AND d.revoked_at IS NULL",
            [token_hash],
            |row| {
                let device = Authenticated {
                    device_id: parse_column(0, row.get(0)?)?,
                    member: Member {
                        id: parse_column(1, row.get(1)?)?,
                        committee_id: parse_column(2, row.get(2)?)?,
                        full_name: row.get(3)?,
                        position: row.get(4)?,
                        role: name_column(5, row.get(5)?)?,
                    },
                    public_key: row.get(6)?,
                };
                let seen: Option<DateTime<Utc>> = row.get(7)?;
                Ok((device, seen.is_none_or(|seen| seen < now - SEEN_PRECISION)))
            },
        )
        .optional()?)
}

/// Notes that `device_id` was seen at `now`, unless it was seen since less than
/// [`SEEN_PRECISION`] ago.
pub fn note_seen(conn: &Db, device_id: DeviceId, now: DateTime<Utc>) -> Result<(), HubError> {
    conn.execute(
        "UPDATE devices SET last_seen_at = ?2
         WHERE id = ?1 AND (last_seen_at IS NULL OR last_seen_at < ?3)",
        params![device_id.to_string(), now, now - SEEN_PRECISION],
    )?;
    Ok(())
}

/// One line of `admin list-devices`.
#[derive(Debug, Clone)]
pub struct DeviceRow {
    pub id: DeviceId,
    pub member_id: MemberId,
    pub name: String,
    pub enrolled_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_seen_at: Option<DateTime<Utc>>,
    pub last_seq: u64,
}

pub fn devices(conn: &Db) -> Result<Vec<DeviceRow>, HubError> {
    Ok(conn.query_map(
        "SELECT id, member_id, name, enrolled_at, revoked_at, last_seen_at, last_seq
         FROM devices ORDER BY enrolled_at",
        (),
        |row| {
            Ok(DeviceRow {
                id: parse_column(0, row.get(0)?)?,
                member_id: parse_column(1, row.get(1)?)?,
                name: row.get(2)?,
                enrolled_at: row.get(3)?,
                revoked_at: row.get(4)?,
                last_seen_at: row.get(5)?,
                last_seq: seq_from(row.get(6)?),
            })
        },
    )?)
}

/// Revokes a device; its token stops working at once. Revoking twice keeps the first time.
pub fn revoke_device(conn: &Db, device_id: DeviceId, now: DateTime<Utc>) -> Result<(), HubError> {
    let found = conn.execute(
        "UPDATE devices SET revoked_at = COALESCE(revoked_at, ?2) WHERE id = ?1",
        params![device_id.to_string(), now],
    )?;
    if found == 0 {
        return Err(HubError::DeviceNotFound(device_id));
    }
    Ok(())
}

/// Those of `devices` that are revoked.
pub fn revoked_among(conn: &Db, devices: &[DeviceId]) -> Result<Vec<DeviceId>, HubError> {
    let mut revoked = Vec::new();
    for device_id in devices {
        let found = conn
            .query_row(
                "SELECT 1 FROM devices WHERE id = ?1 AND revoked_at IS NOT NULL",
                [device_id.to_string()],
                |_| Ok(()),
            )
            .optional()?;
        if found.is_some() {
            revoked.push(*device_id);
        }
    }
    Ok(revoked)
}

/// The key a device signs ballots with, and whose device it is.
pub struct DeviceKey {
    /// Ed25519 public key, hex.
    pub public_key: String,
    pub member_id: MemberId,
}

/// The device's key, revoked or not: ballots it signed before revocation still verify.
pub fn device_key(conn: &Db, device_id: DeviceId) -> Result<Option<DeviceKey>, HubError> {
    Ok(conn
        .query_row(
            "SELECT public_key, member_id FROM devices WHERE id = ?1",
            [device_id.to_string()],
            |row| {
                Ok(DeviceKey {
                    public_key: row.get(0)?,
                    member_id: parse_column(1, row.get(1)?)?,
                })
            },
        )
        .optional()?)
}

/// Takes the device's row for the rest of the transaction (another hub process given the
/// same device's operations waits, and then finds them taken), and answers where its
/// operations stand: its last one taken. `None`: no such device.
pub fn take_device(conn: &Db, device_id: DeviceId) -> Result<Option<u64>, HubError> {
    let last: Option<i64> = conn
        .query_row(
            "UPDATE devices SET last_seq = last_seq WHERE id = ?1 RETURNING last_seq",
            [device_id.to_string()],
            |row| row.get(0),
        )
        .optional()?;
    Ok(last.map(seq_from))
}

/// Moves the device on to its operation `last_seq`: the next one it sends follows it.
pub fn set_device_last_seq(conn: &Db, device_id: DeviceId, last_seq: u64) -> Result<(), HubError> {
    // It fits SQLite's INTEGER: it is one past a value SQLite already held.
    let last_seq = i64::try_from(last_seq).unwrap_or(i64::MAX);
    conn.execute(
        "UPDATE devices SET last_seq = ?2 WHERE id = ?1",
        params![device_id.to_string(), last_seq],
    )?;
    Ok(())
}

/// Which of `ids` the hub holds as operations already, looked up a few statements at a
/// time.
pub fn stored_operations(
    conn: &Db,
    ids: &[OperationId],
) -> Result<std::collections::HashSet<OperationId>, HubError> {
    let ids: Vec<rusqlite::types::Value> = ids
        .iter()
        .map(|id| rusqlite::types::Value::Text(id.to_string()))
        .collect();
    let mut stored = std::collections::HashSet::new();
    for batch in crate::db::batches(ids) {
        let sql = format!(
            "SELECT id FROM operations WHERE id IN {}",
            crate::db::value_rows(1, batch.len())
        );
        stored.extend(conn.query_map(&sql, batch, |row| {
            Ok(parse_column::<OperationId>(0, row.get(0)?)?)
        })?);
    }
    Ok(stored)
}

// --- meetings and blobs ------------------------------------------------------------

pub fn meeting(conn: &Db, id: MeetingId) -> Result<Option<Meeting>, HubError> {
    Ok(conn
        .query_row(
            "SELECT json FROM meetings WHERE id = ?1",
            [id.to_string()],
            |row| Ok(json_column(0, &row.get::<String>(0)?)?),
        )
        .optional()?)
}

pub fn meetings_of_committee(
    conn: &Db,
    committee_id: CommitteeId,
) -> Result<Vec<Meeting>, HubError> {
    Ok(conn.query_map(
        "SELECT json FROM meetings WHERE committee_id = ?1",
        [committee_id.to_string()],
        |row| Ok(json_column(0, &row.get::<String>(0)?)?),
    )?)
}

/// Every meeting of `committee_id` that ever pointed at this blob.
pub fn meetings_with_blob(
    conn: &Db,
    committee_id: CommitteeId,
    sha256: &Sha256Hex,
) -> Result<Vec<Meeting>, HubError> {
    Ok(conn.query_map(
        "SELECT m.json FROM meeting_blobs mb JOIN meetings m ON m.id = mb.meeting_id
         WHERE mb.sha256 = ?1 AND m.committee_id = ?2",
        params![sha256.as_str(), committee_id.to_string()],
        |row| Ok(json_column(0, &row.get::<String>(0)?)?),
    )?)
}

/// Whether `committee_id` uploaded this blob (another committee's copy does not count).
pub fn committee_has_blob(
    conn: &Db,
    committee_id: CommitteeId,
    sha256: &Sha256Hex,
) -> Result<bool, HubError> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM committee_blobs WHERE committee_id = ?1 AND sha256 = ?2",
            params![committee_id.to_string(), sha256.as_str()],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// Notes that `committee_id` holds the blob, whose bytes it uploaded (or loaded).
pub fn record_blob(
    conn: &Db,
    committee_id: CommitteeId,
    sha256: &Sha256Hex,
    size: u64,
) -> Result<(), HubError> {
    conn.execute(
        "INSERT INTO blobs (sha256, size) VALUES (?1, ?2) ON CONFLICT (sha256) DO NOTHING",
        params![sha256.as_str(), i64::try_from(size).unwrap_or(i64::MAX)],
    )?;
    conn.execute(
        "INSERT INTO committee_blobs (committee_id, sha256) VALUES (?1, ?2)
         ON CONFLICT DO NOTHING",
        params![committee_id.to_string(), sha256.as_str()],
    )?;
    Ok(())
}

/// Every version ever published of the documents `meeting` carries, in any meeting.
pub fn published_versions(conn: &Db, meeting: &Meeting) -> Result<Vec<PublishedVersion>, HubError> {
    let mut published = Vec::new();
    for document in meeting.documents() {
        let rows = conn.query_map(
            "SELECT document_id, meeting_id, number, sha256 FROM document_versions
             WHERE document_id = ?1",
            [document.id.to_string()],
            |row| {
                Ok(PublishedVersion {
                    document_id: parse_column(0, row.get(0)?)?,
                    meeting_id: parse_column(1, row.get(1)?)?,
                    number: row.get(2)?,
                    sha256: parse_column(3, row.get(3)?)?,
                })
            },
        )?;
        published.extend(rows);
    }
    Ok(published)
}

/// The first document blob of `meeting` its committee has not uploaded, if any.
pub fn first_missing_blob(conn: &Db, meeting: &Meeting) -> Result<Option<Sha256Hex>, HubError> {
    for document in meeting.documents() {
        if !committee_has_blob(conn, meeting.committee_id, &document.current.sha256)? {
            return Ok(Some(document.current.sha256.clone()));
        }
    }
    Ok(None)
}

/// Stores `meeting` as the next version of itself and appends it to the feed. The
/// hub, not the sender, numbers versions, so two publishes can never share one.
/// Callers check permissions and that every blob is stored.
pub fn publish_meeting(
    conn: &Db,
    meeting: &Meeting,
    now: DateTime<Utc>,
) -> Result<(Meeting, u64), HubError> {
    let previous = self::meeting(conn, meeting.id)?;
    let version = previous
        .as_ref()
        .map_or(0, |previous| previous.version)
        .saturating_add(1);
    let stored = Meeting {
        version,
        ..meeting.clone()
    };
    conn.execute(
        "INSERT INTO meetings (id, committee_id, json, version) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (id) DO UPDATE SET committee_id = excluded.committee_id,
             json = excluded.json, version = excluded.version",
        params![
            stored.id.to_string(),
            stored.committee_id.to_string(),
            serde_json::to_string(&stored)?,
            version,
        ],
    )?;
    for document in stored.documents() {
        conn.execute(
            "INSERT INTO meeting_blobs (meeting_id, sha256) VALUES (?1, ?2)
             ON CONFLICT DO NOTHING",
            params![stored.id.to_string(), document.current.sha256.as_str()],
        )?;
        conn.execute(
            "INSERT INTO document_versions (document_id, number, sha256, meeting_id)
             VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
            params![
                document.id.to_string(),
                document.current.number,
                document.current.sha256.as_str(),
                stored.id.to_string()
            ],
        )?;
    }
    let record = Record::Meeting {
        meeting: stored.clone(),
    };
    let mut seq = append_change(conn, stored.committee_id, &record, now)?;
    if previous.is_some_and(|previous| stored.newly_seen_after(&previous)) {
        seq = replay_conduct(conn, &stored, now)?.unwrap_or(seq);
    }
    Ok((stored, seq))
}

/// Appends again, in their order, the changes about the conduct of `meeting` (its polls,
/// delegations, attendance, floor and annotations, and the withdrawals of those
/// annotations), so a member who may see the meeting only now receives them as they
/// stand: the feed is read from the cursor on, and their old places were behind it. A
/// laptop that held them applies them again, which changes nothing. Answers the last
/// number used, if anything was replayed.
fn replay_conduct(
    conn: &Db,
    meeting: &Meeting,
    now: DateTime<Utc>,
) -> Result<Option<u64>, HubError> {
    let mut annotations = std::collections::HashSet::new();
    let replayed: Vec<(u64, Record)> = changes_after(conn, meeting.committee_id, 0, u32::MAX)?
        .into_iter()
        .filter(|(_, record)| match record {
            Record::Annotation { annotation, .. } if record.conduct_of() == Some(meeting.id) => {
                annotations.insert(annotation.id);
                true
            }
            Record::AnnotationWithdrawn { annotation_id, .. } => {
                annotations.contains(annotation_id)
            }
            _ => record.conduct_of() == Some(meeting.id),
        })
        .collect();
    let mut last = None;
    for (seq, record) in replayed {
        conn.execute(
            "DELETE FROM changes WHERE committee_id = ?1 AND committee_seq = ?2",
            params![
                meeting.committee_id.to_string(),
                i64::try_from(seq).unwrap_or(i64::MAX)
            ],
        )?;
        last = Some(append_change(conn, meeting.committee_id, &record, now)?);
    }
    Ok(last)
}

// --- attendance --------------------------------------------------------------------

/// Who decided an attendance, as the rule between a check-in and a mark needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkedBy {
    /// The member checked in from their own laptop.
    Member,
    /// The secretary marked it, at the hub's `now`.
    Secretary,
}

/// Records an invitee's attendance and passes it to the meeting.
pub fn record_attendance(
    conn: &Db,
    meeting: &Meeting,
    member_id: MemberId,
    attendance: &Attendance,
    marked_by: MarkedBy,
    now: DateTime<Utc>,
) -> Result<u64, HubError> {
    let marked_at = (marked_by == MarkedBy::Secretary).then_some(now);
    conn.execute(
        "INSERT INTO attendance (meeting_id, member_id, attendance, marked_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (meeting_id, member_id) DO UPDATE SET attendance = excluded.attendance,
             marked_at = excluded.marked_at",
        params![
            meeting.id.to_string(),
            member_id.to_string(),
            serde_json::to_string(attendance)?,
            marked_at,
        ],
    )?;
    let record = Record::Attendance {
        meeting_id: meeting.id,
        member_id,
        attendance: attendance.clone(),
        disputed_check_in: None,
    };
    append_change(conn, meeting.committee_id, &record, now)
}

/// The secretary's mark of an invitee's attendance, and when it was made, if the
/// secretary (not the member) decided the attendance now standing.
pub fn secretary_mark(
    conn: &Db,
    meeting_id: MeetingId,
    member_id: MemberId,
) -> Result<Option<(Attendance, DateTime<Utc>)>, HubError> {
    let found: Option<(String, Option<DateTime<Utc>>)> = conn
        .query_row(
            "SELECT attendance, marked_at FROM attendance WHERE meeting_id = ?1 AND member_id = ?2",
            params![meeting_id.to_string(), member_id.to_string()],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    match found {
        Some((json, Some(marked_at))) => Ok(Some((serde_json::from_str(&json)?, marked_at))),
        _ => Ok(None),
    }
}

/// Tells the meeting that a check-in made at `checked_in_at` lost to the secretary's
/// standing mark, so both see the disagreement.
pub fn record_disputed_check_in(
    conn: &Db,
    meeting: &Meeting,
    member_id: MemberId,
    mark: Attendance,
    checked_in_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<u64, HubError> {
    let record = Record::Attendance {
        meeting_id: meeting.id,
        member_id,
        attendance: mark,
        disputed_check_in: Some(checked_in_at),
    };
    append_change(conn, meeting.committee_id, &record, now)
}

// --- the floor -----------------------------------------------------------------------

/// Both queues of an agenda item, in order of asking.
pub fn floor(
    conn: &Db,
    meeting_id: MeetingId,
    agenda_item_id: AgendaItemId,
) -> Result<Vec<FloorRequest>, HubError> {
    let json: Option<String> = conn
        .query_row(
            "SELECT queue FROM floor WHERE meeting_id = ?1 AND agenda_item_id = ?2",
            params![meeting_id.to_string(), agenda_item_id.to_string()],
            |row| row.get(0),
        )
        .optional()?;
    Ok(json
        .map(|json| serde_json::from_str(&json))
        .transpose()?
        .unwrap_or_default())
}

pub fn save_floor(
    conn: &Db,
    meeting: &Meeting,
    agenda_item_id: AgendaItemId,
    queue: &[FloorRequest],
    now: DateTime<Utc>,
) -> Result<u64, HubError> {
    conn.execute(
        "INSERT INTO floor (meeting_id, agenda_item_id, queue) VALUES (?1, ?2, ?3)
         ON CONFLICT (meeting_id, agenda_item_id) DO UPDATE SET queue = excluded.queue",
        params![
            meeting.id.to_string(),
            agenda_item_id.to_string(),
            serde_json::to_string(queue)?
        ],
    )?;
    let record = Record::Floor {
        meeting_id: meeting.id,
        agenda_item_id,
        queue: queue.to_vec(),
    };
    append_change(conn, meeting.committee_id, &record, now)
}

// --- readiness ---------------------------------------------------------------------

/// Keeps a laptop's report. When it differs from the last one, passes it to the feed and
/// returns the new seq; an unchanged report changes nothing, so reports never wake the
/// committee's laptops in a loop.
pub fn report_device_status(
    conn: &Db,
    device_id: DeviceId,
    member: &Member,
    status: &DeviceStatus,
    now: DateTime<Utc>,
) -> Result<Option<u64>, HubError> {
    let json = serde_json::to_string(status)?;
    let before: Option<String> = conn
        .query_row(
            "SELECT status FROM device_status WHERE device_id = ?1",
            [device_id.to_string()],
            |row| row.get(0),
        )
        .optional()?;
    if before.as_deref() == Some(json.as_str()) {
        return Ok(None);
    }
    conn.execute(
        "INSERT INTO device_status (device_id, status, reported_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (device_id) DO UPDATE SET status = excluded.status,
             reported_at = excluded.reported_at",
        params![device_id.to_string(), json, now],
    )?;
    let device_name: String = conn.query_row(
        "SELECT name FROM devices WHERE id = ?1",
        [device_id.to_string()],
        |row| row.get(0),
    )?;
    let record = Record::Readiness {
        committee_id: member.committee_id,
        readiness: DeviceReadiness {
            device_id,
            device_name,
            member_id: member.id,
            reported_at: now,
            status: status.clone(),
        },
    };
    append_change(conn, member.committee_id, &record, now).map(Some)
}

// --- the change feed ---------------------------------------------------------------

/// The key of a record whose latest state is all that matters: a newer change with the
/// same key makes the older ones useless to anyone catching up.
fn superseding_key(record: &Record) -> Option<String> {
    match record {
        Record::Poll { poll } => Some(format!("poll:{}", poll.poll.id)),
        Record::Readiness { readiness, .. } => Some(format!("device:{}", readiness.device_id)),
        Record::Attendance {
            meeting_id,
            member_id,
            ..
        } => Some(format!("attendance:{meeting_id}:{member_id}")),
        Record::Floor {
            meeting_id,
            agenda_item_id,
            ..
        } => Some(format!("floor:{meeting_id}:{agenda_item_id}")),
        // Adding and removing a certificate replace each other in a committee's feed.
        Record::SignatureAnchor {
            committee_id,
            certificate,
        } => Some(format!(
            "anchor:{committee_id}:{}",
            quorum_signatures::fingerprint(&hex::decode(certificate).ok()?)
        )),
        Record::SignatureAnchorRemoved {
            committee_id,
            fingerprint,
        } => Some(format!("anchor:{committee_id}:{fingerprint}")),
        Record::RevocationList {
            committee_id, url, ..
        } => Some(format!("revocation:{committee_id}:{url}")),
        Record::AnswerSheet {
            poll_id, member_id, ..
        } => Some(format!("answer-sheet:{poll_id}:{member_id}")),
        _ => None,
    }
}

/// Appends `record` to `committee_id`'s feed; returns its number there. A record with a
/// superseding key replaces the older changes of that key.
pub fn append_change(
    conn: &Db,
    committee_id: CommitteeId,
    record: &Record,
    now: DateTime<Utc>,
) -> Result<u64, HubError> {
    let key = superseding_key(record);
    if let Some(key) = &key {
        conn.execute("DELETE FROM changes WHERE record_key = ?1", [key])?;
    }
    let committee_seq: i64 = conn.query_row(
        "INSERT INTO feed_heads (committee_id, last_seq) VALUES (?1, 1)
         ON CONFLICT (committee_id) DO UPDATE SET last_seq = feed_heads.last_seq + 1
         RETURNING last_seq",
        [committee_id.to_string()],
        |row| row.get(0),
    )?;
    conn.execute(
        "INSERT INTO changes (committee_id, committee_seq, record, created_at, record_key)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            committee_id.to_string(),
            committee_seq,
            serde_json::to_string(record)?,
            now,
            key
        ],
    )?;
    conn.tell_other_processes(&committee_id.to_string(), committee_seq)?;
    Ok(seq_from(committee_seq))
}

/// Takes the feed heads of `committees` for the rest of the transaction, in committee
/// order (see [`append_change`]).
pub fn take_feeds(
    conn: &Db,
    committees: impl IntoIterator<Item = CommitteeId>,
) -> Result<(), HubError> {
    let committees: std::collections::BTreeSet<CommitteeId> = committees.into_iter().collect();
    for committee_id in committees {
        conn.execute(
            "INSERT INTO feed_heads (committee_id, last_seq) VALUES (?1, 0)
             ON CONFLICT (committee_id) DO UPDATE SET last_seq = feed_heads.last_seq",
            [committee_id.to_string()],
        )?;
    }
    Ok(())
}

/// The newest number in `committee_id`'s feed (0 before its first change).
pub fn latest_seq(conn: &Db, committee_id: CommitteeId) -> Result<u64, HubError> {
    let latest: Option<i64> = conn
        .query_row(
            "SELECT last_seq FROM feed_heads WHERE committee_id = ?1",
            [committee_id.to_string()],
            |row| row.get(0),
        )
        .optional()?;
    Ok(latest.map(seq_from).unwrap_or(0))
}

/// Every committee's newest feed number: for noticing what changed (another hub
/// process's work included), never shown to a device. Exact across processes, as each
/// number is taken in the transaction that writes its change.
pub fn feed_heads(conn: &Db) -> Result<Vec<(CommitteeId, u64)>, HubError> {
    Ok(
        conn.query_map("SELECT committee_id, last_seq FROM feed_heads", (), |row| {
            Ok((parse_column(0, row.get(0)?)?, seq_from(row.get(1)?)))
        })?,
    )
}

/// Up to `limit` of `committee_id`'s changes after its number `since`, oldest first.
/// Other committees' changes are never read, let alone deserialised.
pub fn changes_after(
    conn: &Db,
    committee_id: CommitteeId,
    since: u64,
    limit: u32,
) -> Result<Vec<(u64, Record)>, HubError> {
    let since = i64::try_from(since).unwrap_or(i64::MAX);
    Ok(conn.query_map(
        "SELECT committee_seq, record FROM changes
         WHERE committee_id = ?1 AND committee_seq > ?2 ORDER BY committee_seq LIMIT ?3",
        params![committee_id.to_string(), since, limit],
        |row| {
            Ok((
                seq_from(row.get(0)?),
                json_column(1, &row.get::<String>(1)?)?,
            ))
        },
    )?)
}

/// Notes that `device_id` was handed records of the feed at `now`.
pub fn note_pulled(conn: &Db, device_id: DeviceId, now: DateTime<Utc>) -> Result<(), HubError> {
    conn.execute(
        "UPDATE devices SET last_pulled_at = ?2 WHERE id = ?1",
        params![device_id.to_string(), now],
    )?;
    Ok(())
}

/// The last time any device of `member_id` was handed records of the feed.
pub fn member_last_pulled(
    conn: &Db,
    member_id: MemberId,
) -> Result<Option<DateTime<Utc>>, HubError> {
    Ok(conn.query_row(
        "SELECT MAX(last_pulled_at) FROM devices WHERE member_id = ?1",
        [member_id.to_string()],
        |row| row.get(0),
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upgrading_keeps_the_document_versions_of_meetings_already_published() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let db_path = dir.path().join("hub.sqlite3");
        let document = |n: u8, number| quorum_core::Document {
            id: quorum_core::DocumentId::new_v7(),
            title: format!("Tài liệu {n}"),
            current: quorum_core::DocumentVersion {
                number,
                sha256: Sha256Hex::from_digest(&[n; 32]),
                size_bytes: 100,
                page_count: 1,
                file_name: format!("tai-lieu-{n}.pdf"),
            },
        };
        let meeting = Meeting {
            id: MeetingId::new_v7(),
            committee_id: CommitteeId::new_v7(),
            title: "Phiên họp".into(),
            starts_at: chrono::DateTime::UNIX_EPOCH,
            location: "Phòng họp".into(),
            status: quorum_core::MeetingStatus::Published,
            version: 1,
            invitees: vec![],
            agenda: vec![quorum_core::AgendaItem {
                id: AgendaItemId::new_v7(),
                title: "Báo cáo".into(),
                presenter: "Văn phòng".into(),
                planned_minutes: 10,
                documents: vec![document(1, 1), document(2, 3)],
            }],
        };
        {
            // The database as the build before the version registry left it.
            let mut conn = rusqlite::Connection::open(&db_path).expect("a database file");
            let before = MIGRATIONS_SQL[..8].iter().map(|sql| M::up(sql));
            Migrations::new(before.collect())
                .to_latest(&mut conn)
                .expect("the earlier migrations run");
            conn.execute(
                "INSERT INTO committees (id, name) VALUES (?1, 'UBND')",
                [meeting.committee_id.to_string()],
            )
            .expect("its committee");
            conn.execute(
                "INSERT INTO meetings (id, committee_id, json, version) VALUES (?1, ?2, ?3, 1)",
                params![
                    meeting.id.to_string(),
                    meeting.committee_id.to_string(),
                    serde_json::to_string(&meeting).expect("a meeting as JSON"),
                ],
            )
            .expect("a published meeting");
        }
        let store = HubStore::open(dir.path()).expect("the upgrade runs");
        let mut published = published_versions(&store.conn, &meeting).expect("readable");
        published.sort_by_key(|p| p.document_id);
        let mut expected: Vec<PublishedVersion> = meeting
            .documents()
            .map(|document| PublishedVersion {
                document_id: document.id,
                meeting_id: meeting.id,
                number: document.current.number,
                sha256: document.current.sha256.clone(),
            })
            .collect();
        expected.sort_by_key(|p| p.document_id);
        assert_eq!(published, expected, "each document's current version, kept");
    }

    #[test]
    fn the_hub_commits_to_disk_before_it_answers() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let store = HubStore::open(dir.path()).expect("a fresh data folder");
        let synchronous: i64 = store
            .conn
            .as_sqlite()
            .expect("a data folder's database is SQLite")
            .pragma_query_value(None, "synchronous", |row| row.get(0))
            .expect("the pragma reads");
        assert_eq!(
            synchronous, 2,
            "synchronous=FULL: an acknowledged ballot survives a power cut"
        );
    }

    #[test]
    fn migrations_are_valid() {
        MIGRATIONS
            .validate()
            .expect("every migration applies on an empty database");
    }

    #[test]
    fn blobs_fan_out_by_their_first_two_hex_digits() {
        let sha = Sha256Hex::try_from("ab".repeat(32)).expect("64 hex characters");
        assert_eq!(
            blob_path(Path::new("/d"), &sha),
            Path::new("/d").join("ab").join("ab".repeat(32)),
            "the folder keeps directories small and the name is the full digest"
        );
    }
}
