//! The commands that mark up a document: geometry in PDF points, kept at once and
//! queued for the hub by the laptop.

use quorum_app_core::PageRef;
use quorum_core::{
    Annotation, AnnotationEdit, AnnotationId, Color, DocumentId, MarkupKind, PagePoint, PageRect,
    Sha256Hex, ShownAnnotation, Visibility,
};

laptop_commands! {
    /// The annotations on a document version: the member's, and those shared with them.
    fn annotations(sha256: Sha256Hex) -> Vec<ShownAnnotation>
        = |laptop| laptop.annotations(&sha256);

    /// Annotations that could not be placed on the document's newest version.
    fn unanchored_annotations(document_id: DocumentId) -> Vec<ShownAnnotation>
        = |laptop| laptop.unanchored_annotations(document_id);

    /// A private sticky note at a point of a page.
    fn add_note(at: PageRef, point: PagePoint, text: String) -> Annotation
        = |laptop| laptop.add_note(at, point, text, Visibility::Private);

    /// A highlight, underline or strike-out over the words under a dragged rectangle,
    /// snapped to whole words; nothing when the drag covered no text.
    fn add_markup(at: PageRef, selection: PageRect, kind: MarkupKind, color: Color)
        -> Option<Annotation> = |laptop| laptop.add_markup(at, selection, kind, color);

    /// A pen stroke through `points`, smoothed.
    fn add_ink(at: PageRef, points: Vec<PagePoint>, color: Color, width: f32) -> Annotation
        = |laptop| laptop.add_ink(at, &points, color, width);

    /// A rectangle drawn over part of a page.
    fn add_rectangle(at: PageRef, rect: PageRect, color: Color) -> Annotation
        = |laptop| laptop.add_rectangle(at, rect, color);

    /// Moves, recolours, re-widths, rewrites or (un)shares one of the member's annotations.
    fn edit_annotation(id: AnnotationId, edit: AnnotationEdit) -> Annotation
        = |laptop| laptop.edit_annotation(id, edit);

    /// Deletes one of the member's annotations.
    fn delete_annotation(id: AnnotationId) -> ()
        = |laptop| laptop.delete_annotation(id);
}
