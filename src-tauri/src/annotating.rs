//! The commands that mark up a document: each one takes the geometry in PDF points,
//! calls the store (which keeps it at once and queues it for the hub), maps the error.

use quorum_core::{
    Annotation, AnnotationEdit, AnnotationId, AnnotationShape, Clock, Color, DocumentId, InkStroke,
    MarkupKind, PagePoint, PageRect, Sha256Hex, ShownAnnotation, smooth_stroke, snap_to_words,
};
use quorum_store::StoreError;
use tauri::State;
use tracing::instrument;

use crate::commands::with_store;
use crate::ipc::IpcError;
use crate::profile::AppState;
use crate::reanchoring::page_chars;

/// Where a new annotation goes: a page of a document version.
#[derive(Debug, Clone, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct PageRef {
    pub document_id: DocumentId,
    pub sha256: Sha256Hex,
    pub page: u32,
}

/// Keeps a new private annotation of the member's on `at`, queued for the hub.
fn add(
    state: &AppState,
    at: PageRef,
    color: Color,
    shape: AnnotationShape,
) -> Result<Annotation, IpcError> {
    let now = state.clock.now();
    with_store(state, |store| {
        let me = store.me()?.ok_or(StoreError::NotEnrolled)?;
        let annotation =
            Annotation::private(at.document_id, at.sha256, at.page, me.id, color, shape, now);
        store.save_annotation(&annotation, now)?;
        Ok(annotation)
    })
}

/// The annotations on a document version: the member's, and those shared with them.
#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn annotations(
    state: State<'_, AppState>,
    sha256: Sha256Hex,
) -> Result<Vec<ShownAnnotation>, IpcError> {
    with_store(&state, |store| store.annotations(&sha256))
}

/// Annotations that could not be placed on the document's newest version.
#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn unanchored_annotations(
    state: State<'_, AppState>,
    document_id: DocumentId,
) -> Result<Vec<ShownAnnotation>, IpcError> {
    with_store(&state, |store| store.unanchored_annotations(document_id))
}

/// A sticky note at a point of a page.
#[tauri::command(async)]
#[instrument(skip(state, text), err(Debug))]
pub fn add_note(
    state: State<'_, AppState>,
    at: PageRef,
    point: PagePoint,
    text: String,
) -> Result<Annotation, IpcError> {
    let shape = AnnotationShape::Note { at: point, text };
    add(&state, at, Color::Yellow, shape)
}

/// A highlight, underline or strike-out over the words under a dragged rectangle,
/// snapped to whole words; nothing when the drag covered no text.
#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn add_markup(
    state: State<'_, AppState>,
    at: PageRef,
    selection: PageRect,
    kind: MarkupKind,
    color: Color,
) -> Result<Option<Annotation>, IpcError> {
    let chars = page_chars(&state, &at.sha256, at.page)?;
    let Some((rects, text)) = snap_to_words(&chars, selection) else {
        return Ok(None);
    };
    let shape = AnnotationShape::markup(kind, rects, text);
    add(&state, at, color, shape).map(Some)
}

/// A pen stroke through `points`, smoothed.
#[tauri::command(async)]
#[instrument(skip(state, points), err(Debug))]
pub fn add_ink(
    state: State<'_, AppState>,
    at: PageRef,
    points: Vec<PagePoint>,
    color: Color,
    width: f32,
) -> Result<Annotation, IpcError> {
    let stroke = InkStroke {
        points: smooth_stroke(&points),
        width: width.clamp(quorum_core::MIN_PEN_WIDTH, quorum_core::MAX_PEN_WIDTH),
    };
    let shape = AnnotationShape::Ink {
        strokes: vec![stroke],
    };
    add(&state, at, color, shape)
}

#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn add_rectangle(
    state: State<'_, AppState>,
    at: PageRef,
    rect: PageRect,
    color: Color,
) -> Result<Annotation, IpcError> {
    add(&state, at, color, AnnotationShape::Rectangle { rect })
}

/// Moves, recolours, re-widths, rewrites or (un)shares one of the member's annotations.
#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn edit_annotation(
    state: State<'_, AppState>,
    id: AnnotationId,
    edit: AnnotationEdit,
) -> Result<Annotation, IpcError> {
    let now = state.clock.now();
    with_store(&state, |store| store.edit_annotation(id, edit, now))
}

#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn delete_annotation(state: State<'_, AppState>, id: AnnotationId) -> Result<(), IpcError> {
    let now = state.clock.now();
    with_store(&state, |store| store.delete_annotation(id, now).map(|_| ()))
}
