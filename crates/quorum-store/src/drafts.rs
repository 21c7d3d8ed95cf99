//! The secretary's workspace on this laptop: meetings prepared or edited offline, and
//! published through the hub when it is reachable.

use chrono::{DateTime, Utc};
use quorum_core::{
    AgendaItem, AgendaItemId, Denied, Document, DocumentId, DocumentVersion, Meeting, MeetingId,
    MeetingStatus, Role,
};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use ts_rs::TS;

use crate::{Result, Store, StoreError};

/// A meeting being prepared, with where its publication stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Draft {
    pub meeting: Meeting,
    /// Waiting for the next sync to be published.
    pub queued: bool,
    /// Why the hub refused the last publication (e.g. edited meanwhile by another
    /// secretary); the draft is kept.
    pub problem: Option<String>,
}

/// A document file put into a draft: where it is, verified, on this laptop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachedFile {
    pub title: String,
    pub file_name: String,
    pub sha256: quorum_core::Sha256Hex,
    pub size_bytes: u64,
    pub page_count: u32,
}

impl Store {
    fn secretary(&self) -> Result<quorum_core::Member> {
        let me = self.me()?.ok_or(StoreError::NotEnrolled)?;
        if me.role != Role::Secretary {
            return Err(Denied::SecretaryOnly.into());
        }
        Ok(me)
    }

    /// A new meeting for the secretary's committee, every member invited.
    pub fn new_draft(
        &mut self,
        title: &str,
        starts_at: DateTime<Utc>,
        location: &str,
    ) -> Result<Meeting> {
        let me = self.secretary()?;
        let meeting = Meeting {
            id: MeetingId::new_v7(),
            committee_id: me.committee_id,
            title: title.trim().to_string(),
            starts_at,
            location: location.trim().to_string(),
            status: MeetingStatus::Published,
            version: 0,
            invitees: self
                .members()?
                .into_iter()
                .filter(|m| m.committee_id == me.committee_id)
                .map(|m| m.id)
                .collect(),
            agenda: Vec::new(),
        };
        self.save_draft(&meeting)?;
        Ok(meeting)
    }

    /// Starts editing a published meeting: a draft based on its current version.
    pub fn edit_meeting(&mut self, meeting_id: MeetingId) -> Result<Meeting> {
        self.secretary()?;
        if let Some(draft) = self.draft(meeting_id)? {
            return Ok(draft.meeting);
        }
        let meeting = self.meeting(meeting_id)?;
        self.save_draft(&meeting)?;
        Ok(meeting)
    }

    pub fn draft(&self, meeting_id: MeetingId) -> Result<Option<Draft>> {
        let row: Option<(String, bool, Option<String>)> = self
            .conn
            .query_row(
                "SELECT json, queued, problem FROM drafts WHERE meeting_id = ?1",
                [meeting_id.to_string()],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .optional()?;
        row.map(|(json, queued, problem)| {
            Ok(Draft {
                meeting: serde_json::from_str(&json)?,
                queued,
                problem,
            })
        })
        .transpose()
    }

    pub fn drafts(&self) -> Result<Vec<Draft>> {
        let mut statement = self
            .conn
            .prepare("SELECT meeting_id FROM drafts ORDER BY meeting_id")?;
        let ids: Vec<String> = statement
            .query_map([], |row| row.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        ids.iter()
            .filter_map(|id| id.parse().ok())
            .filter_map(|id| self.draft(id).transpose())
            .collect()
    }

    /// The secretary's edit of a draft: title, time, place, invitees, the items kept
    /// (in their order, with their fields) and the documents removed. Documents come
    /// from the draft as it is now, so one attached or imported while the editor was
    /// open is kept.
    pub fn edit_draft(&mut self, edited: &Meeting, removed: &[DocumentId]) -> Result<Meeting> {
        self.change_draft(edited.id, |meeting| {
            let agenda = edited
                .agenda
                .iter()
                .filter_map(|item| {
                    let now = meeting.agenda.iter().find(|i| i.id == item.id)?;
                    Some(AgendaItem {
                        documents: now
                            .documents
                            .iter()
                            .filter(|d| !removed.contains(&d.id))
                            .cloned()
                            .collect(),
                        ..item.clone()
                    })
                })
                .collect();
            *meeting = Meeting {
                id: meeting.id,
                committee_id: meeting.committee_id,
                version: meeting.version,
                agenda,
                ..edited.clone()
            };
        })
    }

    /// Keeps the secretary's edit; a queued publication waits for the edit to be
    /// queued again.
    pub fn save_draft(&mut self, meeting: &Meeting) -> Result<()> {
        self.conn.execute(
            "INSERT INTO drafts (meeting_id, json, queued) VALUES (?1, ?2, 0)
             ON CONFLICT (meeting_id) DO UPDATE SET json = excluded.json, queued = 0",
            params![meeting.id.to_string(), serde_json::to_string(meeting)?],
        )?;
        Ok(())
    }

    /// Adds an agenda item at the end of a draft.
    pub fn add_item(
        &mut self,
        meeting_id: MeetingId,
        title: &str,
        presenter: &str,
        planned_minutes: u32,
    ) -> Result<Meeting> {
        self.change_draft(meeting_id, |meeting| {
            meeting.agenda.push(AgendaItem {
                id: AgendaItemId::new_v7(),
                title: title.trim().to_string(),
                presenter: presenter.trim().to_string(),
                planned_minutes,
                documents: Vec::new(),
            });
        })
    }

    /// Moves an agenda item to position `to` (zero-based).
    pub fn move_item(
        &mut self,
        meeting_id: MeetingId,
        item_id: AgendaItemId,
        to: usize,
    ) -> Result<Meeting> {
        self.change_draft(meeting_id, |meeting| {
            if let Some(from) = meeting.agenda.iter().position(|i| i.id == item_id) {
                let item = meeting.agenda.remove(from);
                let to = to.min(meeting.agenda.len());
                meeting.agenda.insert(to, item);
            }
        })
    }

    /// Puts a document file on an item: a new document, or a new version of the
    /// item's document with the same title.
    pub fn attach_document(
        &mut self,
        meeting_id: MeetingId,
        item_id: AgendaItemId,
        file: AttachedFile,
        now: DateTime<Utc>,
    ) -> Result<Meeting> {
        self.mark_blob_verified(&file.sha256, file.size_bytes, now)?;
        self.change_draft(meeting_id, |meeting| {
            let Some(item) = meeting.agenda.iter_mut().find(|i| i.id == item_id) else {
                return;
            };
            let version = |number| DocumentVersion {
                number,
                sha256: file.sha256.clone(),
                size_bytes: file.size_bytes,
                page_count: file.page_count,
                file_name: file.file_name.clone(),
            };
            match item.documents.iter_mut().find(|d| d.title == file.title) {
                Some(document) if document.current.sha256 != file.sha256 => {
                    document.current = version(document.current.number + 1);
                }
                Some(_) => {}
                None => item.documents.push(Document {
                    id: DocumentId::new_v7(),
                    title: file.title.clone(),
                    current: version(1),
                }),
            }
        })
    }

    fn change_draft(
        &mut self,
        meeting_id: MeetingId,
        change: impl FnOnce(&mut Meeting),
    ) -> Result<Meeting> {
        self.secretary()?;
        let mut meeting = self
            .draft(meeting_id)?
            .ok_or(StoreError::MeetingNotFound(meeting_id))?
            .meeting;
        change(&mut meeting);
        self.save_draft(&meeting)?;
        Ok(meeting)
    }

    /// Queues a draft for publication at the next sync, once it is a valid meeting.
    pub fn queue_publication(&mut self, meeting_id: MeetingId) -> Result<()> {
        self.secretary()?;
        let draft = self
            .draft(meeting_id)?
            .ok_or(StoreError::MeetingNotFound(meeting_id))?;
        draft.meeting.validate()?;
        self.conn.execute(
            "UPDATE drafts SET queued = 1, problem = NULL WHERE meeting_id = ?1",
            [meeting_id.to_string()],
        )?;
        Ok(())
    }

    /// Drafts waiting to be published.
    pub fn queued_publications(&self) -> Result<Vec<Meeting>> {
        Ok(self
            .drafts()?
            .into_iter()
            .filter(|d| d.queued)
            .map(|d| d.meeting)
            .collect())
    }

    /// The hub published `sent` as `stored`: the stored meeting is kept, and the draft
    /// goes, unless the secretary changed it while it was on its way; then it stays,
    /// based on the version just published.
    pub fn published(&mut self, stored: &Meeting, sent: &str) -> Result<()> {
        self.save_meeting(stored)?;
        let removed = self.conn.execute(
            "DELETE FROM drafts WHERE meeting_id = ?1 AND json = ?2",
            params![stored.id.to_string(), sent],
        )?;
        if removed == 0
            && let Some(draft) = self.draft(stored.id)?
        {
            let rebased = Meeting {
                version: stored.version,
                ..draft.meeting
            };
            self.conn.execute(
                "UPDATE drafts SET json = ?2 WHERE meeting_id = ?1",
                params![stored.id.to_string(), serde_json::to_string(&rebased)?],
            )?;
        }
        Ok(())
    }

    /// Drops a draft (e.g. one refused because another secretary published first); the
    /// secretary can start again from the latest version.
    pub fn discard_draft(&mut self, meeting_id: MeetingId) -> Result<()> {
        self.secretary()?;
        self.conn.execute(
            "DELETE FROM drafts WHERE meeting_id = ?1",
            [meeting_id.to_string()],
        )?;
        Ok(())
    }

    /// The hub refused it: the draft stays, with the reason, for the secretary.
    pub fn publication_refused(&mut self, meeting_id: MeetingId, problem: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE drafts SET queued = 0, problem = ?2 WHERE meeting_id = ?1",
            params![meeting_id.to_string(), problem],
        )?;
        Ok(())
    }
}
