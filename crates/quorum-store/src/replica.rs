use std::str::FromStr;

use chrono::{DateTime, Utc};
use quorum_core::{
    AgendaItem, Committee, Document, DocumentVersion, Meeting, MeetingId, MeetingSummary, Member,
    Sha256Hex, order_meetings,
};
use rusqlite::types::Type;
use rusqlite::{OptionalExtension, Row, Transaction, params};
use serde::de::DeserializeOwned;
use tracing::instrument;

use crate::{Result, Store, StoreError};

impl Store {
    /// Stores a committee and its members, replacing what was known of them.
    #[instrument(skip_all, fields(committee = %committee.id), err)]
    pub fn save_committee(&mut self, committee: &Committee, members: &[Member]) -> Result<()> {
        let tx = self.conn.transaction()?;
        write_committee(&tx, committee)?;
        for member in members {
            write_member(&tx, member)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The members of the committees on this laptop, by name.
    pub fn members(&self) -> Result<Vec<Member>> {
        let mut statement = self.conn.prepare(&format!(
            "SELECT {} FROM members ORDER BY full_name",
            quorum_sqlite::MEMBER_COLUMNS
        ))?;
        let rows = statement.query_map([], member_from_row)?;
        rows.map(|row| Ok(row?)).collect()
    }

    /// Stores a meeting with its whole agenda, replacing the previous version of it.
    /// The meeting is validated first; document versions already known are kept.
    #[instrument(skip_all, fields(meeting = %meeting.id, version = meeting.version), err)]
    pub fn save_meeting(&mut self, meeting: &Meeting) -> Result<()> {
        meeting.validate()?;
        let tx = self.conn.transaction()?;
        write_meeting(&tx, meeting)?;
        tx.commit()?;
        Ok(())
    }

    /// The zone the committee's times are read and written in: the enrolled member's
    /// committee's, else that of the committee the laptop holds (the demo's), else
    /// Vietnam's.
    pub fn time_zone(&self) -> Result<String> {
        let zone = self
            .conn
            .query_row(
                "SELECT c.time_zone FROM committees c
                 LEFT JOIN members m ON m.committee_id = c.id
                     AND m.id = (SELECT member_id FROM device WHERE id = 1)
                 ORDER BY m.id IS NULL LIMIT 1",
                [],
                |row| row.get(0),
            )
            .optional()?;
        Ok(zone.unwrap_or_else(|| quorum_core::DEFAULT_TIME_ZONE.to_string()))
    }

    pub fn has_meetings(&self) -> Result<bool> {
        Ok(self
            .conn
            .query_row("SELECT EXISTS (SELECT 1 FROM meetings)", [], |row| {
                row.get(0)
            })?)
    }

    /// The meeting list: meetings to come first, soonest first, then past ones.
    #[instrument(skip(self), err)]
    pub fn meetings(&self, now: DateTime<Utc>) -> Result<Vec<MeetingSummary>> {
        let mut statement = self.conn.prepare(
            "SELECT m.id, c.name, m.title, m.starts_at, m.location, m.status,
                    (SELECT count(*) FROM agenda_items a WHERE a.meeting_id = m.id),
                    (SELECT count(*) FROM documents d JOIN agenda_items a ON d.agenda_item_id = a.id
                      WHERE a.meeting_id = m.id)
             FROM meetings m JOIN committees c ON c.id = m.committee_id",
        )?;
        let mut list = statement
            .query_map([], |row| {
                Ok(MeetingSummary {
                    id: parsed(row, 0)?,
                    committee_name: row.get(1)?,
                    title: row.get(2)?,
                    starts_at: row.get(3)?,
                    location: row.get(4)?,
                    status: parsed_enum(row, 5)?,
                    agenda_items: row.get(6)?,
                    documents: row.get(7)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        list.sort_by(|a, b| order_meetings(a, b, now));
        Ok(list)
    }

    /// One meeting with its agenda in order and each document's current version.
    #[instrument(skip(self), err)]
    pub fn meeting(&self, id: MeetingId) -> Result<Meeting> {
        let key = id.to_string();
        let mut meeting = self
            .conn
            .query_row(
                "SELECT committee_id, title, starts_at, location, status, version
                 FROM meetings WHERE id = ?1",
                [&key],
                |row| {
                    Ok(Meeting {
                        id,
                        committee_id: parsed(row, 0)?,
                        title: row.get(1)?,
                        starts_at: row.get(2)?,
                        location: row.get(3)?,
                        status: parsed_enum(row, 4)?,
                        version: row.get(5)?,
                        invitees: Vec::new(),
                        agenda: Vec::new(),
                    })
                },
            )
            .optional()?
            .ok_or(StoreError::MeetingNotFound(id))?;

        meeting.invitees = self
            .conn
            .prepare(
                "SELECT member_id FROM meeting_invitees WHERE meeting_id = ?1 ORDER BY member_id",
            )?
            .query_map([&key], |row| parsed(row, 0))?
            .collect::<rusqlite::Result<_>>()?;

        let mut documents = self.conn.prepare(
            "SELECT d.id, d.title, v.number, v.sha256, v.size_bytes, v.page_count, v.file_name
             FROM documents d
             JOIN document_versions v ON v.document_id = d.id AND v.number = d.current_version
             WHERE d.agenda_item_id = ?1 ORDER BY d.position",
        )?;
        meeting.agenda = self
            .conn
            .prepare(
                "SELECT id, title, presenter, planned_minutes FROM agenda_items
                 WHERE meeting_id = ?1 ORDER BY position",
            )?
            .query_map([&key], |row| {
                Ok(AgendaItem {
                    id: parsed(row, 0)?,
                    title: row.get(1)?,
                    presenter: row.get(2)?,
                    planned_minutes: row.get(3)?,
                    documents: Vec::new(),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        for item in &mut meeting.agenda {
            item.documents = documents
                .query_map([item.id.to_string()], |row| {
                    Ok(Document {
                        id: parsed(row, 0)?,
                        title: row.get(1)?,
                        current: DocumentVersion {
                            number: row.get(2)?,
                            sha256: parsed_sha256(row, 3)?,
                            size_bytes: row.get(4)?,
                            page_count: row.get(5)?,
                            file_name: row.get(6)?,
                        },
                    })
                })?
                .collect::<rusqlite::Result<_>>()?;
        }
        Ok(meeting)
    }
}

pub(crate) fn write_committee(tx: &Transaction, committee: &Committee) -> Result<()> {
    Ok(quorum_sqlite::upsert_committee(tx, committee)?)
}

pub(crate) fn write_member(tx: &Transaction, member: &Member) -> Result<()> {
    Ok(quorum_sqlite::upsert_member(tx, member)?)
}

pub(crate) fn write_meeting(tx: &Transaction, meeting: &Meeting) -> Result<()> {
    let key = meeting.id.to_string();
    tx.execute(
        "INSERT INTO meetings (id, committee_id, title, starts_at, location, status, version)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (id) DO UPDATE SET committee_id = excluded.committee_id,
           title = excluded.title, starts_at = excluded.starts_at, location = excluded.location,
           status = excluded.status, version = excluded.version",
        params![
            key,
            meeting.committee_id.to_string(),
            meeting.title,
            meeting.starts_at,
            meeting.location,
            quorum_sqlite::serde_name(&meeting.status),
            meeting.version,
        ],
    )?;
    tx.execute("DELETE FROM meeting_invitees WHERE meeting_id = ?1", [&key])?;
    for member in &meeting.invitees {
        tx.execute(
            "INSERT INTO meeting_invitees (meeting_id, member_id) VALUES (?1, ?2)",
            params![key, member.to_string()],
        )?;
    }
    // Items and their documents are rewritten whole: the agenda is small and its order
    // is part of what was published.
    tx.execute("DELETE FROM agenda_items WHERE meeting_id = ?1", [&key])?;
    for (position, item) in meeting.agenda.iter().enumerate() {
        tx.execute(
            "INSERT INTO agenda_items (id, meeting_id, position, title, presenter, planned_minutes)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                item.id.to_string(),
                key,
                position,
                item.title,
                item.presenter,
                item.planned_minutes
            ],
        )?;
        for (position, document) in item.documents.iter().enumerate() {
            let version = &document.current;
            tx.execute(
                "INSERT INTO documents (id, agenda_item_id, position, title, current_version)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    document.id.to_string(),
                    item.id.to_string(),
                    position,
                    document.title,
                    version.number
                ],
            )?;
            tx.execute(
                "INSERT INTO document_versions (document_id, number, sha256, size_bytes, page_count, file_name)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (document_id, number) DO NOTHING",
                params![
                    document.id.to_string(),
                    version.number,
                    version.sha256.as_str(),
                    version.size_bytes,
                    version.page_count,
                    version.file_name,
                ],
            )?;
        }
    }
    Ok(())
}

pub(crate) use quorum_sqlite::member_from_row;

fn conversion_error(
    index: usize,
    error: impl std::error::Error + Send + Sync + 'static,
) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(index, Type::Text, Box::new(error))
}

/// The JSON record that `sql` selects by `key`, if there is one.
pub(crate) fn stored_json<T: DeserializeOwned>(
    conn: &rusqlite::Connection,
    sql: &str,
    key: impl ToString,
) -> Result<Option<T>> {
    let json: Option<String> = quorum_sqlite::optional_value(conn, sql, [key.to_string()])?;
    Ok(json.map(|json| serde_json::from_str(&json)).transpose()?)
}

pub(crate) fn parsed_enum<T: DeserializeOwned>(row: &Row, index: usize) -> rusqlite::Result<T> {
    quorum_sqlite::name_column(index, row.get(index)?)
}

pub(crate) fn parsed<T>(row: &Row, index: usize) -> rusqlite::Result<T>
where
    T: FromStr,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    quorum_sqlite::parse_column(index, row.get(index)?)
}

pub(crate) fn parsed_sha256(row: &Row, index: usize) -> rusqlite::Result<Sha256Hex> {
    let text: String = row.get(index)?;
    Sha256Hex::try_from(text).map_err(|e| conversion_error(index, e))
}
