use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{AnnotationId, DocumentId, MemberId, Sha256Hex};

/// A point in PDF page coordinates (points, origin bottom-left), so zoom and screen
/// size never move an annotation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
pub struct PagePoint {
    pub x: f32,
    pub y: f32,
}

/// A rectangle in PDF page coordinates.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PageRect {
    pub left: f32,
    pub bottom: f32,
    pub right: f32,
    pub top: f32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct InkStroke {
    pub points: Vec<PagePoint>,
    /// Pen width in points.
    pub width: f32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Color {
    Yellow,
    Green,
    Blue,
    Red,
    Black,
}

/// What an annotation looks like on the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum AnnotationShape {
    /// Text markup keeps the marked text, so it can be found again in a new version.
    Highlight {
        rects: Vec<PageRect>,
        text: String,
    },
    Underline {
        rects: Vec<PageRect>,
        text: String,
    },
    StrikeOut {
        rects: Vec<PageRect>,
        text: String,
    },
    Ink {
        strokes: Vec<InkStroke>,
    },
    Note {
        at: PagePoint,
        text: String,
    },
    Rectangle {
        rect: PageRect,
    },
}

/// Who sees an annotation: only its author's devices, or everyone in the meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Visibility {
    #[default]
    Private,
    Shared,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Annotation {
    pub id: AnnotationId,
    pub document_id: DocumentId,
    /// The document version the geometry refers to.
    pub document_sha256: Sha256Hex,
    /// Zero-based page index.
    pub page: u32,
    pub author: MemberId,
    pub visibility: Visibility,
    pub color: Color,
    pub shape: AnnotationShape,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Deletion is a tombstone, so it reaches the author's other devices.
    pub deleted: bool,
}

impl Annotation {
    /// A new private sticky note with `text` at point `at` of a page.
    pub fn note(
        document_id: DocumentId,
        document_sha256: Sha256Hex,
        page: u32,
        author: MemberId,
        at: PagePoint,
        text: String,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id: AnnotationId::new_v7(),
            document_id,
            document_sha256,
            page,
            author,
            visibility: Visibility::Private,
            color: Color::Yellow,
            shape: AnnotationShape::Note { at, text },
            created_at: now,
            updated_at: now,
            deleted: false,
        }
    }
}
