//! The app's side: starts workers, sends them requests with a deadline, replaces a
//! worker that dies or stops answering, and stops asking about what broke one twice.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use command_fds::{CommandFdExt, FdMapping};
use lru::LruCache;

use tracing::{debug, warn};

use crate::pages::PageMemory;
use crate::protocol::{
    Answer, DocumentInfo, ExportedAnnotation, FoundAnnotation, Password, Report, Request, Strip,
    TextChar,
};
use crate::{MAX_BITMAP_PIXELS, PdfError};

/// A rendered page: `width × height` pixels, 4 bytes each in blue, green, red, alpha
/// order, rows top to bottom, as pdfium drew them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedPage {
    pub width: u32,
    pub height: u32,
    bgra: Vec<u8>,
}

impl RenderedPage {
    /// A page from its pixels, `width × height × 4` bytes of them.
    pub fn from_bgra(width: u32, height: u32, bgra: &[u8]) -> RenderedPage {
        RenderedPage {
            width,
            height,
            bgra: bgra.to_vec(),
        }
    }

    /// The pixels, in BGRA order.
    pub fn bgra(&self) -> &[u8] {
        &self.bgra
    }

    /// The page as the PNG the viewer is sent, opaque, quickly compressed: a page of text
    /// is some tens of kilobytes instead of megabytes of raw pixels, which the webview took
    /// 100-200 ms to take in (its custom-scheme loads arrive a few kilobytes at a time).
    pub fn png(&self) -> Result<Vec<u8>, PdfError> {
        let rgb: Vec<u8> = self
            .bgra
            .chunks_exact(4)
            .flat_map(|pixel| [pixel[2], pixel[1], pixel[0]])
            .collect();
        let mut png = Vec::with_capacity(rgb.len() / 16);
        let mut encoder = png::Encoder::new(&mut png, self.width, self.height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_compression(png::Compression::Fast);
        encoder
            .write_header()
            .and_then(|mut writer| writer.write_image_data(&rgb))
            .map_err(|error| PdfError::Encoding(error.to_string()))?;
        Ok(png)
    }
}

/// How long a worker may take and how much memory it may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkerLimits {
    /// What reading a document may take; a request with more work (a large page, many
    /// annotations, many pages) gets a multiple of it.
    pub patience: Duration,
    /// Memory a worker may take, in megabytes (Linux).
    pub memory_mb: u64,
}

impl Default for WorkerLimits {
    /// Ten seconds, on a laptop where a page usually takes a tenth of one; 1 GB, twice
    /// what the heaviest page of ~1,950 hostile test files needed.
    fn default() -> Self {
        Self {
            patience: Duration::from_secs(10),
            memory_mb: 1024,
        }
    }
}

/// A worker process: requests go to its standard input; its answers are read by a
/// thread of their own, so waiting for one can end at a deadline. A rendered page's
/// pixels are left in `pages`, memory the two processes share, and read from there.
struct Worker {
    pid: u32,
    input: ChildStdin,
    answers: Receiver<Result<Answer, String>>,
    pages: PageMemory,
}

/// Why an exchange with a worker failed: it is past its deadline, or it is gone (or
/// said something that is not an answer, which is treated the same).
enum Failure {
    TimedOut,
    Died(String),
}

impl Worker {
    fn exchange(
        &mut self,
        request: &Request,
        deadline: Duration,
    ) -> Result<(Answer, Option<RenderedPage>), Failure> {
        let sent = serde_json::to_writer(&mut self.input, request)
            .map_err(std::io::Error::from)
            .and_then(|()| self.input.write_all(b"\n"))
            .and_then(|()| self.input.flush());
        if let Err(error) = sent {
            return Err(Failure::Died(error.to_string()));
        }
        let answer = match self.answers.recv_timeout(deadline) {
            Ok(Ok(answer)) => answer,
            Ok(Err(why)) => return Err(Failure::Died(why)),
            Err(RecvTimeoutError::Timeout) => return Err(Failure::TimedOut),
            Err(RecvTimeoutError::Disconnected) => {
                return Err(Failure::Died("the worker ended".into()));
            }
        };
        let page = read_page(&answer, &self.pages).map_err(Failure::Died)?;
        Ok((answer, page))
    }
}

/// Longest answer line read: the text of a very dense page is a few megabytes.
const MAX_ANSWER_LINE: u64 = 64 * 1024 * 1024;

/// Reads a worker's answers until it ends or says something that is not an answer.
fn read_answers(output: ChildStdout, answers: &Sender<Result<Answer, String>>) {
    let mut output = BufReader::new(output);
    loop {
        let answer = read_answer(&mut output);
        let ended = answer.is_err();
        if answers.send(answer).is_err() || ended {
            return;
        }
    }
}

/// One answer line, at most [`MAX_ANSWER_LINE`] long.
fn read_answer(output: &mut impl BufRead) -> Result<Answer, String> {
    let mut line = Vec::new();
    let read = output
        .by_ref()
        .take(MAX_ANSWER_LINE)
        .read_until(b'\n', &mut line)
        .map_err(|e| e.to_string())?;
    if read == 0 {
        return Err("the worker ended".into());
    }
    if !line.ends_with(b"\n") {
        return Err("an answer was cut off or too long".into());
    }
    serde_json::from_slice(&line).map_err(|e| format!("not an answer: {e}"))
}

/// The page a rendered page's answer announces, from the shared page memory; its size
/// is checked before any memory is taken for it, so a worker gone wrong cannot make the
/// app allocate without bound.
fn read_page(answer: &Answer, pages: &PageMemory) -> Result<Option<RenderedPage>, String> {
    let &Answer::Rendered {
        width,
        height,
        bytes,
    } = answer
    else {
        return Ok(None);
    };
    let area = u64::from(width) * u64::from(height);
    if area > MAX_BITMAP_PIXELS || u64::try_from(bytes).ok() != Some(area * 4) {
        return Err(format!("{bytes} bytes do not fit a {width}×{height} page"));
    }
    let bgra = pages
        .first(bytes)
        .ok_or_else(|| format!("{bytes} bytes are more than the page memory holds"))?;
    Ok(Some(RenderedPage::from_bgra(width, height, bgra)))
}

/// The file descriptor a worker finds its page memory on.
const PAGES_FD: i32 = 3;

type SpawnRequest = (Command, Sender<std::io::Result<Child>>);

/// Starts worker processes from one thread that lives as long as the service: on Linux
/// a worker's parent-death signal fires when the thread that started it ends, and the
/// threads of a blocking pool come and go.
fn spawner() -> Sender<SpawnRequest> {
    let (requests, incoming) = mpsc::channel::<SpawnRequest>();
    let started = std::thread::Builder::new()
        .name("pdf-worker-spawner".into())
        .spawn(move || {
            for (mut command, reply) in incoming {
                let _ = reply.send(command.spawn());
            }
        });
    if let Err(error) = started {
        // Every start then fails with a clear error instead.
        warn!(%error, "no thread to start PDF workers from");
    }
    requests
}

/// What a request is about, for counting what broke a worker: a page, or a whole
/// document when no page is named.
type Subject = (PathBuf, Option<u32>);

/// What went wrong with a subject: how often it hung or crashed a worker, and the last
/// failure, for the viewer to say.
struct Trouble {
    strikes: u8,
    last: PdfError,
}

/// Times a subject may hang or crash a worker before it is not tried again.
const STRIKES: u8 = 2;

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Every critical section here leaves its data whole: a panic elsewhere is no reason
    // to stop reading documents.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
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

/// How soon a request's answer is wanted. While every worker is busy, a free one goes
/// to the waiting request of the highest priority: the page the member turned to
/// before its neighbours, thumbnails and pages rendered ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Priority {
    /// On screen now, or asked for by the member (a document's pages, its text).
    Shown = 0,
    /// Just off screen: what the next scroll shows.
    Near,
    Thumbnail,
    /// Rendered ahead of the reader, for the next page turn.
    Ahead,
}

impl Priority {
    const COUNT: usize = 4;
}

/// Worker slots free for a request (a running worker, or room to start one), and how
/// many requests of each priority wait for one.
struct Pool {
    idle: Vec<Option<Worker>>,
    waiting: [usize; Priority::COUNT],
}

/// Memory for rendered pages: about 11 pages at 1200 px wide, enough for the pages
/// rendered ahead and the last few read; the webview keeps its own copies of the pages
/// it shows, so a larger cache here mostly held pages twice (256 MB made the app 430 MB
/// once the 184-page manual was read through).
pub const DEFAULT_CACHE_BYTES: usize = 64 * 1024 * 1024;

/// PDF work done in worker processes. Cheap to share: requests take turns.
pub struct PdfService {
    program: PathBuf,
    library: PathBuf,
    limits: WorkerLimits,
    spawn: Sender<SpawnRequest>,
    /// Worker slots free for a request, and who waits for one.
    pool: Mutex<Pool>,
    freed: Condvar,
    /// Every worker process by pid, so any can be ended: past a deadline, at exit.
    children: Mutex<HashMap<u32, Child>>,
    stopped: AtomicBool,
    started: AtomicUsize,
    cache: Mutex<PageCache>,
    trouble: Mutex<HashMap<Subject, Trouble>>,
    /// Passwords members typed, by document: in memory only, for as long as the app runs.
    passwords: Mutex<HashMap<PathBuf, Password>>,
    page_counts: Mutex<HashMap<PathBuf, u32>>,
}

/// Worker processes at most: pdfium renders on one core each.
const MAX_WORKERS: usize = 4;

impl PdfService {
    /// `program` is the `quorum-pdf-worker` binary; `library` the libpdfium it loads.
    /// One worker per core (up to four), [`DEFAULT_CACHE_BYTES`] of rendered pages.
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
            limits: WorkerLimits::default(),
            spawn: spawner(),
            pool: Mutex::new(Pool {
                idle: (0..workers.max(1)).map(|_| None).collect(),
                waiting: [0; Priority::COUNT],
            }),
            freed: Condvar::new(),
            children: Mutex::new(HashMap::new()),
            stopped: AtomicBool::new(false),
            started: AtomicUsize::new(0),
            cache: Mutex::new(cache),
            trouble: Mutex::new(HashMap::new()),
            passwords: Mutex::new(HashMap::new()),
            page_counts: Mutex::new(HashMap::new()),
        }
    }

    /// The same service with other deadlines and memory cap for its workers.
    pub fn with_limits(mut self, limits: WorkerLimits) -> Self {
        self.limits = limits;
        self
    }

    /// Starts a worker now unless one runs, so the first document opened does not wait
    /// while one starts and loads pdfium (longer than drawing a page takes).
    pub fn start_ahead(&self) -> Result<(), PdfError> {
        let mut lease = self.lease(Priority::Ahead)?;
        if lease.worker.is_none() {
            lease.worker = Some(self.start_worker()?);
        }
        Ok(())
    }

    /// Page count, page sizes, and which pages cannot be shown.
    pub fn info(&self, path: &Path) -> Result<DocumentInfo, PdfError> {
        let request = Request::Info {
            path: path.into(),
            password: self.password_for(path),
        };
        let info = match self.call(request, self.limits.patience, Priority::Shown, &|| true)? {
            (Answer::Info { info }, _) => info,
            (other, _) => return Err(unexpected(&other)),
        };
        let count = u32::try_from(info.pages.len()).unwrap_or(u32::MAX);
        lock(&self.page_counts).insert(path.into(), count);
        Ok(info)
    }

    /// As [`PdfService::info`], with every page also loaded and drawn small, so a page
    /// that cannot be drawn is found before a member opens it. Slower: for attaching.
    pub fn check(&self, path: &Path) -> Result<DocumentInfo, PdfError> {
        let pages = self.info(path)?.pages.len();
        let request = Request::Check {
            path: path.into(),
            password: self.password_for(path),
        };
        // Drawing a page small costs about what parsing it does: a twentieth of the
        // patience per page is ample.
        let deadline = self.limits.patience + self.limits.patience / 20 * count(pages);
        match self.call(request, deadline, Priority::Shown, &|| true)? {
            (Answer::Info { info }, _) => Ok(info),
            (other, _) => Err(unexpected(&other)),
        }
    }

    /// Opens a protected document with `password`, kept in memory for the document's
    /// next requests until the app ends. A wrong one is [`PdfError::WrongPassword`].
    pub fn unlock(&self, path: &Path, password: Password) -> Result<DocumentInfo, PdfError> {
        let request = Request::Info {
            path: path.into(),
            password: Some(password.clone()),
        };
        let info = match self.call(request, self.limits.patience, Priority::Shown, &|| true)? {
            (Answer::Info { info }, _) => info,
            (other, _) => return Err(unexpected(&other)),
        };
        lock(&self.passwords).insert(path.into(), password);
        let count = u32::try_from(info.pages.len()).unwrap_or(u32::MAX);
        lock(&self.page_counts).insert(path.into(), count);
        Ok(info)
    }

    fn password_for(&self, path: &Path) -> Option<Password> {
        lock(&self.passwords).get(path).cloned()
    }

    /// Renders page `page` (zero-based) `width` pixels wide, from memory when it was
    /// rendered or prefetched before.
    pub fn render(
        &self,
        path: &Path,
        page: u32,
        width: u32,
    ) -> Result<Arc<RenderedPage>, PdfError> {
        self.render_strip(path, page, width, None, Priority::Shown, &|| true)
    }

    /// Renders rows `strip` of a page laid out `width` pixels wide (how a page too large
    /// for one bitmap is drawn, strip by strip), unless `wanted` says, once a worker is
    /// free, that the reader has moved on: then [`PdfError::NoLongerWanted`]. While
    /// workers are busy, requests of a higher `priority` are served first.
    pub fn render_strip(
        &self,
        path: &Path,
        page: u32,
        width: u32,
        strip: Option<Strip>,
        priority: Priority,
        wanted: &dyn Fn() -> bool,
    ) -> Result<Arc<RenderedPage>, PdfError> {
        let key = (path.to_path_buf(), page, width, strip);
        if let Some(cached) = lock(&self.cache).get(&key) {
            return Ok(cached);
        }
        let request = Request::Render {
            path: path.into(),
            password: self.password_for(path),
            page,
            width,
            strip,
        };
        // Drawing time grows with the pixels: the patience, and as much again per eight
        // megapixels (a whole page may be up to the bitmap limit).
        let pixels = strip.map_or(MAX_BITMAP_PIXELS, |strip| {
            (u64::from(strip.height) * u64::from(width)).min(MAX_BITMAP_PIXELS)
        });
        let deadline = self.limits.patience
            + self
                .limits
                .patience
                .mul_f64(pixels as f64 / (8.0 * 1024.0 * 1024.0));
        let rendered = match self.call(request, deadline, priority, wanted)? {
            (Answer::Rendered { .. }, Some(page)) => Arc::new(page),
            (other, _) => return Err(unexpected(&other)),
        };
        lock(&self.cache).put(key, rendered.clone());
        Ok(rendered)
    }

    /// Renders the `ahead` pages after `page` into the cache, so turning the page is
    /// instant. Pages past the end, and pages that cannot be drawn, are skipped quietly.
    pub fn prefetch(&self, path: &Path, page: u32, width: u32, ahead: u32) {
        let known = lock(&self.page_counts).get(path).copied();
        for next in page + 1..=page + ahead {
            if known.is_some_and(|count| next >= count) {
                return;
            }
            match self.render_strip(path, next, width, None, Priority::Ahead, &|| true) {
                Ok(_) | Err(PdfError::BadPage { .. }) => {}
                Err(PdfError::PageOutOfRange { .. }) => return,
                Err(error) => {
                    warn!(%error, page = next, "prefetch failed");
                    return;
                }
            }
        }
    }

    /// Whether a page is in memory already.
    pub fn is_cached(&self, path: &Path, page: u32, width: u32) -> bool {
        lock(&self.cache)
            .get(&(path.to_path_buf(), page, width, None))
            .is_some()
    }

    /// The characters of page `page` with their boxes, in reading order.
    pub fn text(&self, path: &Path, page: u32) -> Result<Vec<TextChar>, PdfError> {
        let request = Request::Text {
            path: path.into(),
            password: self.password_for(path),
            page,
        };
        match self.call(request, self.limits.patience, Priority::Shown, &|| true)? {
            (Answer::Text { chars }, _) => Ok(chars),
            (other, _) => Err(unexpected(&other)),
        }
    }

    /// The text of every page, in page order. A page that cannot be read has none; once
    /// a page hangs or crashes a worker the rest of the document is left without text,
    /// so one bad file costs one deadline, not one per page.
    pub fn pages_text(&self, path: &Path) -> Result<Vec<String>, PdfError> {
        let pages = self.info(path)?.pages.len();
        let mut texts = vec![String::new(); pages];
        for (page, text) in (0u32..).zip(texts.iter_mut()) {
            match self.text(path, page) {
                Ok(chars) => *text = chars.iter().map(|c| c.ch).collect(),
                Err(PdfError::BadPage { .. }) => {}
                Err(error) => {
                    warn!(%error, page, "the rest of this document is left without text");
                    break;
                }
            }
        }
        Ok(texts)
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
        let deadline = self.limits.patience * (1 + count(annotations.len()) / 100);
        match self.call(request, deadline, Priority::Shown, &|| true)? {
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
        let deadline = self.limits.patience * (1 + count(report.lines.len()) / 1000);
        match self.call(request, deadline, Priority::Shown, &|| true)? {
            (Answer::Written { pages }, _) => Ok(pages),
            (other, _) => Err(unexpected(&other)),
        }
    }

    /// Every annotation in a PDF file that pdfium can read.
    pub fn annotations(&self, path: &Path) -> Result<Vec<FoundAnnotation>, PdfError> {
        let request = Request::Annotations { path: path.into() };
        match self.call(request, self.limits.patience * 2, Priority::Shown, &|| true)? {
            (Answer::Annotations { annotations }, _) => Ok(annotations),
            (other, _) => Err(unexpected(&other)),
        }
    }

    /// What last went wrong drawing or reading page `page`, if it has not worked since.
    pub fn page_failure(&self, path: &Path, page: u32) -> Option<PdfError> {
        lock(&self.trouble)
            .get(&(path.to_path_buf(), Some(page)))
            .map(|trouble| trouble.last.clone())
    }

    /// The process ids of the workers running now.
    pub fn worker_pids(&self) -> Vec<u32> {
        lock(&self.children).keys().copied().collect()
    }

    /// How many worker processes were started so far.
    pub fn workers_started(&self) -> usize {
        self.started.load(Ordering::Relaxed)
    }

    /// Ends every worker, even one stuck inside pdfium, and starts no more: for the app's
    /// exit. Requests waiting on a worker fail.
    pub fn stop(&self) {
        self.stopped.store(true, Ordering::SeqCst);
        let children = std::mem::take(&mut *lock(&self.children));
        for (_, mut child) in children {
            let _ = child.kill();
            let _ = child.wait();
        }
        self.freed.notify_all();
    }

    /// Sends `request` to a free worker and waits at most `deadline` for the answer. A
    /// worker that dies is replaced and the request tried once more, so a crash caused
    /// by an earlier document does not fail this one; one past its deadline is killed.
    /// What hangs or crashes workers twice is not sent again ([`PdfError::ReaderGaveUp`]).
    ///
    /// `wanted` is asked once a worker is free: a request that waited while the reader
    /// moved on is dropped there, before any rendering.
    fn call(
        &self,
        request: Request,
        deadline: Duration,
        priority: Priority,
        wanted: &dyn Fn() -> bool,
    ) -> Result<(Answer, Option<RenderedPage>), PdfError> {
        let subject = request.subject();
        if lock(&self.trouble)
            .get(&subject)
            .is_some_and(|trouble| trouble.strikes >= STRIKES)
        {
            return Err(PdfError::ReaderGaveUp);
        }
        let mut lease = self.lease(priority)?;
        if !wanted() {
            return Err(PdfError::NoLongerWanted);
        }
        let result = self.exchange(&mut lease, &request, deadline, &subject);
        self.remember(subject, &result);
        result
    }

    fn exchange(
        &self,
        lease: &mut Lease<'_>,
        request: &Request,
        deadline: Duration,
        subject: &Subject,
    ) -> Result<(Answer, Option<RenderedPage>), PdfError> {
        loop {
            let mut worker = match lease.worker.take() {
                Some(worker) => worker,
                None => self.start_worker()?,
            };
            match worker.exchange(request, deadline) {
                Ok((Answer::Failed { error }, _)) => {
                    lease.worker = Some(worker);
                    return Err(error);
                }
                Ok(answer) => {
                    lease.worker = Some(worker);
                    return Ok(answer);
                }
                Err(Failure::TimedOut) => {
                    let seconds = deadline.as_secs_f64().ceil() as u64;
                    warn!(
                        seconds,
                        request = request.kind(),
                        "the PDF worker did not answer in time; replacing it"
                    );
                    self.end(worker.pid);
                    self.strike(subject);
                    return Err(PdfError::ReaderTimedOut { seconds });
                }
                Err(Failure::Died(why)) => {
                    warn!(%why, request = request.kind(), "the PDF worker died; starting a new one");
                    self.end(worker.pid);
                    if self.stopped.load(Ordering::SeqCst) || self.strike(subject) >= STRIKES {
                        return Err(PdfError::WorkerCrashed);
                    }
                }
            }
        }
    }

    /// Counts one hang or crash against `subject`; returns how many it has now.
    fn strike(&self, subject: &Subject) -> u8 {
        let mut trouble = lock(&self.trouble);
        let entry = trouble.entry(subject.clone()).or_insert(Trouble {
            strikes: 0,
            last: PdfError::WorkerCrashed,
        });
        entry.strikes = entry.strikes.saturating_add(1);
        entry.strikes
    }

    /// Keeps the last failure of a subject for the viewer to say; forgets it once the
    /// subject works.
    fn remember(
        &self,
        subject: Subject,
        result: &Result<(Answer, Option<RenderedPage>), PdfError>,
    ) {
        let mut trouble = lock(&self.trouble);
        match result {
            Ok(_) => {
                trouble.remove(&subject);
            }
            Err(PdfError::NoLongerWanted | PdfError::PageOutOfRange { .. }) => {}
            Err(error) => {
                debug!(%error, "PDF request failed");
                trouble
                    .entry(subject)
                    .and_modify(|trouble| trouble.last = error.clone())
                    .or_insert(Trouble {
                        strikes: 0,
                        last: error.clone(),
                    });
            }
        }
    }

    /// A free worker slot, waiting for one while all are busy or while a request that
    /// matters more waits too.
    fn lease(&self, priority: Priority) -> Result<Lease<'_>, PdfError> {
        let mut pool = lock(&self.pool);
        pool.waiting[priority as usize] += 1;
        loop {
            if self.stopped.load(Ordering::SeqCst) {
                pool.waiting[priority as usize] -= 1;
                return Err(PdfError::Worker("Quorum is closing".into()));
            }
            let first_in_line = pool.waiting[..priority as usize].iter().all(|&n| n == 0);
            // A running worker before room to start one.
            let running = pool.idle.iter().position(Option::is_some);
            let slot = match running {
                Some(at) => Some(pool.idle.swap_remove(at)),
                None => pool.idle.pop(),
            };
            match slot {
                Some(worker) if first_in_line => {
                    pool.waiting[priority as usize] -= 1;
                    return Ok(Lease {
                        service: self,
                        worker,
                    });
                }
                Some(worker) => pool.idle.push(worker),
                None => {}
            }
            pool = self
                .freed
                .wait(pool)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    fn start_worker(&self) -> Result<Worker, PdfError> {
        let cannot = |why: String| PdfError::Worker(format!("{}: {why}", self.program.display()));
        let (pages, for_worker) = PageMemory::create().map_err(|e| cannot(e.to_string()))?;
        let mut command = Command::new(&self.program);
        command
            .arg(&self.library)
            .arg(self.limits.memory_mb.to_string())
            .arg(format!("/dev/fd/{PAGES_FD}"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .fd_mappings(vec![FdMapping {
                parent_fd: for_worker,
                child_fd: PAGES_FD,
            }])
            .map_err(|e| cannot(e.to_string()))?;
        let (reply, spawned) = mpsc::channel();
        self.spawn
            .send((command, reply))
            .map_err(|_| cannot("no thread to start it from".into()))?;
        let mut child = spawned
            .recv()
            .map_err(|_| cannot("no thread to start it from".into()))?
            .map_err(|e| cannot(e.to_string()))?;
        let (Some(input), Some(output)) = (child.stdin.take(), child.stdout.take()) else {
            return Err(cannot("its pipes are missing".into()));
        };
        let pid = child.id();
        let (answers, answered) = mpsc::channel();
        std::thread::Builder::new()
            .name(format!("pdf-worker-{pid}"))
            .spawn(move || read_answers(output, &answers))
            .map_err(|e| cannot(e.to_string()))?;
        lock(&self.children).insert(pid, child);
        self.started.fetch_add(1, Ordering::Relaxed);
        if self.stopped.load(Ordering::SeqCst) {
            self.end(pid);
            return Err(PdfError::Worker("Quorum is closing".into()));
        }
        Ok(Worker {
            pid,
            input,
            answers: answered,
            pages,
        })
    }

    /// Kills and reaps worker `pid`, if it is still ours.
    fn end(&self, pid: u32) {
        let child = lock(&self.children).remove(&pid);
        if let Some(mut child) = child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for PdfService {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A worker slot taken for one request; back in the pool when dropped.
struct Lease<'a> {
    service: &'a PdfService,
    worker: Option<Worker>,
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        lock(&self.service.pool).idle.push(self.worker.take());
        // Every waiter looks: the one first in line takes the slot.
        self.service.freed.notify_all();
    }
}

fn count(items: usize) -> u32 {
    u32::try_from(items).unwrap_or(u32::MAX)
}

fn unexpected(answer: &Answer) -> PdfError {
    PdfError::Worker(format!("unexpected answer: {answer:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_png_holds_the_pixels_top_down_in_their_colours() {
        // A red pixel then a blue one, in pdfium's BGRA order.
        let red_then_blue = [0, 0, 255, 255, 255, 0, 0, 255];
        let png = RenderedPage::from_bgra(2, 1, &red_then_blue).png().unwrap();
        let mut reader = png::Decoder::new(std::io::Cursor::new(png))
            .read_info()
            .unwrap();
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        let frame = reader.next_frame(&mut pixels).unwrap();
        assert_eq!((frame.width, frame.height), (2, 1));
        assert_eq!(frame.color_type, png::ColorType::Rgb, "a page is opaque");
        assert_eq!(&pixels[..frame.buffer_size()], &[255, 0, 0, 0, 0, 255]);
    }
}
