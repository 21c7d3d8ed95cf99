//! Between the app and the worker: one JSON line per request; one JSON line per
//! answer, followed by `bytes` raw bytes when the answer carries pixels.

use std::path::PathBuf;

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
