//! The worker process: owns pdfium, reads one request per line on standard input and
//! answers on standard output. Run by `quorum-pdf-worker`; never inside the app.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use pdfium_render::prelude::*;
use tracing::debug;

use crate::protocol::{Answer, DocumentInfo, PageSize, Request, Strip, TextChar};
use crate::{MAX_BITMAP_PIXELS, PdfError};
use crate::{annotate, report};

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
    // One pixel buffer for every render: allocating ~6 MB per page costs more than drawing it.
    let mut pixels = Vec::new();
    for line in input.lines() {
        let line = line?;
        let answer = match serde_json::from_str::<Request>(&line) {
            Ok(request) => answer(&pdfium, &mut open, request, &mut pixels),
            Err(error) => Answer::Failed {
                error: PdfError::Worker(format!("bad request: {error}")),
            },
        };
        let sent = match answer {
            Answer::Rendered { bytes, .. } => &pixels[..bytes],
            _ => &[],
        };
        write_answer(&mut output, &answer, sent)?;
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
    pixels: &mut Vec<u8>,
) -> Answer {
    let result = match request {
        Request::Info { path } => document(pdfium, open, &path)
            .and_then(info)
            .map(|info| Answer::Info { info }),
        Request::Render {
            path,
            page,
            width,
            strip,
        } => document(pdfium, open, &path).and_then(|doc| render(doc, page, width, strip, pixels)),
        Request::Text { path, page } => document(pdfium, open, &path)
            .and_then(|doc| text(doc, page))
            .map(|chars| Answer::Text { chars }),
        Request::Export {
            source,
            output,
            annotations,
        } => {
            // The file under that name is about to be replaced: never read the old one again.
            if open.as_ref().is_some_and(|(path, _)| *path == output) {
                *open = None;
            }
            annotate::export(pdfium.bindings(), &source, &output, &annotations)
                .map(|annotations| Answer::Exported { annotations })
        }
        Request::Annotations { path } => annotate::read(pdfium.bindings(), &path)
            .map(|annotations| Answer::Annotations { annotations }),
        Request::WriteReport { output, report } => {
            if open.as_ref().is_some_and(|(path, _)| *path == output) {
                *open = None;
            }
            report::write(pdfium, &output, &report).map(|pages| Answer::Written { pages })
        }
    };
    result.unwrap_or_else(|error| Answer::Failed { error })
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

/// Renders into `pixels` as BGRA, pdfium's own layout (and BMP's): no conversion. With a
/// strip, the page is laid out at full size and only those rows land in the bitmap.
fn render(
    document: &PdfDocument,
    index: u32,
    width: u32,
    strip: Option<Strip>,
    pixels: &mut Vec<u8>,
) -> Result<Answer, PdfError> {
    let page = page(document, index)?;
    let (points_wide, points_high) = (page.width().value, page.height().value);
    let full_height = (f64::from(width) * f64::from(points_high) / f64::from(points_wide).max(1.0))
        .round() as u32;
    let strip = strip.unwrap_or(Strip {
        top: 0,
        height: full_height,
    });
    let height = strip.height.min(full_height.saturating_sub(strip.top));
    if u64::from(width) * u64::from(height) > MAX_BITMAP_PIXELS || width == 0 || height == 0 {
        return Err(PdfError::TooLarge { width, height });
    }
    let too_large = |_| PdfError::TooLarge { width, height };
    let wide = i32::try_from(width).map_err(too_large)?;
    let high = i32::try_from(height).map_err(too_large)?;
    let full_high = i32::try_from(full_height).map_err(too_large)?;
    let top = i32::try_from(strip.top).map_err(too_large)?;
    let bytes = width as usize * height as usize * 4;
    pixels.clear();
    pixels.resize(bytes, 0);
    let mut bitmap = PdfBitmap::from_bytes(wide, high, PdfBitmapFormat::BGRA, pixels)
        .map_err(|e| PdfError::Pdfium(e.to_string()))?;
    let config = PdfRenderConfig::new()
        .set_fixed_size(wide, full_high)
        .set_origin(0, -top);
    page.render_into_bitmap_with_config(&mut bitmap, &config)
        .map_err(|e| PdfError::Pdfium(e.to_string()))?;
    Ok(Answer::Rendered {
        width,
        height,
        bytes,
    })
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
