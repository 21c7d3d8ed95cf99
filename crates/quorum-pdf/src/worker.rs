//! The worker process: owns pdfium, reads one request per line on standard input and
//! answers on standard output. Run by `quorum-pdf-worker`; never inside the app.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use pdfium_render::prelude::*;
use tracing::debug;

pub use crate::pages::Canvas;
use crate::protocol::{
    Answer, DocumentInfo, Page, PageProblem, PageSize, Password, Request, Strip, TextChar,
};
use crate::{MAX_BITMAP_PIXELS, PdfError};
use crate::{annotate, report};

/// Ties this process to the app that started it and caps its memory (on Linux; elsewhere
/// a no-op). Past the cap an allocation fails and the worker ends: the app reports the
/// page and starts another, where the system running out would pick any process.
pub fn confine(memory_limit_mb: Option<u64>) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{Resource, Rlimit, Signal, getppid, setrlimit};
        let parent = getppid();
        // Sent when the thread that started this worker ends: the app's spawning
        // thread lives as long as its PDF service, so this is when the app ends, however
        // it ends, even while this worker is stuck inside pdfium.
        rustix::process::set_parent_process_death_signal(Some(Signal::KILL))?;
        if getppid() != parent {
            // The app ended before the signal was asked for.
            std::process::exit(1);
        }
        if let Some(mb) = memory_limit_mb {
            let bytes = mb.saturating_mul(1024 * 1024);
            setrlimit(
                Resource::Data,
                Rlimit {
                    current: Some(bytes),
                    maximum: Some(bytes),
                },
            )?;
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = memory_limit_mb;
    Ok(())
}

/// Page memory made ready before the first request: an A4 page 1200 px wide.
const PREPARED_BYTES: usize = 1200 * 1700 * 4;

/// Serves requests until standard input closes. Pages are drawn into `canvas`, memory
/// shared with the app; only the answer line goes through `output`.
pub fn run(
    library: &Path,
    mut canvas: Canvas,
    input: impl BufRead,
    mut output: impl Write,
) -> std::io::Result<()> {
    let pdfium = match Pdfium::bind_to_library(library) {
        Ok(bindings) => Pdfium::new(bindings),
        Err(error) => {
            // Stay up and say why for every request, so the app can tell the member.
            let error = PdfError::LibraryUnusable {
                detail: format!("{}: {error:?}", library.display()),
            };
            for line in input.lines() {
                line?;
                write_answer(
                    &mut output,
                    &Answer::Failed {
                        error: error.clone(),
                    },
                )?;
            }
            return Ok(());
        }
    };
    canvas.prepare(PREPARED_BYTES);
    // Requests come in runs on one document (page after page): keep it open.
    let mut open: Option<OpenDocument<'_>> = None;
    for line in input.lines() {
        let line = line?;
        let answer = match serde_json::from_str::<Request>(&line) {
            Ok(request) => answer(&pdfium, &mut open, request, &mut canvas),
            Err(error) => Answer::Failed {
                error: PdfError::Worker(format!("bad request: {error}")),
            },
        };
        write_answer(&mut output, &answer)?;
    }
    Ok(())
}

fn write_answer(output: &mut impl Write, answer: &Answer) -> std::io::Result<()> {
    serde_json::to_writer(&mut *output, answer)?;
    output.write_all(b"\n")?;
    output.flush()
}

/// The document the last request was about, with the password that opened it.
struct OpenDocument<'a> {
    path: PathBuf,
    password: Option<Password>,
    document: PdfDocument<'a>,
}

fn answer<'a>(
    pdfium: &'a Pdfium,
    open: &mut Option<OpenDocument<'a>>,
    request: Request,
    canvas: &mut Canvas,
) -> Answer {
    let result = match request {
        Request::Info { path, password } => document(pdfium, open, &path, password)
            .map(info)
            .map(|info| Answer::Info { info }),
        Request::Check { path, password } => document(pdfium, open, &path, password)
            .map(|doc| check(doc, canvas))
            .map(|info| Answer::Info { info }),
        Request::Render {
            path,
            password,
            page,
            width,
            strip,
        } => document(pdfium, open, &path, password)
            .and_then(|doc| render(doc, page, width, strip, canvas)),
        Request::Text {
            path,
            password,
            page,
        } => document(pdfium, open, &path, password)
            .and_then(|doc| text(doc, page))
            .map(|chars| Answer::Text { chars }),
        Request::Export {
            source,
            output,
            annotations,
        } => {
            // The file under that name is about to be replaced: never read the old one again.
            if open.as_ref().is_some_and(|open| open.path == output) {
                *open = None;
            }
            annotate::export(pdfium.bindings(), &source, &output, &annotations)
                .map(|annotations| Answer::Exported { annotations })
        }
        Request::Annotations { path } => annotate::read(pdfium.bindings(), &path)
            .map(|annotations| Answer::Annotations { annotations }),
        Request::WriteReport { output, report } => {
            if open.as_ref().is_some_and(|open| open.path == output) {
                *open = None;
            }
            report::write(pdfium, &output, &report).map(|pages| Answer::Written { pages })
        }
    };
    result.unwrap_or_else(|error| Answer::Failed { error })
}

fn document<'a, 'b>(
    pdfium: &'a Pdfium,
    open: &'b mut Option<OpenDocument<'a>>,
    path: &Path,
    password: Option<Password>,
) -> Result<&'b PdfDocument<'a>, PdfError> {
    if open
        .as_ref()
        .is_none_or(|open| open.path != path || open.password != password)
    {
        *open = None;
        debug!(path = %path.display(), "opening");
        let document = pdfium
            .load_pdf_from_file(path, password.as_ref().map(|p| p.0.as_str()))
            .map_err(|e| classify(e, path, password.is_some()))?;
        if document.pages().is_empty() {
            return Err(PdfError::NoPages);
        }
        *open = Some(OpenDocument {
            path: path.to_path_buf(),
            password,
            document,
        });
    }
    open.as_ref()
        .map(|open| &open.document)
        .ok_or(PdfError::Corrupt)
}

fn classify(error: PdfiumError, path: &Path, with_password: bool) -> PdfError {
    match error {
        PdfiumError::IoError(_) => PdfError::NotFound {
            path: path.to_path_buf(),
        },
        PdfiumError::PdfiumLibraryInternalError(
            PdfiumInternalError::PasswordError | PdfiumInternalError::SecurityError,
        ) if with_password => PdfError::WrongPassword,
        PdfiumError::PdfiumLibraryInternalError(
            PdfiumInternalError::PasswordError | PdfiumInternalError::SecurityError,
        ) => PdfError::PasswordProtected,
        PdfiumError::PdfiumLibraryInternalError(_) => PdfError::Corrupt,
        other => PdfError::Pdfium(format!("{other:?}")),
    }
}

/// Stand-in size of a page whose own size is unknown or absurd, when no page before it
/// has one.
const A4: PageSize = PageSize {
    width: 595.3,
    height: 841.9,
};

/// Every page's size, read without loading the pages; a page whose size cannot be read
/// or makes no sense is marked, and laid out at the size of the page before it.
fn info(document: &PdfDocument) -> DocumentInfo {
    let pages = document.pages();
    let mut stand_in = A4;
    let pages = pages
        .as_range()
        .map(|index| {
            let size = pages.page_size(index).ok().map(|rect| PageSize {
                width: rect.width().value,
                height: rect.height().value,
            });
            let problem = match size {
                Some(size) => PageProblem::of_size(size.width, size.height),
                None => Some(PageProblem::Unreadable),
            };
            let shown = match (size, problem) {
                (Some(size), None) => {
                    stand_in = size;
                    size
                }
                _ => stand_in,
            };
            Page {
                width: shown.width,
                height: shown.height,
                problem,
            }
        })
        .collect();
    DocumentInfo { pages }
}

/// Width pages are drawn at when a file is checked: small, as every object is still drawn.
const CHECK_WIDTH: u32 = 64;

/// As [`info`], each page with a size also loaded and drawn small: a page pdfium cannot
/// load or draw is marked unreadable.
fn check(document: &PdfDocument, canvas: &mut Canvas) -> DocumentInfo {
    let mut checked = info(document);
    for (index, page) in (0u32..).zip(checked.pages.iter_mut()) {
        if page.problem.is_none() && render(document, index, CHECK_WIDTH, None, canvas).is_err() {
            page.problem = Some(PageProblem::Unreadable);
        }
    }
    checked
}

fn page<'a>(document: &'a PdfDocument, index: u32) -> Result<PdfPage<'a>, PdfError> {
    let page_count = u32::try_from(document.pages().len()).unwrap_or(0);
    if index >= page_count {
        return Err(PdfError::PageOutOfRange {
            page: index,
            page_count,
        });
    }
    let unreadable = PdfError::BadPage {
        page: index,
        problem: PageProblem::Unreadable,
    };
    let at = PdfPageIndex::try_from(index).map_err(|_| unreadable.clone())?;
    document.pages().get(at).map_err(|_| unreadable)
}

/// Renders into `canvas` as BGRA, pdfium's own layout (and BMP's): no conversion. With a
/// strip, the page is laid out at full size and only those rows land in the bitmap.
fn render(
    document: &PdfDocument,
    index: u32,
    width: u32,
    strip: Option<Strip>,
    canvas: &mut Canvas,
) -> Result<Answer, PdfError> {
    let page = page(document, index)?;
    let (points_wide, points_high) = (page.width().value, page.height().value);
    if let Some(problem) = PageProblem::of_size(points_wide, points_high) {
        return Err(PdfError::BadPage {
            page: index,
            problem,
        });
    }
    let full_height =
        (f64::from(width) * f64::from(points_high) / f64::from(points_wide)).round() as u32;
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
    // pdfium paints every pixel white first, so what a page before left there is no matter.
    let pixels = canvas
        .room(bytes)
        .ok_or(PdfError::TooLarge { width, height })?;
    let mut bitmap = PdfBitmap::from_bytes(wide, high, PdfBitmapFormat::BGRA, pixels)
        .map_err(|e| PdfError::Pdfium(format!("{e:?}")))?;
    let config = PdfRenderConfig::new()
        .set_fixed_size(wide, full_high)
        .set_origin(0, -top);
    page.render_into_bitmap_with_config(&mut bitmap, &config)
        .map_err(|_| PdfError::BadPage {
            page: index,
            problem: PageProblem::Unreadable,
        })?;
    Ok(Answer::Rendered {
        width,
        height,
        bytes,
    })
}

fn text(document: &PdfDocument, index: u32) -> Result<Vec<TextChar>, PdfError> {
    let page = page(document, index)?;
    let text = page.text().map_err(|_| PdfError::BadPage {
        page: index,
        problem: PageProblem::Unreadable,
    })?;
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
