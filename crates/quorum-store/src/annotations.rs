//! The member's annotations on this laptop: written with their outbox operation in one
//! transaction, so what the member marked is never lost and always reaches the hub.

use chrono::{DateTime, Utc};
use quorum_core::{Annotation, AnnotationId, Operation, OperationPayload, Sha256Hex};
use rusqlite::{OptionalExtension, params};
use tracing::instrument;

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
                   json = excluded.json, deleted = excluded.deleted",
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

    /// Deletes an annotation: kept as a tombstone, queued for the hub.
    #[instrument(skip(self), err)]
    pub fn delete_annotation(&mut self, id: AnnotationId, now: DateTime<Utc>) -> Result<Operation> {
        let json: Option<String> = self
            .conn
            .query_row(
                "SELECT json FROM annotations WHERE id = ?1",
                [id.to_string()],
                |row| row.get(0),
            )
            .optional()?;
        let mut annotation: Annotation =
            serde_json::from_str(&json.ok_or(StoreError::AnnotationNotFound(id))?)?;
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

    /// The live annotations on a document version, page by page.
    pub fn annotations(&self, sha256: &Sha256Hex) -> Result<Vec<Annotation>> {
        let mut statement = self.conn.prepare(
            "SELECT json FROM annotations WHERE sha256 = ?1 AND deleted = 0 ORDER BY page, id",
        )?;
        let rows = statement.query_map([sha256.as_str()], |row| row.get::<_, String>(0))?;
        rows.map(|json| Ok(serde_json::from_str(&json?)?)).collect()
    }
}
