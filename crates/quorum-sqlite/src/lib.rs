//! What the hub's database and each laptop's store share: how they are opened (WAL,
//! foreign keys, durability, migrations), how typed values are read from text columns,
//! the members and floor tables both keep, and the rule that their files are private to their owner.

mod check;
mod columns;
mod floor;
mod open;
pub mod private;

pub use check::{Untouched, check_before_writing};
pub use columns::{
    MEMBER_COLUMNS, json_column, member_from_row, name_column, parse_column, serde_name,
    upsert_committee, upsert_member,
};
pub use floor::{floor_queue, save_floor_queue};
pub use open::{Durability, open_migrated};

use rusqlite::types::FromSql;
use rusqlite::{Connection, OptionalExtension, Params};

/// The first column of the row `sql` selects, or `None` when it selects none.
pub fn optional_value<T: FromSql>(
    conn: &Connection,
    sql: &str,
    params: impl Params,
) -> rusqlite::Result<Option<T>> {
    conn.query_row(sql, params, |row| row.get(0)).optional()
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    /// A database in memory with the tables `schema` makes.
    pub(crate) fn in_memory(schema: &str) -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(schema).unwrap();
        conn
    }
}
