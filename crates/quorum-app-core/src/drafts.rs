//! The secretary's work: prepare a meeting on this laptop, attach documents, and queue
//! it for publication (the sync engine publishes it when the hub is reachable).

use std::path::Path;

use chrono::{DateTime, Utc};
use quorum_core::{AgendaItemId, DocumentId, Meeting, MeetingId};
use quorum_store::Draft;
use serde::Serialize;
use ts_rs::TS;

use crate::{AppError, Laptop, Result};

/// A file put on an agenda item, and what members will not be able to read in it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Attached {
    pub meeting: Meeting,
    pub warning: Option<AttachWarning>,
}

/// Told to the secretary at once, while the unit that sent the file can still be asked
/// for a better one.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum AttachWarning {
    /// Pages `pages` (from 1) of `total` cannot be shown; the others can.
    PagesNotShown {
        file: String,
        pages: Vec<u32>,
        total: u32,
    },
    /// The file needs a password: members are asked for it when they open it.
    Protected { file: String },
}

impl Laptop {
    pub fn drafts(&self) -> Result<Vec<Draft>> {
        self.with_store(|store| store.drafts())
    }

    pub fn new_draft(
        &self,
        title: &str,
        starts_at: DateTime<Utc>,
        location: &str,
    ) -> Result<Meeting> {
        self.with_store(|store| store.new_draft(title, starts_at, location))
    }

    /// Starts editing a published meeting, to publish it again.
    pub fn edit_meeting(&self, meeting_id: MeetingId) -> Result<Meeting> {
        self.with_store(|store| store.edit_meeting(meeting_id))
    }

    /// Saves the secretary's edit of a draft: title, time, place, invitees, items,
    /// documents removed.
    pub fn save_draft(
        &self,
        meeting: &Meeting,
        removed_documents: &[DocumentId],
    ) -> Result<Meeting> {
        self.with_store(|store| store.edit_draft(meeting, removed_documents))
    }

    pub fn add_item(
        &self,
        meeting_id: MeetingId,
        title: &str,
        presenter: &str,
        planned_minutes: u32,
    ) -> Result<Meeting> {
        self.with_store(|store| store.add_item(meeting_id, title, presenter, planned_minutes))
    }

    pub fn move_item(
        &self,
        meeting_id: MeetingId,
        item_id: AgendaItemId,
        to: usize,
    ) -> Result<Meeting> {
        self.with_store(|store| store.move_item(meeting_id, item_id, to))
    }

    /// Puts a PDF on an agenda item of a draft (see [`Laptop::import_pdf`]).
    pub fn attach_file(
        &self,
        meeting_id: MeetingId,
        item_id: AgendaItemId,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<Attached> {
        let (file, warning) = self.import_pdf(file_name, bytes)?;
        let now = self.now();
        let meeting =
            self.with_store(|store| store.attach_document(meeting_id, item_id, file, now))?;
        Ok(Attached { meeting, warning })
    }

    /// Puts the PDF at `path` on this laptop on an agenda item.
    pub fn attach_path(
        &self,
        meeting_id: MeetingId,
        item_id: AgendaItemId,
        path: &Path,
    ) -> Result<Attached> {
        let bytes = std::fs::read(path).map_err(AppError::reading(path))?;
        let file_name = path
            .file_name()
            .map(|name| name.to_string_lossy().to_string())
            .unwrap_or_default();
        self.attach_file(meeting_id, item_id, &file_name, &bytes)
    }

    /// Drops a draft; the published meeting stays as it is.
    pub fn discard_draft(&self, meeting_id: MeetingId) -> Result<()> {
        self.with_store(|store| store.discard_draft(meeting_id))
    }

    /// Queues the draft for publication; it goes out with the next sync.
    pub fn publish(&self, meeting_id: MeetingId) -> Result<()> {
        self.queue(|store, _| store.queue_publication(meeting_id))
    }
}
