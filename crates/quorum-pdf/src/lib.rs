//! Quorum's PDF service. pdfium is not thread-safe and can crash on a hostile file, so
//! it runs in a worker process (`quorum-pdf-worker`) that the app talks to over its
//! standard input and output; a worker that dies or stops answering is replaced, so one
//! bad document cannot take the app down or stop it reading the others.
//!
//! Invariants:
//! - Nothing in the app process links pdfium; only the worker loads `libpdfium`.
//! - Geometry is in PDF points (origin bottom-left), the same space as annotations.
//! - A page is never rendered as one bitmap over [`MAX_BITMAP_PIXELS`], and a page of an
//!   absurd size ([`PageProblem::of_size`]) not at all.
//! - One page that cannot be read never makes its document unreadable.
//! - Every request has a deadline; a worker past it is killed.
//! - A rendered page's pixels cross in memory the app shares with that worker, sealed at
//!   its size ([`pages`]): a worker can garble a page, never fault the app reading it.
//! - A file the worker writes (an annotated copy, a report) is written whole or not at
//!   all; an export never writes its source.
//! - A written report embeds its fonts: it prints and extracts the same anywhere.

mod annotate;
mod library;
mod output;
mod pages;
mod protocol;
mod report;
mod service;
pub mod worker;

pub use library::{LIBRARY_ENV, locate_library, locate_library_bundled};
pub use protocol::{
    DocumentInfo, ExportedAnnotation, FoundAnnotation, LineStyle, MAX_PAGE_POINTS, MAX_PAGE_RATIO,
    Page, PageProblem, PageSize, Password, Report, ReportLine, Strip, TextChar,
};
pub use service::{PdfService, Priority, RenderedPage, WorkerLimits};

use std::path::PathBuf;

/// Largest bitmap rendered in one piece (about 16 megapixels).
pub const MAX_BITMAP_PIXELS: u64 = 16 * 1024 * 1024;

/// Margin on every side of a written report's pages, in points (2 cm). Page numbers
/// are printed in the bottom one.
pub const REPORT_MARGIN: f32 = 56.7;

#[derive(Debug, Clone, PartialEq, thiserror::Error, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", content = "detail", rename_all = "camelCase")]
pub enum PdfError {
    #[error("the PDF library (libpdfium) was not found; looked at: {searched}")]
    LibraryMissing { searched: String },
    #[error("the PDF library could not be loaded: {detail}")]
    LibraryUnusable { detail: String },
    #[error("the file {path} does not exist or cannot be read")]
    NotFound { path: PathBuf },
    #[error("the document is damaged or is not a PDF")]
    Corrupt,
    #[error("the document is protected by a password")]
    PasswordProtected,
    #[error("the password does not open the document")]
    WrongPassword,
    #[error("the document has no pages")]
    NoPages,
    #[error("page {page} does not exist; the document has {page_count} pages")]
    PageOutOfRange { page: u32, page_count: u32 },
    #[error("a page of {width}×{height} pixels is too large to render in one piece")]
    TooLarge { width: u32, height: u32 },
    #[error("page {} is not shown: {problem}", page + 1)]
    BadPage { page: u32, problem: PageProblem },
    #[error("the page is no longer on screen; it was not rendered")]
    NoLongerWanted,
    #[error("the PDF worker stopped while reading this document")]
    WorkerCrashed,
    #[error("the PDF worker gave no answer within {seconds} s and was replaced")]
    ReaderTimedOut { seconds: u64 },
    #[error("this stopped the PDF worker twice; it is not tried again until Quorum restarts")]
    ReaderGaveUp,
    #[error("the PDF worker could not be started or spoken to: {0}")]
    Worker(String),
    #[error("pdfium failed: {0}")]
    Pdfium(String),
    #[error("the page could not be made into an image: {0}")]
    Encoding(String),
}
