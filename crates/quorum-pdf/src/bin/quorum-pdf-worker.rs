//! `quorum-pdf-worker LIBPDFIUM MEMORY_LIMIT_MB PAGES`: the process that owns pdfium for
//! Quorum. Started by `quorum_pdf::PdfService`; reads requests on stdin, answers on
//! stdout and leaves rendered pixels in the file PAGES (memory the app shares with it,
//! handed over as `/dev/fd/N`); ends with the app that started it, and fails a request
//! that needs more memory than its limit instead of letting the system run out.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    quorum_logging::to_stderr("warn");
    let mut args = std::env::args_os().skip(1);
    let (Some(library), Some(memory_limit), Some(pages)) = (args.next(), args.next(), args.next())
    else {
        eprintln!("usage: quorum-pdf-worker LIBPDFIUM MEMORY_LIMIT_MB PAGES");
        return ExitCode::FAILURE;
    };
    let memory_limit_mb = memory_limit.to_str().and_then(|mb| mb.parse::<u64>().ok());
    if let Err(error) = quorum_pdf::worker::confine(memory_limit_mb) {
        eprintln!("quorum-pdf-worker: {error}");
        return ExitCode::FAILURE;
    }
    let canvas = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&pages)
        .and_then(quorum_pdf::worker::Canvas::open);
    let canvas = match canvas {
        Ok(canvas) => canvas,
        Err(error) => {
            eprintln!(
                "quorum-pdf-worker: the page memory {}: {error}",
                Path::new(&pages).display()
            );
            return ExitCode::FAILURE;
        }
    };
    let stdin = std::io::stdin().lock();
    let stdout = std::io::stdout().lock();
    let library = PathBuf::from(library);
    match quorum_pdf::worker::run(&library, canvas, stdin, std::io::BufWriter::new(stdout)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("quorum-pdf-worker: {error}");
            ExitCode::FAILURE
        }
    }
}
