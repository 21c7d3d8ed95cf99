//! The text of the documents on this laptop, and search over it.

use chrono::{DateTime, Utc};
use quorum_core::search::{Snippet, find_folded, searchable, searchable_query, snippet};
use quorum_core::{DocumentId, MeetingId, Sha256Hex};
use rusqlite::params;
use serde::Serialize;
use tracing::instrument;
use ts_rs::TS;

use crate::replica::{parsed, parsed_sha256};
use crate::{Result, Store};

/// Most hits one search returns.
pub const MAX_HITS: usize = 200;
/// Characters of context on each side of a match in a snippet.
pub const SNIPPET_CONTEXT: usize = 40;

/// One page of one document where the query occurs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SearchHit {
    pub meeting_id: MeetingId,
    pub document_id: DocumentId,
    pub document_title: String,
    pub sha256: Sha256Hex,
    /// Zero-based page index.
    pub page: u32,
    /// How often the query occurs on the page.
    pub matches: u32,
    /// The words around the first match on the page.
    pub snippet: Snippet,
}

impl Store {
    /// Verified documents whose text has not been extracted yet.
    pub fn blobs_without_text(&self) -> Result<Vec<Sha256Hex>> {
        let mut statement = self.conn.prepare(
            "SELECT sha256 FROM blobs WHERE sha256 NOT IN (SELECT sha256 FROM texts_extracted)
             ORDER BY size_bytes",
        )?;
        let rows = statement.query_map([], |row| parsed_sha256(row, 0))?;
        rows.map(|row| Ok(row?)).collect()
    }

    /// Keeps the text of every page of a document, in one transaction.
    #[instrument(skip(self, pages), fields(pages = pages.len()), err)]
    pub fn save_page_texts(
        &mut self,
        sha256: &Sha256Hex,
        pages: &[String],
        now: DateTime<Utc>,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "DELETE FROM page_search WHERE rowid IN (SELECT id FROM page_texts WHERE sha256 = ?1)",
            [sha256.as_str()],
        )?;
        tx.execute(
            "DELETE FROM page_texts WHERE sha256 = ?1",
            [sha256.as_str()],
        )?;
        {
            let mut text_of = tx.prepare(
                "INSERT INTO page_texts (sha256, page, text) VALUES (?1, ?2, ?3) RETURNING id",
            )?;
            let mut index =
                tx.prepare("INSERT INTO page_search (rowid, searchable) VALUES (?1, ?2)")?;
            for (page, text) in pages.iter().enumerate() {
                let id: i64 =
                    text_of.query_row(params![sha256.as_str(), page, text], |row| row.get(0))?;
                index.execute(params![id, searchable(text)])?;
            }
        }
        tx.execute(
            "INSERT INTO texts_extracted (sha256, pages, extracted_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (sha256) DO UPDATE SET pages = excluded.pages, extracted_at = excluded.extracted_at",
            params![sha256.as_str(), pages.len(), now],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Pages of the current document versions (of one meeting, or of all) where `query`
    /// occurs, ignoring case and Vietnamese diacritics; in agenda and page order.
    #[instrument(skip(self), err)]
    pub fn search(&self, query: &str, meeting: Option<MeetingId>) -> Result<Vec<SearchHit>> {
        // The index narrows the pages to those holding every three-character sequence
        // of the query in order; each is then searched as before, so the hits are the
        // same. A query of fewer than three characters has no sequence: every page.
        // The pages are put in order without their text, which is read only for the
        // pages searched before the hits run out.
        let query_form = searchable_query(query);
        let indexed = (query_form.chars().count() >= 3)
            .then(|| format!("\"{}\"", query_form.replace('"', "\"\"")));
        let mut statement = self.conn.prepare(
            "SELECT a.meeting_id, d.id, d.title, v.sha256, t.page, t.id
             FROM agenda_items a
             JOIN documents d ON d.agenda_item_id = a.id
             JOIN document_versions v ON v.document_id = d.id AND v.number = d.current_version
             JOIN page_texts t ON t.sha256 = v.sha256
             WHERE (?1 IS NULL OR a.meeting_id = ?1)
               AND (?2 IS NULL OR t.id IN
                    (SELECT rowid FROM page_search WHERE page_search MATCH ?2))
             ORDER BY a.meeting_id, a.position, d.position, t.page",
        )?;
        let rows =
            statement.query_map(params![meeting.map(|m| m.to_string()), indexed], |row| {
                Ok((
                    parsed(row, 0)?,
                    parsed(row, 1)?,
                    row.get::<_, String>(2)?,
                    parsed_sha256(row, 3)?,
                    row.get::<_, u32>(4)?,
                    row.get::<_, i64>(5)?,
                ))
            })?;
        let mut text_of = self
            .conn
            .prepare("SELECT text FROM page_texts WHERE id = ?1")?;
        let mut hits = Vec::new();
        for row in rows {
            let (meeting_id, document_id, document_title, sha256, page, id) = row?;
            let text: String = text_of.query_row([id], |row| row.get(0))?;
            let found = find_folded(&text, query);
            let Some(first) = found.first().cloned() else {
                continue;
            };
            hits.push(SearchHit {
                meeting_id,
                document_id,
                document_title,
                sha256,
                page,
                matches: u32::try_from(found.len()).unwrap_or(u32::MAX),
                snippet: snippet(&text, first, SNIPPET_CONTEXT),
            });
            if hits.len() == MAX_HITS {
                break;
            }
        }
        Ok(hits)
    }
}
