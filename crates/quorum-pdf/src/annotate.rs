//! Quorum annotations written into a copy of a PDF as real PDF annotations, and the
//! annotations of a file read back, through pdfium's C API.
//!
//! pdfium-render 0.9.5 cannot write an ink annotation's `/InkList` (its ink API adds
//! path objects to the appearance instead), and gives out no handles to mix its API
//! with the C one on one document; so this module opens, edits and saves documents
//! through the raw bindings. Each handle is owned by a guard that closes it and
//! borrows the guard it came from, so an annotation never outlives its page, nor a
//! page its document.
#![allow(unsafe_code)] // FFI into pdfium; the invariants are kept by the guards below

use std::collections::BTreeMap;
use std::ffi::{c_int, c_ulong, c_void};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::marker::PhantomData;
use std::path::Path;

use chrono::{DateTime, Utc};
use pdfium_render::prelude::*;
use quorum_core::{AnnotationShape, Color, InkStroke, PagePoint, PageRect};

use crate::PdfError;
use crate::output::{self, cannot_write};
use crate::protocol::{ExportedAnnotation, FoundAnnotation};

// From pdfium's public headers; pdfium-render keeps its copies private.
const FPDF_ANNOT_TEXT: FPDF_ANNOTATION_SUBTYPE = 1;
const FPDF_ANNOT_SQUARE: FPDF_ANNOTATION_SUBTYPE = 5;
const FPDF_ANNOT_HIGHLIGHT: FPDF_ANNOTATION_SUBTYPE = 9;
const FPDF_ANNOT_UNDERLINE: FPDF_ANNOTATION_SUBTYPE = 10;
const FPDF_ANNOT_STRIKEOUT: FPDF_ANNOTATION_SUBTYPE = 12;
const FPDF_ANNOT_INK: FPDF_ANNOTATION_SUBTYPE = 15;
const FPDFANNOT_COLORTYPE_COLOR: FPDFANNOT_COLORTYPE = 0;
const FPDF_ANNOT_FLAG_PRINT: c_int = 4;
const FPDF_ANNOT_APPEARANCEMODE_NORMAL: FPDF_ANNOT_APPEARANCEMODE = 0;
const FPDF_ANNOT: c_int = 0x01;
const FPDF_ERR_PASSWORD: c_ulong = 4;
const FPDF_ERR_SECURITY: c_ulong = 5;

/// A sticky note's icon is this many points square, its top-left corner where the
/// member clicked (as the viewer draws it).
const NOTE_ICON: f32 = 20.0;
/// Border of an exported rectangle, in points.
const RECTANGLE_BORDER: f32 = 2.0;

/// Writes `source` with `annotations` added to `output`, through `output.part` and a
/// rename so a crash never leaves half a file. Deleted annotations are left out; an
/// annotation on a page the document does not have fails the export before anything
/// is written. Returns how many annotations were written.
pub(crate) fn export(
    pdfium: &dyn PdfiumLibraryBindings,
    source: &Path,
    output: &Path,
    annotations: &[ExportedAnnotation],
) -> Result<u32, PdfError> {
    let document = Document::open(pdfium, source)?;
    let page_count = document.page_count();
    let mut by_page: BTreeMap<u32, Vec<&ExportedAnnotation>> = BTreeMap::new();
    for exported in annotations.iter().filter(|e| !e.annotation.deleted) {
        let page = exported.annotation.page;
        if page >= page_count {
            return Err(PdfError::PageOutOfRange { page, page_count });
        }
        by_page.entry(page).or_default().push(exported);
    }
    let mut written = 0;
    for (index, annotations) in by_page {
        let page = document.page(index)?;
        for exported in annotations {
            if add(&page, exported)? {
                written += 1;
            }
        }
        page.generate_appearances();
    }
    document.save(output)?;
    Ok(written)
}

/// Every annotation in the file at `path`, page by page.
pub(crate) fn read(
    pdfium: &dyn PdfiumLibraryBindings,
    path: &Path,
) -> Result<Vec<FoundAnnotation>, PdfError> {
    let document = Document::open(pdfium, path)?;
    let mut found = Vec::new();
    // A page or an annotation pdfium cannot read is skipped: the others are still found.
    for index in 0..document.page_count() {
        let Ok(page) = document.page(index) else {
            continue;
        };
        for annotation in page.annotations().filter_map(Result::ok) {
            let Ok(rect) = annotation.rect() else {
                continue;
            };
            found.push(FoundAnnotation {
                page: index,
                subtype: annotation.string("Subtype"),
                contents: annotation.string("Contents"),
                author: annotation.string("T"),
                rect,
                quads: annotation.quad_count(),
                ink_strokes: annotation.ink_strokes(),
                has_appearance: annotation.has_appearance(),
            });
        }
    }
    Ok(found)
}

/// Adds one annotation to `page`; `false` when its shape has nothing to draw.
fn add(page: &Page<'_>, exported: &ExportedAnnotation) -> Result<bool, PdfError> {
    let annotation = &exported.annotation;
    let created = match &annotation.shape {
        AnnotationShape::Highlight { rects, text } => {
            markup(page, FPDF_ANNOT_HIGHLIGHT, rects)?.map(|(a, r)| (a, r, text.as_str()))
        }
        AnnotationShape::Underline { rects, text } => {
            markup(page, FPDF_ANNOT_UNDERLINE, rects)?.map(|(a, r)| (a, r, text.as_str()))
        }
        AnnotationShape::StrikeOut { rects, text } => {
            markup(page, FPDF_ANNOT_STRIKEOUT, rects)?.map(|(a, r)| (a, r, text.as_str()))
        }
        AnnotationShape::Ink { strokes } => ink(page, strokes)?.map(|(a, r)| (a, r, "")),
        AnnotationShape::Note { at, text } => {
            let icon = PageRect {
                left: at.x,
                bottom: at.y - NOTE_ICON,
                right: at.x + NOTE_ICON,
                top: at.y,
            };
            Some((page.create(FPDF_ANNOT_TEXT)?, icon, text.as_str()))
        }
        AnnotationShape::Rectangle { rect } => {
            let square = page.create(FPDF_ANNOT_SQUARE)?;
            square.set_border(RECTANGLE_BORDER)?;
            Some((square, *rect, ""))
        }
    };
    let Some((created, rect, contents)) = created else {
        return Ok(false);
    };
    created.set_rect(rect)?;
    // Before any appearance exists: pdfium refuses a colour on an annotation that has one.
    created.set_color(annotation.color)?;
    created.set_flags(FPDF_ANNOT_FLAG_PRINT)?;
    created.set_string("NM", &annotation.id.to_string())?;
    created.set_string("T", &exported.author_name)?;
    created.set_string("CreationDate", &pdf_date(annotation.created_at))?;
    created.set_string("M", &pdf_date(annotation.updated_at))?;
    if !contents.is_empty() {
        created.set_string("Contents", contents)?;
    }
    Ok(true)
}

/// A highlight, underline or strike-out: one quadrilateral per marked line.
fn markup<'p>(
    page: &'p Page<'_>,
    subtype: FPDF_ANNOTATION_SUBTYPE,
    lines: &[PageRect],
) -> Result<Option<(Annot<'p>, PageRect)>, PdfError> {
    let Some(bounds) = lines.iter().copied().reduce(union) else {
        return Ok(None);
    };
    let markup = page.create(subtype)?;
    for line in lines {
        markup.append_quad(line)?;
    }
    Ok(Some((markup, bounds)))
}

fn ink<'p>(
    page: &'p Page<'_>,
    strokes: &[InkStroke],
) -> Result<Option<(Annot<'p>, PageRect)>, PdfError> {
    // One border width for the whole annotation: the widest pen keeps every stroke visible.
    let width = strokes.iter().map(|s| s.width).fold(0.0, f32::max);
    let Some(bounds) = strokes
        .iter()
        .flat_map(|s| &s.points)
        .map(|p| PageRect {
            left: p.x - width / 2.0,
            bottom: p.y - width / 2.0,
            right: p.x + width / 2.0,
            top: p.y + width / 2.0,
        })
        .reduce(union)
    else {
        return Ok(None);
    };
    let ink = page.create(FPDF_ANNOT_INK)?;
    for stroke in strokes.iter().filter(|s| !s.points.is_empty()) {
        ink.add_ink_stroke(&stroke.points)?;
    }
    ink.set_border(width)?;
    Ok(Some((ink, bounds)))
}

fn union(a: PageRect, b: PageRect) -> PageRect {
    PageRect {
        left: a.left.min(b.left),
        bottom: a.bottom.min(b.bottom),
        right: a.right.max(b.right),
        top: a.top.max(b.top),
    }
}

/// The viewer's colours (ui/src/components/Viewer.svelte), so the copy looks like the app.
fn rgb(color: Color) -> (u8, u8, u8) {
    match color {
        Color::Yellow => (0xe0, 0xb0, 0x00),
        Color::Green => (0x2e, 0x9d, 0x4f),
        Color::Blue => (0x1f, 0x5f, 0xbf),
        Color::Red => (0xc6, 0x28, 0x28),
        Color::Black => (0x22, 0x22, 0x22),
    }
}

/// A PDF date string (PDF 32000-1, 7.9.4), in UTC.
fn pdf_date(at: DateTime<Utc>) -> String {
    at.format("D:%Y%m%d%H%M%SZ").to_string()
}

fn failed(what: &str) -> PdfError {
    PdfError::Pdfium(format!("pdfium could not {what}"))
}

/// An open document. pdfium reads from `_bytes` until the document is closed.
struct Document<'p> {
    pdfium: &'p dyn PdfiumLibraryBindings,
    handle: FPDF_DOCUMENT,
    _bytes: Vec<u8>,
}

impl<'p> Document<'p> {
    fn open(pdfium: &'p dyn PdfiumLibraryBindings, path: &Path) -> Result<Self, PdfError> {
        let bytes = std::fs::read(path).map_err(|_| PdfError::NotFound {
            path: path.to_path_buf(),
        })?;
        // SAFETY: the buffer moves into the guard, which closes the document before dropping it.
        let handle = unsafe { pdfium.FPDF_LoadMemDocument(&bytes, None) };
        if handle.is_null() {
            // SAFETY: no arguments; reads pdfium's error for this thread.
            return Err(match unsafe { pdfium.FPDF_GetLastError() } {
                FPDF_ERR_PASSWORD | FPDF_ERR_SECURITY => PdfError::PasswordProtected,
                _ => PdfError::Corrupt,
            });
        }
        Ok(Self {
            pdfium,
            handle,
            _bytes: bytes,
        })
    }

    fn page_count(&self) -> u32 {
        // SAFETY: the handle is open for the guard's lifetime.
        u32::try_from(unsafe { self.pdfium.FPDF_GetPageCount(self.handle) }).unwrap_or(0)
    }

    fn page(&self, index: u32) -> Result<Page<'_>, PdfError> {
        let page_count = self.page_count();
        let out_of_range = || PdfError::PageOutOfRange {
            page: index,
            page_count,
        };
        let at = c_int::try_from(index).map_err(|_| out_of_range())?;
        // SAFETY: the document is open; pdfium checks the index and returns null when it is out of range.
        let handle = unsafe { self.pdfium.FPDF_LoadPage(self.handle, at) };
        if handle.is_null() {
            return Err(out_of_range());
        }
        Ok(Page {
            pdfium: self.pdfium,
            handle,
            _document: PhantomData,
        })
    }

    /// Saves a full copy (not an incremental update) to `output` through `output.part`,
    /// flushed to disk before the rename so the name only ever points at a whole file.
    fn save(&self, output: &Path) -> Result<(), PdfError> {
        output::write_whole(output, |part| self.save_to(part))
    }

    fn save_to(&self, path: &Path) -> Result<(), PdfError> {
        let file = File::create(path).map_err(|e| cannot_write(path, &e))?;
        let mut sink = Sink {
            header: FPDF_FILEWRITE {
                version: 1,
                WriteBlock: Some(write_block),
            },
            out: BufWriter::new(file),
            error: None,
        };
        // SAFETY: the document is open; `sink` starts with the FPDF_FILEWRITE pdfium calls
        // back with, and outlives the call.
        let saved = unsafe {
            self.pdfium
                .FPDF_SaveAsCopy(self.handle, &raw mut sink.header, 0)
        };
        if let Some(error) = sink.error.take() {
            return Err(cannot_write(path, &error));
        }
        if saved == 0 {
            return Err(failed("save the document"));
        }
        let file = sink
            .out
            .into_inner()
            .map_err(|e| cannot_write(path, e.error()))?;
        file.sync_all().map_err(|e| cannot_write(path, &e))
    }
}

impl Drop for Document<'_> {
    fn drop(&mut self) {
        // SAFETY: every page borrowed the guard and is closed by now; closed once, here.
        unsafe { self.pdfium.FPDF_CloseDocument(self.handle) }
    }
}

/// What pdfium writes a saved document through: its callback table first, so the
/// pointer pdfium holds is a pointer to the whole sink.
#[repr(C)]
struct Sink {
    header: FPDF_FILEWRITE,
    out: BufWriter<File>,
    error: Option<std::io::Error>,
}

unsafe extern "C" fn write_block(
    header: *mut FPDF_FILEWRITE,
    data: *const c_void,
    size: c_ulong,
) -> c_int {
    if size == 0 {
        return 1;
    }
    // SAFETY: pdfium passes back the header of the `Sink` given to FPDF_SaveAsCopy, which
    // is its first field, and `size` readable bytes at `data`.
    let (sink, bytes) = unsafe {
        (
            &mut *header.cast::<Sink>(),
            std::slice::from_raw_parts(data.cast::<u8>(), size as usize),
        )
    };
    match sink.out.write_all(bytes) {
        Ok(()) => 1,
        Err(error) => {
            sink.error = Some(error);
            0
        }
    }
}

/// A loaded page of a [`Document`].
struct Page<'d> {
    pdfium: &'d dyn PdfiumLibraryBindings,
    handle: FPDF_PAGE,
    _document: PhantomData<&'d Document<'d>>,
}

impl Page<'_> {
    fn create(&self, subtype: FPDF_ANNOTATION_SUBTYPE) -> Result<Annot<'_>, PdfError> {
        // SAFETY: the page is loaded for the guard's lifetime.
        let handle = unsafe { self.pdfium.FPDFPage_CreateAnnot(self.handle, subtype) };
        self.annot(handle)
            .ok_or_else(|| failed("create an annotation"))
    }

    fn annotations(&self) -> impl Iterator<Item = Result<Annot<'_>, PdfError>> {
        // SAFETY: the page is loaded for the guard's lifetime.
        let count = unsafe { self.pdfium.FPDFPage_GetAnnotCount(self.handle) };
        (0..count.max(0)).map(move |index| {
            // SAFETY: as above; the index is below the page's annotation count.
            let handle = unsafe { self.pdfium.FPDFPage_GetAnnot(self.handle, index) };
            self.annot(handle)
                .ok_or_else(|| failed("read an annotation"))
        })
    }

    fn annot(&self, handle: FPDF_ANNOTATION) -> Option<Annot<'_>> {
        (!handle.is_null()).then_some(Annot {
            pdfium: self.pdfium,
            handle,
            _page: PhantomData,
        })
    }

    /// Gives the page's new annotations their appearance streams, which readers draw
    /// them from (a reader that does not make its own would show nothing). pdfium
    /// neither writes them on creation nor on save, only when it lays the page's
    /// annotations out for drawing: a one-pixel render does that.
    fn generate_appearances(&self) {
        // SAFETY: the page is loaded; the bitmap is created, drawn into and destroyed here.
        unsafe {
            let bitmap = self.pdfium.FPDFBitmap_Create(1, 1, 0);
            if !bitmap.is_null() {
                self.pdfium
                    .FPDF_RenderPageBitmap(bitmap, self.handle, 0, 0, 1, 1, 0, FPDF_ANNOT);
                self.pdfium.FPDFBitmap_Destroy(bitmap);
            }
        }
    }
}

impl Drop for Page<'_> {
    fn drop(&mut self) {
        // SAFETY: every annotation borrowed the guard and is closed by now; closed once, here.
        unsafe { self.pdfium.FPDF_ClosePage(self.handle) }
    }
}

/// An annotation handle of a [`Page`].
struct Annot<'p> {
    pdfium: &'p dyn PdfiumLibraryBindings,
    handle: FPDF_ANNOTATION,
    _page: PhantomData<&'p Page<'p>>,
}

// SAFETY (every method): the handle is open for the guard's lifetime, and every pointer
// passed points at a local that lives through the call.
impl Annot<'_> {
    fn check(&self, ok: FPDF_BOOL, what: &str) -> Result<(), PdfError> {
        if ok == 0 { Err(failed(what)) } else { Ok(()) }
    }

    fn set_rect(&self, rect: PageRect) -> Result<(), PdfError> {
        let rect = FS_RECTF {
            left: rect.left,
            top: rect.top,
            right: rect.right,
            bottom: rect.bottom,
        };
        let ok = unsafe { self.pdfium.FPDFAnnot_SetRect(self.handle, &rect) };
        self.check(ok, "place an annotation")
    }

    fn set_color(&self, color: Color) -> Result<(), PdfError> {
        let (r, g, b) = rgb(color);
        let ok = unsafe {
            self.pdfium.FPDFAnnot_SetColor(
                self.handle,
                FPDFANNOT_COLORTYPE_COLOR,
                r.into(),
                g.into(),
                b.into(),
                255,
            )
        };
        self.check(ok, "colour an annotation")
    }

    fn set_border(&self, width: f32) -> Result<(), PdfError> {
        let ok = unsafe {
            self.pdfium
                .FPDFAnnot_SetBorder(self.handle, 0.0, 0.0, width)
        };
        self.check(ok, "set an annotation's border")
    }

    fn set_flags(&self, flags: c_int) -> Result<(), PdfError> {
        let ok = unsafe { self.pdfium.FPDFAnnot_SetFlags(self.handle, flags) };
        self.check(ok, "set an annotation's flags")
    }

    fn set_string(&self, key: &str, value: &str) -> Result<(), PdfError> {
        let ok = unsafe {
            self.pdfium
                .FPDFAnnot_SetStringValue_str(self.handle, key, value)
        };
        self.check(ok, "write an annotation's text")
    }

    /// A marked line as a quadrilateral, corners in the order readers expect: upper
    /// left, upper right, lower left, lower right.
    fn append_quad(&self, line: &PageRect) -> Result<(), PdfError> {
        let quad = FS_QUADPOINTSF {
            x1: line.left,
            y1: line.top,
            x2: line.right,
            y2: line.top,
            x3: line.left,
            y3: line.bottom,
            x4: line.right,
            y4: line.bottom,
        };
        let ok = unsafe {
            self.pdfium
                .FPDFAnnot_AppendAttachmentPoints(self.handle, &quad)
        };
        self.check(ok, "mark a line of text")
    }

    fn add_ink_stroke(&self, points: &[PagePoint]) -> Result<(), PdfError> {
        let points: Vec<FS_POINTF> = points
            .iter()
            .map(|p| FS_POINTF { x: p.x, y: p.y })
            .collect();
        let added = unsafe {
            self.pdfium
                .FPDFAnnot_AddInkStroke(self.handle, points.as_ptr(), points.len())
        };
        if added < 0 {
            Err(failed("draw an ink stroke"))
        } else {
            Ok(())
        }
    }

    /// A text or name value; empty when the key is missing.
    fn string(&self, key: &str) -> String {
        // UTF-16 with a terminator; the length is in bytes.
        let bytes = unsafe {
            self.pdfium
                .FPDFAnnot_GetStringValue(self.handle, key, std::ptr::null_mut(), 0)
        };
        let mut buffer: Vec<FPDF_WCHAR> = vec![0; bytes as usize / 2];
        if buffer.len() <= 1 {
            return String::new();
        }
        unsafe {
            self.pdfium
                .FPDFAnnot_GetStringValue(self.handle, key, buffer.as_mut_ptr(), bytes)
        };
        buffer.pop();
        String::from_utf16_lossy(&buffer)
    }

    fn rect(&self) -> Result<PageRect, PdfError> {
        let mut rect = FS_RECTF {
            left: 0.0,
            top: 0.0,
            right: 0.0,
            bottom: 0.0,
        };
        let ok = unsafe { self.pdfium.FPDFAnnot_GetRect(self.handle, &mut rect) };
        self.check(ok, "read an annotation's place")?;
        Ok(PageRect {
            left: rect.left,
            bottom: rect.bottom,
            right: rect.right,
            top: rect.top,
        })
    }

    fn quad_count(&self) -> u32 {
        let count = unsafe { self.pdfium.FPDFAnnot_CountAttachmentPoints(self.handle) };
        u32::try_from(count).unwrap_or(u32::MAX)
    }

    fn ink_strokes(&self) -> Vec<u32> {
        let strokes = unsafe { self.pdfium.FPDFAnnot_GetInkListCount(self.handle) };
        (0..strokes)
            .map(|index| {
                // With no buffer, pdfium only counts the stroke's points.
                let points = unsafe {
                    self.pdfium.FPDFAnnot_GetInkListPath(
                        self.handle,
                        index,
                        std::ptr::null_mut(),
                        0,
                    )
                };
                u32::try_from(points).unwrap_or(u32::MAX)
            })
            .collect()
    }

    fn has_appearance(&self) -> bool {
        // The normal appearance's content as UTF-16; two bytes (a bare terminator) when there is none.
        let bytes = unsafe {
            self.pdfium.FPDFAnnot_GetAP(
                self.handle,
                FPDF_ANNOT_APPEARANCEMODE_NORMAL,
                std::ptr::null_mut(),
                0,
            )
        };
        bytes > 2
    }
}

impl Drop for Annot<'_> {
    fn drop(&mut self) {
        // SAFETY: opened by this guard's page, closed once, here.
        unsafe { self.pdfium.FPDFPage_CloseAnnot(self.handle) }
    }
}
