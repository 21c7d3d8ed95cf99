//! Typed values in text columns: ids and numbers by `FromStr`, enums by their serde
//! name, structures as JSON; and the members table, kept alike by hub and laptop.

use std::str::FromStr;

use quorum_core::{Committee, Member};
use rusqlite::Connection;
use rusqlite::types::Type;
use serde::Serialize;
use serde::de::DeserializeOwned;

fn conversion_error(
    index: usize,
    error: impl std::error::Error + Send + Sync + 'static,
) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(index, Type::Text, Box::new(error))
}

/// The text a value serializes to as a JSON string, e.g. `Role::Chair` -> `chair`: how
/// enums are stored.
pub fn serde_name<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => name,
        other => format!("{other:?}"),
    }
}

/// Column `index`'s `text` parsed, e.g. an id.
pub fn parse_column<T: FromStr>(index: usize, text: String) -> rusqlite::Result<T>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    text.parse().map_err(|e| conversion_error(index, e))
}

/// Column `index`'s `text` read as JSON.
pub fn json_column<T: DeserializeOwned>(index: usize, text: &str) -> rusqlite::Result<T> {
    serde_json::from_str(text).map_err(|e| conversion_error(index, e))
}

/// A value stored as its serde name (see [`serde_name`]), e.g. a role or a timing.
pub fn name_column<T: DeserializeOwned>(index: usize, text: String) -> rusqlite::Result<T> {
    serde_json::from_value(serde_json::Value::String(text)).map_err(|e| conversion_error(index, e))
}

/// The columns [`member_from_row`] reads, in order.
pub const MEMBER_COLUMNS: &str = "id, committee_id, full_name, position, role";

/// A member from the columns [`MEMBER_COLUMNS`].
pub fn member_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Member> {
    Ok(Member {
        id: parse_column(0, row.get(0)?)?,
        committee_id: parse_column(1, row.get(1)?)?,
        full_name: row.get(2)?,
        position: row.get(3)?,
        role: name_column(4, row.get(4)?)?,
    })
}

/// Keeps `member` in the `members` table, replacing what was known of them.
pub fn upsert_member(conn: &Connection, member: &Member) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO members (id, committee_id, full_name, position, role)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (id) DO UPDATE SET committee_id = excluded.committee_id,
             full_name = excluded.full_name, position = excluded.position, role = excluded.role",
        rusqlite::params![
            member.id.to_string(),
            member.committee_id.to_string(),
            member.full_name,
            member.position,
            serde_name(&member.role),
        ],
    )?;
    Ok(())
}

/// Keeps `committee` in the `committees` table, replacing what was known of it.
pub fn upsert_committee(conn: &Connection, committee: &Committee) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO committees (id, name, time_zone) VALUES (?1, ?2, ?3)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, time_zone = excluded.time_zone",
        rusqlite::params![
            committee.id.to_string(),
            committee.name,
            committee.time_zone
        ],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::in_memory;
    use quorum_core::{CommitteeId, MemberId, Role};

    #[test]
    fn a_member_kept_is_read_back_the_same_and_a_second_keep_replaces_it() {
        let conn = in_memory(
            "CREATE TABLE members (id TEXT PRIMARY KEY, committee_id TEXT NOT NULL,
             full_name TEXT NOT NULL, position TEXT NOT NULL, role TEXT NOT NULL)",
        );
        let mut member = Member {
            id: MemberId::new_v7(),
            committee_id: CommitteeId::new_v7(),
            full_name: "Trần Thị Bích".into(),
            position: "Ủy viên".into(),
            role: Role::Member,
        };
        upsert_member(&conn, &member).unwrap();
        member.role = Role::Chair;
        upsert_member(&conn, &member).unwrap();
        let stored: Vec<Member> = conn
            .prepare(&format!("SELECT {MEMBER_COLUMNS} FROM members"))
            .unwrap()
            .query_map([], member_from_row)
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(stored, vec![member], "one row, the newest role");
        let role: String = conn
            .query_row("SELECT role FROM members", [], |row| row.get(0))
            .unwrap();
        assert_eq!(role, "chair", "stored by its serde name");
    }

    #[test]
    fn a_column_that_does_not_parse_is_an_error_naming_the_column() {
        let error = parse_column::<MemberId>(3, "not an id".into()).unwrap_err();
        assert!(
            matches!(
                error,
                rusqlite::Error::FromSqlConversionFailure(3, Type::Text, _)
            ),
            "{error}"
        );
        assert!(name_column::<Role>(4, "mayor".into()).is_err());
        assert!(json_column::<Member>(1, "{").is_err());
    }
}
