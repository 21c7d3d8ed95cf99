//! Between the app and the worker: one JSON line per request; one JSON line per
//! answer. A rendered page's pixels are not in the line: the worker leaves them in
//! memory it shares with the app (see `service::page_memory`).

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
        password: Option<Password>,
    },
    /// As `Info`, but every page is also loaded and drawn small: what a secretary's
    /// attach is told about a file before members receive it.
    Check {
        path: PathBuf,
        password: Option<Password>,
    },
    /// Renders page `page` (zero-based) `width` pixels wide, as BGRA: all of it, or
    /// only the rows `strip` of it.
    Render {
        path: PathBuf,
        password: Option<Password>,
        page: u32,
        width: u32,
        strip: Option<Strip>,
    },
    Text {
        path: PathBuf,
        password: Option<Password>,
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

impl Request {
    /// The document, and the page when one is named, that the request is about.
    pub(crate) fn subject(&self) -> (PathBuf, Option<u32>) {
        match self {
            Request::Info { path, .. }
            | Request::Check { path, .. }
            | Request::Annotations { path } => (path.clone(), None),
            Request::Render { path, page, .. } | Request::Text { path, page, .. } => {
                (path.clone(), Some(*page))
            }
            Request::Export { source, .. } => (source.clone(), None),
            Request::WriteReport { output, .. } => (output.clone(), None),
        }
    }

    /// The request's name, for a log line.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Request::Info { .. } => "info",
            Request::Check { .. } => "check",
            Request::Render { .. } => "render",
            Request::Text { .. } => "text",
            Request::Export { .. } => "export",
            Request::Annotations { .. } => "annotations",
            Request::WriteReport { .. } => "writeReport",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub(crate) enum Answer {
    Info {
        info: DocumentInfo,
    },
    /// `bytes` BGRA bytes wait at the start of the shared page memory.
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

/// A document's password, as a member typed it. Never shown in a log line.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Password(pub String);

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(…)")
    }
}

/// A page's size in PDF points.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
pub struct PageSize {
    pub width: f32,
    pub height: f32,
}

/// Largest side of a page shown: 14,400 points (200 inches), the largest page the PDF
/// specification allows in default user space.
pub const MAX_PAGE_POINTS: f32 = 14_400.0;

/// Long side over short side past which a page is not drawn: a strip a hundred times
/// longer than wide is a broken file, not a document.
pub const MAX_PAGE_RATIO: f32 = 100.0;

/// Why a page is not drawn. The rest of its document still is.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum PageProblem {
    /// pdfium cannot read the page.
    Unreadable,
    /// The page has no area (a 0 × 0 page, or a box with no overlap).
    Empty,
    /// Larger than a PDF page may be, or too thin to be read: its size in points.
    Unusual { width: f32, height: f32 },
}

impl PageProblem {
    /// What is wrong with a page of this size, if anything.
    pub fn of_size(width: f32, height: f32) -> Option<PageProblem> {
        // Also catches NaN, which fails every comparison.
        if !(width > 0.0 && height > 0.0) {
            return Some(PageProblem::Empty);
        }
        let (long, short) = (width.max(height), width.min(height));
        if long > MAX_PAGE_POINTS || long / short > MAX_PAGE_RATIO {
            return Some(PageProblem::Unusual { width, height });
        }
        None
    }
}

impl fmt::Display for PageProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PageProblem::Unreadable => f.write_str("the page cannot be read"),
            PageProblem::Empty => f.write_str("the page has no area"),
            PageProblem::Unusual { width, height } => {
                write!(
                    f,
                    "the page is {width} × {height} points, not a readable size"
                )
            }
        }
    }
}

/// A page as the viewer lays it out: its size in PDF points and, when it cannot be
/// drawn, why (its size is then a stand-in: the page before it, or A4).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
pub struct Page {
    pub width: f32,
    pub height: f32,
    pub problem: Option<PageProblem>,
}

impl Page {
    /// The size the page is laid out at.
    pub fn size(&self) -> PageSize {
        PageSize {
            width: self.width,
            height: self.height,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentInfo {
    pub pages: Vec<Page>,
}

impl DocumentInfo {
    /// The numbers (from 1) of the pages that cannot be shown.
    pub fn pages_not_shown(&self) -> Vec<u32> {
        (1u32..)
            .zip(&self.pages)
            .filter(|(_, page)| page.problem.is_some())
            .map(|(number, _)| number)
            .collect()
    }
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
