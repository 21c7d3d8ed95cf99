//! `quorum-pdf-worker LIBPDFIUM [MEMORY_LIMIT_MB]`: the process that owns pdfium for
//! Quorum. Started by `quorum_pdf::PdfService`; reads requests on stdin, answers on
//! stdout; ends with the app that started it, and fails a request that needs more
//! memory than its limit instead of letting the system run out.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    quorum_logging::to_stderr("warn");
    let mut args = std::env::args_os().skip(1);
    let Some(library) = args.next().map(PathBuf::from) else {
        eprintln!("usage: quorum-pdf-worker LIBPDFIUM [MEMORY_LIMIT_MB]");
        return ExitCode::FAILURE;
    };
    let memory_limit_mb = args.next().and_then(|mb| mb.to_str()?.parse::<u64>().ok());
    if let Err(error) = quorum_pdf::worker::confine(memory_limit_mb) {
        eprintln!("quorum-pdf-worker: {error}");
        return ExitCode::FAILURE;
    }
    let stdin = std::io::stdin().lock();
    let stdout = std::io::stdout().lock();
    match quorum_pdf::worker::run(&library, stdin, std::io::BufWriter::new(stdout)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("quorum-pdf-worker: {error}");
            ExitCode::FAILURE
        }
    }
}
