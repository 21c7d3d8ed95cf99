use std::sync::LazyLock;

use quorum_core::search::searchable;
use rusqlite::Transaction;
use rusqlite_migration::{HookResult, M, Migrations};

/// A migration's SQL, and the Rust step run after it in the same transaction.
type Migration = (&'static str, Option<fn(&Transaction) -> HookResult>);

static MIGRATION_STEPS: &[Migration] = &[
    (include_str!("migrations/0001_replica.sql"), None),
    (include_str!("migrations/0002_outbox.sql"), None),
    (include_str!("migrations/0003_sync.sql"), None),
    (include_str!("migrations/0004_text.sql"), None),
    (include_str!("migrations/0005_annotations.sql"), None),
    (include_str!("migrations/0006_shared_annotations.sql"), None),
    (include_str!("migrations/0007_polls.sql"), None),
    (include_str!("migrations/0008_readiness.sql"), None),
    (include_str!("migrations/0009_attendance.sql"), None),
    (include_str!("migrations/0010_seen.sql"), None),
    (include_str!("migrations/0011_floor.sql"), None),
    (include_str!("migrations/0012_drafts.sql"), None),
    (include_str!("migrations/0013_trust.sql"), None),
    (include_str!("migrations/0014_time_zone.sql"), None),
    (
        include_str!("migrations/0015_search_index.sql"),
        Some(index_extracted_pages),
    ),
    (include_str!("migrations/0016_signature_anchors.sql"), None),
    (include_str!("migrations/0017_revocation_lists.sql"), None),
    (include_str!("migrations/0018_answer_sheets.sql"), None),
];

/// Migration 0015's Rust step: the pages extracted before the index existed go in it.
fn index_extracted_pages(tx: &Transaction) -> HookResult {
    let mut pages = tx.prepare("SELECT id, text FROM page_texts")?;
    let mut index = tx.prepare("INSERT INTO page_search (rowid, searchable) VALUES (?1, ?2)")?;
    let mut rows = pages.query([])?;
    while let Some(row) = rows.next()? {
        let (id, text): (i64, String) = (row.get(0)?, row.get(1)?);
        index.execute(rusqlite::params![id, searchable(&text)])?;
    }
    Ok(())
}

/// The store version this build writes; kept in SQLite's `user_version`.
pub const SCHEMA_VERSION: usize = MIGRATION_STEPS.len();

pub(crate) static MIGRATIONS: LazyLock<Migrations<'static>> = LazyLock::new(|| {
    Migrations::new(
        MIGRATION_STEPS
            .iter()
            .map(|&(sql, step)| match step {
                Some(step) => M::up_with_hook(sql, step),
                None => M::up(sql),
            })
            .collect(),
    )
});

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
