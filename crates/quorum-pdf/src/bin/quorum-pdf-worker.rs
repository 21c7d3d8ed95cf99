//! `quorum-pdf-worker LIBPDFIUM`: the process that owns pdfium for Quorum. Started by
//! `quorum_pdf::PdfService`; reads requests on stdin, answers on stdout.

use std::path::PathBuf;
use std::process::ExitCode;

use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let Some(library) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: quorum-pdf-worker LIBPDFIUM");
        return ExitCode::FAILURE;
    };
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
