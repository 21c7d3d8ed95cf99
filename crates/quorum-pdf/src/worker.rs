//! The worker process: owns pdfium, reads one request per line on standard input and
//! answers on standard output. Run by `quorum-pdf-worker`; never inside the app.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use pdfium_render::prelude::*;
use tracing::debug;

use crate::protocol::{Answer, DocumentInfo, PageSize, Request, TextChar};
use crate::{MAX_BITMAP_PIXELS, PdfError};

/// Serves requests until standard input closes.
pub fn run(library: &Path, input: impl BufRead, mut output: impl Write) -> std::io::Result<()> {
    let pdfium = match Pdfium::bind_to_library(library) {
        Ok(bindings) => Pdfium::new(bindings),
        Err(error) => {
            // Stay up and say why for every request, so the app can tell the member.
            let error = PdfError::Pdfium(format!("{}: {error}", library.display()));
            for line in input.lines() {
                line?;
                write_answer(
                    &mut output,
                    &Answer::Failed {
                        error: error.clone(),
                    },
                    &[],
                )?;
            }
            return Ok(());
        }
    };
    // Requests come in runs on one document (page after page): keep it open.
    let mut open: Option<(PathBuf, PdfDocument<'_>)> = None;
    for line in input.lines() {
        let line = line?;
        let (answer, pixels) = match serde_json::from_str::<Request>(&line) {
            Ok(request) => answer(&pdfium, &mut open, request),
            Err(error) => {
                let error = PdfError::Worker(format!("bad request: {error}"));
                (Answer::Failed { error }, Vec::new())
            }
        };
        write_answer(&mut output, &answer, &pixels)?;
    }
    Ok(())
}

fn write_answer(output: &mut impl Write, answer: &Answer, pixels: &[u8]) -> std::io::Result<()> {
    serde_json::to_writer(&mut *output, answer)?;
    output.write_all(b"\n")?;
    output.write_all(pixels)?;
    output.flush()
}

fn answer<'a>(
    pdfium: &'a Pdfium,
    open: &mut Option<(PathBuf, PdfDocument<'a>)>,
    request: Request,
) -> (Answer, Vec<u8>) {
    let result = match request {
        Request::Info { path } => document(pdfium, open, &path)
            .and_then(info)
            .map(|info| (Answer::Info { info }, Vec::new())),
        Request::Render { path, page, width } => {
            document(pdfium, open, &path).and_then(|doc| render(doc, page, width))
        }
        Request::Text { path, page } => document(pdfium, open, &path)
            .and_then(|doc| text(doc, page))
            .map(|chars| (Answer::Text { chars }, Vec::new())),
    };
    result.unwrap_or_else(|error| (Answer::Failed { error }, Vec::new()))
}

fn document<'a, 'b>(
    pdfium: &'a Pdfium,
    open: &'b mut Option<(PathBuf, PdfDocument<'a>)>,
    path: &Path,
) -> Result<&'b PdfDocument<'a>, PdfError> {
    if open.as_ref().is_none_or(|(current, _)| current != path) {
        *open = None;
        debug!(path = %path.display(), "opening");
        let document = pdfium
            .load_pdf_from_file(path, None)
            .map_err(|e| classify(e, path))?;
        if document.pages().is_empty() {
            return Err(PdfError::NoPages);
        }
        *open = Some((path.to_path_buf(), document));
    }
    open.as_ref()
        .map(|(_, document)| document)
        .ok_or(PdfError::Corrupt)
}

fn classify(error: PdfiumError, path: &Path) -> PdfError {
    match error {
        PdfiumError::IoError(_) => PdfError::NotFound {
            path: path.to_path_buf(),
        },
        PdfiumError::PdfiumLibraryInternalError(
            PdfiumInternalError::PasswordError | PdfiumInternalError::SecurityError,
        ) => PdfError::PasswordProtected,
        PdfiumError::PdfiumLibraryInternalError(_) => PdfError::Corrupt,
        other => PdfError::Pdfium(other.to_string()),
    }
}

fn info(document: &PdfDocument) -> Result<DocumentInfo, PdfError> {
    let sizes = document
        .pages()
        .page_sizes()
        .map_err(|e| PdfError::Pdfium(e.to_string()))?;
    let pages = sizes
        .iter()
        .map(|rect| PageSize {
            width: rect.width().value,
            height: rect.height().value,
        })
        .collect();
    Ok(DocumentInfo { pages })
}

fn page<'a>(document: &'a PdfDocument, index: u32) -> Result<PdfPage<'a>, PdfError> {
    let page_count = u32::try_from(document.pages().len()).unwrap_or(0);
    if index >= page_count {
        return Err(PdfError::PageOutOfRange {
            page: index,
            page_count,
        });
    }
    let index = PdfPageIndex::try_from(index).map_err(|_| PdfError::PageOutOfRange {
        page: index,
        page_count,
    })?;
    document
        .pages()
        .get(index)
        .map_err(|e| PdfError::Pdfium(e.to_string()))
}

fn render(document: &PdfDocument, index: u32, width: u32) -> Result<(Answer, Vec<u8>), PdfError> {
    let page = page(document, index)?;
    let (points_wide, points_high) = (page.width().value, page.height().value);
    let height = (f64::from(width) * f64::from(points_high) / f64::from(points_wide).max(1.0))
        .round() as u32;
    if u64::from(width) * u64::from(height) > MAX_BITMAP_PIXELS || width == 0 {
        return Err(PdfError::TooLarge { width, height });
    }
    let target = i32::try_from(width).map_err(|_| PdfError::TooLarge { width, height })?;
    let config = PdfRenderConfig::new().set_target_width(target);
    let bitmap = page
        .render_with_config(&config)
        .map_err(|e| PdfError::Pdfium(e.to_string()))?;
    let pixels = bitmap.as_rgba_bytes();
    let answer = Answer::Rendered {
        width: u32::try_from(bitmap.width()).unwrap_or(0),
        height: u32::try_from(bitmap.height()).unwrap_or(0),
        bytes: pixels.len(),
    };
    Ok((answer, pixels))
}

fn text(document: &PdfDocument, index: u32) -> Result<Vec<TextChar>, PdfError> {
    let page = page(document, index)?;
    let text = page.text().map_err(|e| PdfError::Pdfium(e.to_string()))?;
    Ok(text
        .chars()
        .iter()
        .filter_map(|c| {
            let ch = c.unicode_char()?;
            let rect = c.loose_bounds().ok()?;
            Some(TextChar {
                ch,
                left: rect.left().value,
                bottom: rect.bottom().value,
                right: rect.right().value,
                top: rect.top().value,
            })
        })
        .collect())
}
