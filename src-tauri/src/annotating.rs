//! The commands that mark up a document: each one takes the geometry in PDF points,
//! calls the store (which keeps it at once and queues it for the hub), maps the error.
//! And the member's exports: an annotated copy, and the list of their notes.

use std::path::PathBuf;

use quorum_core::{
    AgendaNotes, Annotation, AnnotationEdit, AnnotationId, AnnotationShape, Clock, Color,
    DocumentId, InkStroke, MarkupKind, MeetingId, PagePoint, PageRect, Sha256Hex, ShownAnnotation,
    smooth_stroke, snap_to_words,
};
use quorum_pdf::ExportedAnnotation;
use quorum_store::StoreError;
use tauri::{AppHandle, Manager, State};
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

/// A file Quorum wrote for the member.
#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ExportedFile {
    pub path: String,
    /// Annotations written into it.
    pub annotations: u32,
}

/// Where exports go: the member's Documents folder, in "Quorum"; the profile folder on
/// a laptop without one.
pub(crate) fn export_dir(app: &AppHandle, state: &AppState) -> Result<PathBuf, IpcError> {
    let dir = match app.path().document_dir() {
        Ok(documents) if documents.is_dir() => documents.join("Quorum"),
        _ => state
            .profile
            .as_ref()
            .map_err(Clone::clone)?
            .dir()
            .join("exports"),
    };
    std::fs::create_dir_all(&dir).map_err(|error| IpcError::unreadable_profile(&dir, error))?;
    Ok(dir)
}

/// A file name from a document's title: what a file system refuses becomes a dash.
pub(crate) fn file_name(title: &str, suffix: &str) -> String {
    let safe: String = title
        .chars()
        .map(|c| {
            if c.is_control() || "/\\:*?\"<>|".contains(c) {
                '-'
            } else {
                c
            }
        })
        .collect();
    format!("{} - {suffix}", safe.trim())
}

/// "My annotated copy": the document's newest version with the member's annotations
/// written in as PDF annotations other readers show.
#[tauri::command(async)]
#[instrument(skip(app, state), err(Debug))]
pub fn export_annotated_copy(
    app: AppHandle,
    state: State<'_, AppState>,
    document_id: DocumentId,
    title: String,
) -> Result<ExportedFile, IpcError> {
    let (sha256, mine) = with_store(&state, |store| {
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
    let source = crate::pages::verified_blob(&state, &sha256)?;
    let output = export_dir(&app, &state)?.join(file_name(&title, "ghi chú.pdf"));
    let pdf = state.pdf.as_ref().map_err(Clone::clone)?;
    let annotations = pdf.export(&source, &output, &mine)?;
    Ok(ExportedFile {
        path: output.display().to_string(),
        annotations,
    })
}

/// The member's annotations on a meeting's documents, per agenda item.
#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn my_notes(
    state: State<'_, AppState>,
    meeting_id: MeetingId,
) -> Result<Vec<AgendaNotes>, IpcError> {
    with_store(&state, |store| store.my_notes(meeting_id))
}

/// Saves the list of notes the window laid out (in the member's language) as a text file.
#[tauri::command(async)]
#[instrument(skip(app, state, text), err(Debug))]
pub fn save_notes_list(
    app: AppHandle,
    state: State<'_, AppState>,
    title: String,
    text: String,
) -> Result<ExportedFile, IpcError> {
    let output = export_dir(&app, &state)?.join(file_name(&title, "ghi chú.txt"));
    std::fs::write(&output, text).map_err(|error| IpcError::unreadable_profile(&output, error))?;
    Ok(ExportedFile {
        path: output.display().to_string(),
        annotations: 0,
    })
}
