//! The app's side: starts a worker, sends it requests, and replaces it when it dies.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Mutex;

use tracing::{instrument, warn};

use crate::PdfError;
use crate::protocol::{Answer, DocumentInfo, Request, TextChar};

/// A rendered page: `width × height` pixels, 4 bytes (RGBA) each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedPage {
    pub width: u32,
    pub height: u32,
    pub rgba: Vec<u8>,
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

/// PDF work done in a worker process. Cheap to share: requests take turns.
pub struct PdfService {
    program: PathBuf,
    library: PathBuf,
    worker: Mutex<Option<Worker>>,
}

impl PdfService {
    /// `program` is the `quorum-pdf-worker` binary; `library` the libpdfium it loads.
    pub fn new(program: PathBuf, library: PathBuf) -> Self {
        Self {
            program,
            library,
            worker: Mutex::new(None),
        }
    }

    /// Page count and page sizes.
    pub fn info(&self, path: &Path) -> Result<DocumentInfo, PdfError> {
        match self.call(Request::Info { path: path.into() })? {
            (Answer::Info { info }, _) => Ok(info),
            (other, _) => Err(unexpected(&other)),
        }
    }

    /// Renders page `page` (zero-based) `width` pixels wide.
    pub fn render(&self, path: &Path, page: u32, width: u32) -> Result<RenderedPage, PdfError> {
        match self.call(Request::Render {
            path: path.into(),
            page,
            width,
        })? {
            (Answer::Rendered { width, height, .. }, rgba) => Ok(RenderedPage {
                width,
                height,
                rgba,
            }),
            (other, _) => Err(unexpected(&other)),
        }
    }

    /// The characters of page `page` with their boxes, in reading order.
    pub fn text(&self, path: &Path, page: u32) -> Result<Vec<TextChar>, PdfError> {
        match self.call(Request::Text {
            path: path.into(),
            page,
        })? {
            (Answer::Text { chars }, _) => Ok(chars),
            (other, _) => Err(unexpected(&other)),
        }
    }

    /// The running worker's process id, if one runs.
    pub fn worker_pid(&self) -> Option<u32> {
        self.worker
            .lock()
            .ok()?
            .as_ref()
            .map(|worker| worker.child.id())
    }

    /// Sends `request`; a worker that dies is replaced and the request tried once more,
    /// so a crash caused by an earlier document does not fail this one. A document
    /// that kills two workers in a row is reported as having crashed the reader.
    #[instrument(skip(self), err(level = "warn"))]
    fn call(&self, request: Request) -> Result<(Answer, Vec<u8>), PdfError> {
        let mut slot = self
            .worker
            .lock()
            .map_err(|_| PdfError::Worker("the worker lock was poisoned".into()))?;
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
