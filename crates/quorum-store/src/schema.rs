use std::sync::LazyLock;

use rusqlite_migration::{M, Migrations};

static MIGRATIONS_SQL: &[&str] = &[
    include_str!("migrations/0001_replica.sql"),
    include_str!("migrations/0002_outbox.sql"),
    include_str!("migrations/0003_sync.sql"),
    include_str!("migrations/0004_text.sql"),
    include_str!("migrations/0005_annotations.sql"),
    include_str!("migrations/0006_shared_annotations.sql"),
    include_str!("migrations/0007_polls.sql"),
    include_str!("migrations/0008_readiness.sql"),
    include_str!("migrations/0009_attendance.sql"),
    include_str!("migrations/0010_seen.sql"),
    include_str!("migrations/0011_floor.sql"),
    include_str!("migrations/0012_drafts.sql"),
    include_str!("migrations/0013_trust.sql"),
    include_str!("migrations/0014_time_zone.sql"),
];

/// The store version this build writes; kept in SQLite's `user_version`.
pub const SCHEMA_VERSION: usize = MIGRATIONS_SQL.len();

pub(crate) static MIGRATIONS: LazyLock<Migrations<'static>> =
    LazyLock::new(|| Migrations::new(MIGRATIONS_SQL.iter().map(|sql| M::up(sql)).collect()));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        MIGRATIONS
            .validate()
            .expect("every migration applies on an empty database");
    }
}
