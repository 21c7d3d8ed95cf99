//! The member's annotations on this laptop: written with their outbox operation in one
//! transaction, so what the member marked is never lost and always reaches the hub.

use chrono::{DateTime, Utc};
use quorum_core::{
    AgendaNotes, Annotation, AnnotationEdit, AnnotationId, DocumentId, MeetingId, NoteEntry,
    Operation, OperationPayload, Sha256Hex, ShownAnnotation,
};
use rusqlite::{OptionalExtension, Transaction, params};
use tracing::instrument;

use crate::replica::{parsed, parsed_sha256, stored_json};
use crate::{Result, Store, StoreError};

impl Store {
    /// Stores a new or edited annotation and queues it for the hub.
    #[instrument(skip(self, annotation), fields(annotation = %annotation.id), err)]
    pub fn save_annotation(
        &mut self,
        annotation: &Annotation,
        now: DateTime<Utc>,
    ) -> Result<Operation> {
        let json = serde_json::to_string(annotation)?;
        let payload = OperationPayload::SaveAnnotation {
            annotation: annotation.clone(),
        };
        self.record(now, payload, |tx| {
            tx.execute(
                "INSERT INTO annotations (id, sha256, page, json, deleted) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (id) DO UPDATE SET sha256 = excluded.sha256, page = excluded.page,
                   json = excluded.json, deleted = excluded.deleted, unanchored_in = NULL",
                params![
                    annotation.id.to_string(),
                    annotation.document_sha256.as_str(),
                    annotation.page,
                    json,
                    annotation.deleted,
                ],
            )?;
            Ok(())
        })
    }

    /// The hash of the newest version of a document.
    pub fn current_sha256(&self, document_id: DocumentId) -> Result<Sha256Hex> {
        self.conn
            .query_row(
                "SELECT v.sha256 FROM documents d JOIN document_versions v
                   ON v.document_id = d.id AND v.number = d.current_version
                 WHERE d.id = ?1",
                [document_id.to_string()],
                |row| parsed_sha256(row, 0),
            )
            .optional()?
            .ok_or(StoreError::DocumentNotFound(document_id))
    }

    /// Documents replaced by a newer version while the member had annotations on an
    /// older one not yet tried on the newest: (document, newest version).
    pub fn documents_to_reanchor(&self) -> Result<Vec<(DocumentId, Sha256Hex)>> {
        let Some(me) = self.me()? else {
            return Ok(Vec::new());
        };
        let mut statement = self.conn.prepare(
            "SELECT DISTINCT d.id, v.sha256 FROM annotations a
             JOIN documents d ON d.id = json_extract(a.json, '$.documentId')
             JOIN document_versions v ON v.document_id = d.id AND v.number = d.current_version
             WHERE json_extract(a.json, '$.author') = ?1 AND a.deleted = 0
               AND a.sha256 <> v.sha256 AND a.unanchored_in IS NOT v.sha256",
        )?;
        let rows = statement.query_map([me.id.to_string()], |row| {
            Ok((parsed(row, 0)?, parsed_sha256(row, 1)?))
        })?;
        rows.map(|row| Ok(row?)).collect()
    }

    /// The annotation with this id, if this laptop has it.
    pub fn annotation(&self, id: AnnotationId) -> Result<Annotation> {
        stored_json(&self.conn, "SELECT json FROM annotations WHERE id = ?1", id)?
            .ok_or(StoreError::AnnotationNotFound(id))
    }

    /// The member's own annotation, ready to be changed.
    fn my_annotation(&self, id: AnnotationId) -> Result<Annotation> {
        let me = self.me()?.ok_or(StoreError::NotEnrolled)?;
        let annotation = self.annotation(id)?;
        if annotation.author != me.id {
            return Err(StoreError::NotYourAnnotation);
        }
        Ok(annotation)
    }

    /// Applies the author's edit and queues the new version for the hub.
    #[instrument(skip(self), err)]
    pub fn edit_annotation(
        &mut self,
        id: AnnotationId,
        edit: AnnotationEdit,
        now: DateTime<Utc>,
    ) -> Result<Annotation> {
        let mut annotation = self.my_annotation(id)?;
        annotation.edit(edit, now)?;
        self.save_annotation(&annotation, now)?;
        Ok(annotation)
    }

    /// Deletes the member's annotation: kept as a tombstone, queued for the hub.
    #[instrument(skip(self), err)]
    pub fn delete_annotation(&mut self, id: AnnotationId, now: DateTime<Utc>) -> Result<Operation> {
        let mut annotation = self.my_annotation(id)?;
        annotation.deleted = true;
        annotation.updated_at = now;
        let json = serde_json::to_string(&annotation)?;
        self.record(
            now,
            OperationPayload::DeleteAnnotation { annotation_id: id },
            |tx| {
                tx.execute(
                    "UPDATE annotations SET deleted = 1, json = ?2 WHERE id = ?1",
                    params![id.to_string(), json],
                )?;
                Ok(())
            },
        )
    }

    /// The live annotations on a document version, the member's and those shared with
    /// them, page by page, with their authors' names.
    pub fn annotations(&self, sha256: &Sha256Hex) -> Result<Vec<ShownAnnotation>> {
        self.shown_annotations("a.sha256 = ?1", sha256.as_str())
    }

    /// Annotations of a document that could not be placed on its newest version.
    pub fn unanchored_annotations(&self, document_id: DocumentId) -> Result<Vec<ShownAnnotation>> {
        self.shown_annotations(
            "json_extract(a.json, '$.documentId') = ?1 AND a.unanchored_in IS NOT NULL",
            &document_id.to_string(),
        )
    }

    fn shown_annotations(&self, filter: &str, key: &str) -> Result<Vec<ShownAnnotation>> {
        let me = self.me()?.map(|member| member.id.to_string());
        let mut statement = self.conn.prepare(&format!(
            "SELECT a.json, m.full_name, a.unanchored_in IS NOT NULL FROM annotations a
             LEFT JOIN members m ON m.id = json_extract(a.json, '$.author')
             WHERE {filter} AND a.deleted = 0 ORDER BY a.page, a.id"
        ))?;
        let rows = statement.query_map([key], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, Option<String>>(1)?,
                row.get::<_, bool>(2)?,
            ))
        })?;
        rows.map(|row| {
            let (json, author_name, unanchored) = row?;
            let annotation: Annotation = serde_json::from_str(&json)?;
            Ok(ShownAnnotation {
                mine: me.as_deref() == Some(annotation.author.to_string().as_str()),
                author_name: author_name.unwrap_or_default(),
                unanchored,
                annotation,
            })
        })
        .collect()
    }

    /// The member's live annotations on versions of `document_id` other than `current`
    /// that have not yet been tried on it: to be moved to the new version.
    pub fn annotations_to_reanchor(
        &self,
        document_id: DocumentId,
        current: &Sha256Hex,
    ) -> Result<Vec<Annotation>> {
        let Some(me) = self.me()? else {
            return Ok(Vec::new());
        };
        let mut statement = self.conn.prepare(
            "SELECT json FROM annotations
             WHERE json_extract(json, '$.documentId') = ?1 AND json_extract(json, '$.author') = ?2
               AND sha256 <> ?3 AND deleted = 0 AND unanchored_in IS NOT ?3
             ORDER BY id",
        )?;
        let rows = statement.query_map(
            params![document_id.to_string(), me.id.to_string(), current.as_str()],
            |row| row.get::<_, String>(0),
        )?;
        rows.map(|json| Ok(serde_json::from_str(&json?)?)).collect()
    }

    /// The member's live annotations on a meeting's documents (every version), item by
    /// item in agenda order, page by page within each document.
    pub fn my_notes(&self, meeting_id: MeetingId) -> Result<Vec<AgendaNotes>> {
        let meeting = self.meeting(meeting_id)?;
        let me = self.me()?.ok_or(StoreError::NotEnrolled)?;
        let mut statement = self.conn.prepare(
            "SELECT json FROM annotations
             WHERE json_extract(json, '$.documentId') = ?1 AND json_extract(json, '$.author') = ?2
               AND deleted = 0
             ORDER BY page, id",
        )?;
        let mut notes = Vec::new();
        for (number, item) in (1..).zip(&meeting.agenda) {
            let mut entries = Vec::new();
            for document in &item.documents {
                let rows = statement
                    .query_map(params![document.id.to_string(), me.id.to_string()], |row| {
                        row.get::<_, String>(0)
                    })?;
                for json in rows {
                    entries.push(NoteEntry {
                        document_id: document.id,
                        document_title: document.title.clone(),
                        annotation: serde_json::from_str(&json?)?,
                    });
                }
            }
            notes.push(AgendaNotes {
                agenda_item_id: item.id,
                number,
                title: item.title.clone(),
                entries,
            });
        }
        Ok(notes)
    }

    /// Notes that `id` has no place on version `sha256`: it stays where it was, listed.
    pub fn mark_unanchored(&self, id: AnnotationId, sha256: &Sha256Hex) -> Result<()> {
        self.conn.execute(
            "UPDATE annotations SET unanchored_in = ?2 WHERE id = ?1",
            params![id.to_string(), sha256.as_str()],
        )?;
        Ok(())
    }
}

/// Takes in an annotation from the hub, unless this laptop has an edit of it still
/// waiting to be sent: the member's newer version wins, and reaches the hub next.
pub(crate) fn receive_annotation(tx: &Transaction, annotation: &Annotation) -> Result<()> {
    let id = annotation.id.to_string();
    let edited_here: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM outbox WHERE rejected_reason IS NULL
             AND ?1 IN (json_extract(payload, '$.annotation.id'),
                        json_extract(payload, '$.annotationId')))",
        [&id],
        |row| row.get(0),
    )?;
    if edited_here {
        return Ok(());
    }
    tx.execute(
        "INSERT INTO annotations (id, sha256, page, json, deleted) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (id) DO UPDATE SET sha256 = excluded.sha256, page = excluded.page,
           json = excluded.json, deleted = excluded.deleted, unanchored_in = NULL",
        params![
            id,
            annotation.document_sha256.as_str(),
            annotation.page,
            serde_json::to_string(annotation)?,
            annotation.deleted,
        ],
    )?;
    Ok(())
}
