//! The commands that mark up a document: geometry in PDF points, kept at once and
//! queued for the hub by the laptop.

use quorum_app_core::PageRef;
use quorum_core::{
    Annotation, AnnotationEdit, AnnotationId, Color, DocumentId, MarkupKind, PagePoint, PageRect,
    Sha256Hex, ShownAnnotation, Visibility,
};
use tauri::State;
use tracing::instrument;

use crate::errors::IpcError;
use crate::profile::AppState;

/// The annotations on a document version: the member's, and those shared with them.
#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn annotations(
    state: State<'_, AppState>,
    sha256: Sha256Hex,
) -> Result<Vec<ShownAnnotation>, IpcError> {
    Ok(state.laptop()?.annotations(&sha256)?)
}

/// Annotations that could not be placed on the document's newest version.
#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn unanchored_annotations(
    state: State<'_, AppState>,
    document_id: DocumentId,
) -> Result<Vec<ShownAnnotation>, IpcError> {
    Ok(state.laptop()?.unanchored_annotations(document_id)?)
}

/// A private sticky note at a point of a page.
#[tauri::command(async)]
#[instrument(skip(state, text), err(Debug))]
pub fn add_note(
    state: State<'_, AppState>,
    at: PageRef,
    point: PagePoint,
    text: String,
) -> Result<Annotation, IpcError> {
    Ok(state
        .laptop()?
        .add_note(at, point, text, Visibility::Private)?)
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
    Ok(state.laptop()?.add_markup(at, selection, kind, color)?)
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
    Ok(state.laptop()?.add_ink(at, &points, color, width)?)
}

#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn add_rectangle(
    state: State<'_, AppState>,
    at: PageRef,
    rect: PageRect,
    color: Color,
) -> Result<Annotation, IpcError> {
    Ok(state.laptop()?.add_rectangle(at, rect, color)?)
}

/// Moves, recolours, re-widths, rewrites or (un)shares one of the member's annotations.
#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn edit_annotation(
    state: State<'_, AppState>,
    id: AnnotationId,
    edit: AnnotationEdit,
) -> Result<Annotation, IpcError> {
    Ok(state.laptop()?.edit_annotation(id, edit)?)
}

#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn delete_annotation(state: State<'_, AppState>, id: AnnotationId) -> Result<(), IpcError> {
    Ok(state.laptop()?.delete_annotation(id)?)
}
