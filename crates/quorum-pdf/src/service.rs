//! The app's side: starts a worker, sends it requests, and replaces it when it dies.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use lru::LruCache;

use tracing::{instrument, warn};

use crate::PdfError;
use crate::protocol::{
    Answer, DocumentInfo, ExportedAnnotation, FoundAnnotation, Report, Request, Strip, TextChar,
};

/// A rendered page: `width × height` pixels, 4 bytes each in blue, green, red, alpha
/// order, rows top to bottom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedPage {
    pub width: u32,
    pub height: u32,
    pub bgra: Vec<u8>,
}

impl RenderedPage {
    /// The page as an uncompressed 32-bit BMP: no encoding cost, and every webview shows it.
    pub fn to_bmp(&self) -> Vec<u8> {
        const HEADERS: u32 = 14 + 40;
        let image_bytes = self.width * self.height * 4;
        let mut bmp = Vec::with_capacity((HEADERS + image_bytes) as usize);
        bmp.extend_from_slice(b"BM");
        bmp.extend_from_slice(&(HEADERS + image_bytes).to_le_bytes());
        bmp.extend_from_slice(&[0; 4]);
        bmp.extend_from_slice(&HEADERS.to_le_bytes());
        bmp.extend_from_slice(&40u32.to_le_bytes());
        bmp.extend_from_slice(&(self.width as i32).to_le_bytes());
        // A negative height stores the rows top to bottom, as pdfium renders them.
        bmp.extend_from_slice(&(-(self.height as i32)).to_le_bytes());
        bmp.extend_from_slice(&1u16.to_le_bytes());
        bmp.extend_from_slice(&32u16.to_le_bytes());
        bmp.extend_from_slice(&[0; 4]); // uncompressed
        bmp.extend_from_slice(&image_bytes.to_le_bytes());
        bmp.extend_from_slice(&[0; 16]); // resolution and palette: unused
        bmp.extend_from_slice(&self.bgra);
        bmp
    }
}

struct Worker {
    child: Child,
    input: ChildStdin,
    output: BufReader<ChildStdout>,
}

impl Worker {
    fn start(program: &Path, library: &Path) -> Result<Self, PdfError> {
        let mut child = Command::new(program)
            .arg(library)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| PdfError::Worker(format!("{}: {e}", program.display())))?;
        let (Some(input), Some(output)) = (child.stdin.take(), child.stdout.take()) else {
            return Err(PdfError::Worker("the worker's pipes are missing".into()));
        };
        Ok(Self {
            child,
            input,
            output: BufReader::new(output),
        })
    }

    fn exchange(&mut self, request: &Request) -> std::io::Result<(Answer, Vec<u8>)> {
        serde_json::to_writer(&mut self.input, request)?;
        self.input.write_all(b"\n")?;
        self.input.flush()?;
        let mut line = String::new();
        if self.output.read_line(&mut line)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let answer: Answer = serde_json::from_str(&line)?;
        let mut pixels = Vec::new();
        if let Answer::Rendered { bytes, .. } = answer {
            pixels.resize(bytes, 0);
            self.output.read_exact(&mut pixels)?;
        }
        Ok((answer, pixels))
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A document, a page, a width, and which rows (all when `None`).
type PageKey = (PathBuf, u32, u32, Option<Strip>);

/// Rendered pages kept in memory, least recently used out first, within a byte budget.
struct PageCache {
    pages: LruCache<PageKey, Arc<RenderedPage>>,
    bytes: usize,
    budget: usize,
}

impl PageCache {
    fn get(&mut self, key: &PageKey) -> Option<Arc<RenderedPage>> {
        self.pages.get(key).cloned()
    }

    fn put(&mut self, key: PageKey, page: Arc<RenderedPage>) {
        self.bytes += page.bgra.len();
        if let Some(replaced) = self.pages.put(key, page) {
            self.bytes -= replaced.bgra.len();
        }
        while self.bytes > self.budget {
            match self.pages.pop_lru() {
                Some((_, evicted)) => self.bytes -= evicted.bgra.len(),
                None => break,
            }
        }
    }
}

/// Memory for rendered pages: about 40 pages at 1200 px wide.
pub const DEFAULT_CACHE_BYTES: usize = 256 * 1024 * 1024;

/// PDF work done in a worker process. Cheap to share: requests take turns.
pub struct PdfService {
    program: PathBuf,
    library: PathBuf,
    /// Worker processes; a request takes an idle one, or waits its turn on one.
    workers: Vec<Mutex<Option<Worker>>>,
    next: AtomicUsize,
    cache: Mutex<PageCache>,
}

/// Worker processes at most: pdfium renders on one core each.
const MAX_WORKERS: usize = 4;

impl PdfService {
    /// `program` is the `quorum-pdf-worker` binary; `library` the libpdfium it loads.
    /// One worker per core (up to four), 256 MB of rendered pages.
    pub fn new(program: PathBuf, library: PathBuf) -> Self {
        Self::with_cache(program, library, DEFAULT_CACHE_BYTES)
    }

    /// As [`PdfService::new`], keeping at most `cache_bytes` of rendered pages.
    pub fn with_cache(program: PathBuf, library: PathBuf, cache_bytes: usize) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Self::with_workers(program, library, cores.min(MAX_WORKERS), cache_bytes)
    }

    /// As [`PdfService::with_cache`], with `workers` worker processes (at least one),
    /// each started when first needed.
    pub fn with_workers(
        program: PathBuf,
        library: PathBuf,
        workers: usize,
        cache_bytes: usize,
    ) -> Self {
        let cache = PageCache {
            pages: LruCache::unbounded(),
            bytes: 0,
            budget: cache_bytes,
        };
        Self {
            program,
            library,
            workers: (0..workers.max(1)).map(|_| Mutex::new(None)).collect(),
            next: AtomicUsize::new(0),
            cache: Mutex::new(cache),
        }
    }

    /// Page count and page sizes.
    pub fn info(&self, path: &Path) -> Result<DocumentInfo, PdfError> {
        match self.call(Request::Info { path: path.into() }, &|| true)? {
            (Answer::Info { info }, _) => Ok(info),
            (other, _) => Err(unexpected(&other)),
        }
    }

    /// Renders page `page` (zero-based) `width` pixels wide, from memory when it was
    /// rendered or prefetched before.
    pub fn render(
        &self,
        path: &Path,
        page: u32,
        width: u32,
    ) -> Result<Arc<RenderedPage>, PdfError> {
        self.render_strip(path, page, width, None, &|| true)
    }

    /// Renders rows `strip` of a page laid out `width` pixels wide (how a page too large
    /// for one bitmap is drawn, strip by strip), unless `wanted` says, once a worker is
    /// free, that the reader has moved on: then [`PdfError::NoLongerWanted`].
    pub fn render_strip(
        &self,
        path: &Path,
        page: u32,
        width: u32,
        strip: Option<Strip>,
        wanted: &dyn Fn() -> bool,
    ) -> Result<Arc<RenderedPage>, PdfError> {
        let key = (path.to_path_buf(), page, width, strip);
        if let Some(cached) = self.lock_cache()?.get(&key) {
            return Ok(cached);
        }
        let request = Request::Render {
            path: path.into(),
            page,
            width,
            strip,
        };
        let rendered = match self.call(request, wanted)? {
            (Answer::Rendered { width, height, .. }, bgra) => Arc::new(RenderedPage {
                width,
                height,
                bgra,
            }),
            (other, _) => return Err(unexpected(&other)),
        };
        self.lock_cache()?.put(key, rendered.clone());
        Ok(rendered)
    }

    /// Renders the `ahead` pages after `page` into the cache, so turning the page is
    /// instant. Pages past the end are skipped quietly.
    pub fn prefetch(&self, path: &Path, page: u32, width: u32, ahead: u32) {
        for next in page + 1..=page + ahead {
            if let Err(error) = self.render(path, next, width) {
                if !matches!(error, PdfError::PageOutOfRange { .. }) {
                    warn!(%error, page = next, "prefetch failed");
                }
                return;
            }
        }
    }

    /// Whether a page is in memory already.
    pub fn is_cached(&self, path: &Path, page: u32, width: u32) -> bool {
        self.lock_cache().is_ok_and(|mut cache| {
            cache
                .get(&(path.to_path_buf(), page, width, None))
                .is_some()
        })
    }

    fn lock_cache(&self) -> Result<std::sync::MutexGuard<'_, PageCache>, PdfError> {
        self.cache
            .lock()
            .map_err(|_| PdfError::Worker("the page cache lock was poisoned".into()))
    }

    /// The characters of page `page` with their boxes, in reading order.
    pub fn text(&self, path: &Path, page: u32) -> Result<Vec<TextChar>, PdfError> {
        match self.call(
            Request::Text {
                path: path.into(),
                page,
            },
            &|| true,
        )? {
            (Answer::Text { chars }, _) => Ok(chars),
            (other, _) => Err(unexpected(&other)),
        }
    }

    /// The text of every page, in page order.
    pub fn pages_text(&self, path: &Path) -> Result<Vec<String>, PdfError> {
        let pages = self.info(path)?.pages.len();
        (0..pages)
            .map(|page| {
                let page = u32::try_from(page).unwrap_or(u32::MAX);
                Ok(self.text(path, page)?.iter().map(|c| c.ch).collect())
            })
            .collect()
    }

    /// Writes a copy of `source` to `output` with `annotations` added as real PDF
    /// annotations (highlights, notes, ink…) that other PDF readers show. `source` is
    /// left as it is; deleted annotations are left out. Returns how many were written.
    pub fn export(
        &self,
        source: &Path,
        output: &Path,
        annotations: &[ExportedAnnotation],
    ) -> Result<u32, PdfError> {
        let request = Request::Export {
            source: source.into(),
            output: output.into(),
            annotations: annotations.to_vec(),
        };
        match self.call(request, &|| true)? {
            (Answer::Exported { annotations }, _) => Ok(annotations),
            (other, _) => Err(unexpected(&other)),
        }
    }

    /// Writes `report` as a new A4 PDF at `output`, replacing any file there only once
    /// the new one is whole. Returns its page count.
    pub fn write_report(&self, output: &Path, report: &Report) -> Result<u32, PdfError> {
        let request = Request::WriteReport {
            output: output.into(),
            report: report.clone(),
        };
        match self.call(request, &|| true)? {
            (Answer::Written { pages }, _) => Ok(pages),
            (other, _) => Err(unexpected(&other)),
        }
    }

    /// Every annotation in a PDF file, as pdfium reads it.
    pub fn annotations(&self, path: &Path) -> Result<Vec<FoundAnnotation>, PdfError> {
        match self.call(Request::Annotations { path: path.into() }, &|| true)? {
            (Answer::Annotations { annotations }, _) => Ok(annotations),
            (other, _) => Err(unexpected(&other)),
        }
    }

    /// The process ids of the workers running now.
    pub fn worker_pids(&self) -> Vec<u32> {
        self.workers
            .iter()
            .filter_map(|slot| Some(slot.lock().ok()?.as_ref()?.child.id()))
            .collect()
    }

    /// Sends `request`; a worker that dies is replaced and the request tried once more,
    /// so a crash caused by an earlier document does not fail this one. A document
    /// that kills two workers in a row is reported as having crashed the reader.
    ///
    /// `wanted` is asked once a worker is free: a request that waited while the reader
    /// moved on is dropped there, before any rendering.
    #[instrument(skip(self, wanted), err(level = "warn"))]
    fn call(
        &self,
        request: Request,
        wanted: &dyn Fn() -> bool,
    ) -> Result<(Answer, Vec<u8>), PdfError> {
        let idle = self.workers.iter().find_map(|slot| slot.try_lock().ok());
        let mut slot = match idle {
            Some(slot) => slot,
            None => {
                let turn = self.next.fetch_add(1, Ordering::Relaxed) % self.workers.len();
                self.workers[turn]
                    .lock()
                    .map_err(|_| PdfError::Worker("a worker lock was poisoned".into()))?
            }
        };
        if !wanted() {
            return Err(PdfError::NoLongerWanted);
        }
        for _attempt in 0..2 {
            let worker = match slot.as_mut() {
                Some(worker) => worker,
                None => slot.insert(Worker::start(&self.program, &self.library)?),
            };
            match worker.exchange(&request) {
                Ok((Answer::Failed { error }, _)) => return Err(error),
                Ok(answer) => return Ok(answer),
                Err(error) => {
                    warn!(%error, "the PDF worker died; starting a new one");
                    *slot = None;
                }
            }
        }
        Err(PdfError::WorkerCrashed)
    }
}

fn unexpected(answer: &Answer) -> PdfError {
    PdfError::Worker(format!("unexpected answer: {answer:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bmp_holds_the_pixels_top_down_as_pdfium_drew_them() {
        // A red pixel then a blue one, in pdfium's BGRA order.
        let page = RenderedPage {
            width: 2,
            height: 1,
            bgra: vec![0, 0, 255, 255, 255, 0, 0, 255],
        };
        let bmp = page.to_bmp();
        assert_eq!(&bmp[..2], b"BM", "the BMP signature");
        assert_eq!(bmp.len(), 54 + 8, "headers and two 4-byte pixels");
        assert_eq!(
            u32::from_le_bytes(bmp[2..6].try_into().unwrap()),
            62,
            "the file size is recorded"
        );
        assert_eq!(
            i32::from_le_bytes(bmp[22..26].try_into().unwrap()),
            -1,
            "rows run top to bottom"
        );
        assert_eq!(
            u16::from_le_bytes(bmp[28..30].try_into().unwrap()),
            32,
            "32 bits a pixel"
        );
        assert_eq!(
            &bmp[54..],
            &page.bgra[..],
            "BMP stores B, G, R, A: the pixels go in unchanged"
        );
    }
}
