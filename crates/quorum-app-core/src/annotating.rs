//! Marking up a document: each use-case takes the geometry in PDF points, keeps the
//! annotation at once and queues it for the hub. And the member's exports of them: an
//! annotated copy, and the list of their notes.

use std::path::Path;

use quorum_core::{
    AgendaNotes, Annotation, AnnotationEdit, AnnotationId, AnnotationShape, Color, DocumentId,
    InkStroke, MarkupKind, MeetingId, PagePoint, PageRect, Sha256Hex, ShownAnnotation, Visibility,
    smooth_stroke, snap_to_words,
};
use quorum_pdf::ExportedAnnotation;
use quorum_store::StoreError;

use crate::exports::{ExportedFile, file_name, write_file};
use crate::{Laptop, Result};

/// Where a new annotation goes: a page (from 0) of a document version.
#[derive(Debug, Clone, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct PageRef {
    pub document_id: DocumentId,
    pub sha256: Sha256Hex,
    pub page: u32,
}

impl Laptop {
    /// Keeps a new annotation of the member's on `at`, queued for the hub.
    fn annotate(
        &self,
        at: PageRef,
        color: Color,
        shape: AnnotationShape,
        visibility: Visibility,
    ) -> Result<Annotation> {
        self.queue(|store, now| {
            let me = store.me()?.ok_or(StoreError::NotEnrolled)?;
            let annotation = Annotation {
                visibility,
                ..Annotation::private(at.document_id, at.sha256, at.page, me.id, color, shape, now)
            };
            store.save_annotation(&annotation, now)?;
            Ok(annotation)
        })
    }

    /// The hash of a document's newest version on this laptop.
    pub fn newest_version(&self, document_id: DocumentId) -> Result<Sha256Hex> {
        self.with_store(|store| store.current_sha256(document_id))
    }

    /// The annotations on a document version: the member's, and those shared with them.
    pub fn annotations(&self, sha256: &Sha256Hex) -> Result<Vec<ShownAnnotation>> {
        self.with_store(|store| store.annotations(sha256))
    }

    /// Annotations that could not be placed on the document's newest version.
    pub fn unanchored_annotations(&self, document_id: DocumentId) -> Result<Vec<ShownAnnotation>> {
        self.with_store(|store| store.unanchored_annotations(document_id))
    }

    /// A sticky note at a point of a page; shown to everyone in the meeting when
    /// `visibility` says so.
    pub fn add_note(
        &self,
        at: PageRef,
        point: PagePoint,
        text: String,
        visibility: Visibility,
    ) -> Result<Annotation> {
        let shape = AnnotationShape::Note { at: point, text };
        self.annotate(at, Color::Yellow, shape, visibility)
    }

    /// A highlight, underline or strike-out over the words under a dragged rectangle,
    /// snapped to whole words; nothing when the drag covered no text.
    pub fn add_markup(
        &self,
        at: PageRef,
        selection: PageRect,
        kind: MarkupKind,
        color: Color,
    ) -> Result<Option<Annotation>> {
        let chars = self.page_chars(&at.sha256, at.page)?;
        let Some((rects, text)) = snap_to_words(&chars, selection) else {
            return Ok(None);
        };
        let shape = AnnotationShape::markup(kind, rects, text);
        self.annotate(at, color, shape, Visibility::Private)
            .map(Some)
    }

    /// A pen stroke through `points`, smoothed.
    pub fn add_ink(
        &self,
        at: PageRef,
        points: &[PagePoint],
        color: Color,
        width: f32,
    ) -> Result<Annotation> {
        let stroke = InkStroke {
            points: smooth_stroke(points),
            width: width.clamp(quorum_core::MIN_PEN_WIDTH, quorum_core::MAX_PEN_WIDTH),
        };
        let shape = AnnotationShape::Ink {
            strokes: vec![stroke],
        };
        self.annotate(at, color, shape, Visibility::Private)
    }

    pub fn add_rectangle(&self, at: PageRef, rect: PageRect, color: Color) -> Result<Annotation> {
        let shape = AnnotationShape::Rectangle { rect };
        self.annotate(at, color, shape, Visibility::Private)
    }

    /// Moves, recolours, re-widths, rewrites or (un)shares one of the member's
    /// annotations.
    pub fn edit_annotation(&self, id: AnnotationId, edit: AnnotationEdit) -> Result<Annotation> {
        self.queue(|store, now| store.edit_annotation(id, edit, now))
    }

    pub fn delete_annotation(&self, id: AnnotationId) -> Result<()> {
        self.queue(|store, now| store.delete_annotation(id, now).map(|_| ()))
    }

    /// The member's annotations on a meeting's documents, per agenda item.
    pub fn my_notes(&self, meeting_id: MeetingId) -> Result<Vec<AgendaNotes>> {
        self.with_store(|store| store.my_notes(meeting_id))
    }

    /// "My annotated copy" in `dir`: the document's newest version with the member's
    /// annotations written in as PDF annotations other readers show.
    pub fn export_annotated_copy(
        &self,
        dir: &Path,
        document_id: DocumentId,
        title: &str,
    ) -> Result<ExportedFile> {
        let (sha256, mine) = self.with_store(|store| {
            let me = store.me()?.ok_or(StoreError::NotEnrolled)?;
            let sha256 = store.current_sha256(document_id)?;
            let mine: Vec<ExportedAnnotation> = store
                .annotations(&sha256)?
                .into_iter()
                .filter(|shown| shown.mine)
                .map(|shown| ExportedAnnotation {
                    annotation: shown.annotation,
                    author_name: me.full_name.clone(),
                })
                .collect();
            Ok((sha256, mine))
        })?;
        let source = self.verified_blob(&sha256)?;
        let output = dir.join(file_name(title, "ghi chú.pdf"));
        let annotations = self.pdf()?.export(&source, &output, &mine)?;
        Ok(ExportedFile::at(&output, annotations))
    }

    /// Saves the list of notes laid out in the member's language as a text file in `dir`.
    pub fn save_notes_list(&self, dir: &Path, title: &str, text: &str) -> Result<ExportedFile> {
        let output = dir.join(file_name(title, "ghi chú.txt"));
        write_file(&output, text.as_bytes())?;
        Ok(ExportedFile::at(&output, 0))
    }
}
