//! Between the app and the worker: one JSON line per request; one JSON line per
//! answer, followed by `bytes` raw bytes when the answer carries pixels.

use std::fmt;
use std::path::PathBuf;

use quorum_core::{Annotation, PageRect};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::PdfError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub(crate) enum Request {
    Info {
        path: PathBuf,
    },
    /// Renders page `page` (zero-based) `width` pixels wide, as BGRA: all of it, or
    /// only the rows `strip` of it.
    Render {
        path: PathBuf,
        page: u32,
        width: u32,
        strip: Option<Strip>,
    },
    Text {
        path: PathBuf,
        page: u32,
    },
    /// Writes a copy of `source` to `output` with `annotations` added as PDF annotations.
    Export {
        source: PathBuf,
        output: PathBuf,
        annotations: Vec<ExportedAnnotation>,
    },
    Annotations {
        path: PathBuf,
    },
    /// Writes `report` as a new A4 PDF at `output`.
    WriteReport {
        output: PathBuf,
        report: Report,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub(crate) enum Answer {
    Info {
        info: DocumentInfo,
    },
    /// `bytes` RGBA bytes follow the line.
    Rendered {
        width: u32,
        height: u32,
        bytes: usize,
    },
    Text {
        chars: Vec<TextChar>,
    },
    Exported {
        annotations: u32,
    },
    Annotations {
        annotations: Vec<FoundAnnotation>,
    },
    Written {
        pages: u32,
    },
    Failed {
        error: PdfError,
    },
}

/// Rows `top..top + height` of a page rendered at some width: a tile of a page too
/// large for one bitmap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Strip {
    pub top: u32,
    pub height: u32,
}

/// A page's size in PDF points.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
pub struct PageSize {
    pub width: f32,
    pub height: f32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentInfo {
    pub pages: Vec<PageSize>,
}

/// One character of a page's text with its box in PDF points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextChar {
    pub ch: char,
    pub left: f32,
    pub bottom: f32,
    pub right: f32,
    pub top: f32,
}

/// A Quorum annotation to write into an exported copy, with the name shown as its author.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportedAnnotation {
    pub annotation: Annotation,
    pub author_name: String,
}

// A failed request is logged with its fields; a private note's text must not reach the log.
impl fmt::Debug for ExportedAnnotation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExportedAnnotation")
            .field("id", &self.annotation.id)
            .field("page", &self.annotation.page)
            .finish_non_exhaustive()
    }
}

/// An annotation in a PDF file, as pdfium reads it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FoundAnnotation {
    /// Zero-based page index.
    pub page: u32,
    /// The PDF subtype: "Highlight", "Underline", "StrikeOut", "Ink", "Text", "Square", …
    pub subtype: String,
    /// `/Contents`, empty when there is none.
    pub contents: String,
    /// `/T`, the author, empty when there is none.
    pub author: String,
    /// `/Rect` in PDF points.
    pub rect: PageRect,
    /// Quadrilaterals of a text markup: one per marked line.
    pub quads: u32,
    /// Points in each stroke of an ink annotation's `/InkList`.
    pub ink_strokes: Vec<u32>,
    /// Whether it has a normal appearance stream: what other readers draw.
    pub has_appearance: bool,
}

/// A plain text document to print: a title, then lines top to bottom, wrapped at the
/// right margin and continued on new pages (poll results, minutes).
#[derive(Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub title: String,
    pub lines: Vec<ReportLine>,
}

// A failed request is logged with its fields; minutes and votes stay out of the log.
impl fmt::Debug for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Report")
            .field("lines", &self.lines.len())
            .finish_non_exhaustive()
    }
}

/// One paragraph of a [`Report`]. Runs of whitespace print as one space and a line
/// break starts a new line; an empty text leaves a blank line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReportLine {
    pub text: String,
    pub style: LineStyle,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum LineStyle {
    /// Bold and larger, with space above: starts a section.
    Heading,
    Bold,
    Normal,
    /// Smaller: notes and footnotes.
    Small,
}
