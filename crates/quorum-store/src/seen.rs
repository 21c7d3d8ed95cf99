//! What changed in a meeting since the member last looked at it.

use quorum_core::{
    DocumentId, MeetingChanges, MeetingId, Sha256Hex, changed_pages, meeting_changes,
};
use rusqlite::params;
use serde::Serialize;
use ts_rs::TS;

use crate::replica::stored_json;
use crate::{Result, Store};

/// A replaced document and the pages of its new version that are new or edited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ChangedPages {
    pub document_id: DocumentId,
    /// Zero-based; empty when the old version's text is not on this laptop.
    pub pages: Vec<u32>,
    /// False while the new version's text is not extracted yet: the pages are then
    /// not known, and the look is not recorded, so the next one tells them.
    pub known: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SinceLastLook {
    pub changes: MeetingChanges,
    pub changed_pages: Vec<ChangedPages>,
}

impl Store {
    /// What changed since the member last looked, then records this look: the marks
    /// show on this visit and are gone on the next. Nothing shows on the first look.
    /// A look is recorded only once the changed pages of every replaced document are
    /// known.
    pub fn look_at_meeting(&mut self, meeting_id: MeetingId) -> Result<SinceLastLook> {
        let now = self.meeting(meeting_id)?;
        let sql = "SELECT json FROM seen_meetings WHERE meeting_id = ?1";
        let seen: Option<quorum_core::Meeting> = stored_json(&self.conn, sql, meeting_id)?;
        let since = match seen {
            Some(seen) => {
                let changes = meeting_changes(&seen, &now);
                let old_sha = |id: DocumentId| {
                    seen.documents()
                        .find(|d| d.id == id)
                        .map(|d| d.current.sha256.clone())
                };
                let mut replaced = Vec::new();
                for document in now.documents() {
                    if !changes.replaced_documents.contains(&document.id) {
                        continue;
                    }
                    let Some(before) = old_sha(document.id) else {
                        continue;
                    };
                    let (old, new) = (
                        self.page_texts(&before)?,
                        self.page_texts(&document.current.sha256)?,
                    );
                    // Waiting is worth it only for the new version's text, which is on
                    // its way; an old version never downloaded here has none to compare.
                    let known = !new.is_empty();
                    replaced.push(ChangedPages {
                        document_id: document.id,
                        pages: if known && !old.is_empty() {
                            changed_pages(&old, &new)
                        } else {
                            Vec::new()
                        },
                        known,
                    });
                }
                SinceLastLook {
                    changes,
                    changed_pages: replaced,
                }
            }
            None => SinceLastLook::default(),
        };
        if since.changed_pages.iter().all(|c| c.known) {
            self.conn.execute(
                "INSERT INTO seen_meetings (meeting_id, json) VALUES (?1, ?2)
                 ON CONFLICT (meeting_id) DO UPDATE SET json = excluded.json",
                params![meeting_id.to_string(), serde_json::to_string(&now)?],
            )?;
        }
        Ok(since)
    }

    /// A document version's page texts, in page order; empty until extracted.
    fn page_texts(&self, sha256: &Sha256Hex) -> Result<Vec<String>> {
        let mut statement = self
            .conn
            .prepare("SELECT text FROM page_texts WHERE sha256 = ?1 ORDER BY page")?;
        let rows = statement.query_map([sha256.as_str()], |row| row.get::<_, String>(0))?;
        rows.map(|text| Ok(text?)).collect()
    }
}
