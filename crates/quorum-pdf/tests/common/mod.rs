//! What the PDF tests share: a service with the real worker and real libpdfium, the
//! documents they read, and the checks they repeat.

#![allow(dead_code)] // each test file uses a different part of this kit

pub mod logged;

use std::path::{Path, PathBuf};

use quorum_pdf::{PdfService, locate_library};

/// The sample report every test may read: 14 A4 pages.
pub const REPORT: &str = "02-bao-cao-kinh-te-xa-hoi.pdf";

/// A service with the real worker binary and the libpdfium found as the app finds it.
pub fn service() -> PdfService {
    let library =
        locate_library().expect("libpdfium is provided (scripts/setup.sh sets QUORUM_PDFIUM)");
    PdfService::new(env!("CARGO_BIN_EXE_quorum-pdf-worker").into(), library)
}

/// A document of the app's sample meeting.
pub fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../assets/sample/documents")
        .join(name)
}

/// A file made for these tests (tests/fixtures).
pub fn fixture(name: &str) -> PathBuf {
    in_tests("fixtures", name)
}

/// A damaged or hostile file written by another project (tests/hostile).
pub fn hostile(name: &str) -> PathBuf {
    in_tests("hostile", name)
}

fn in_tests(folder: &str, name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(folder)
        .join(name)
}

/// Asserts that `service` draws page `page` of `path` at the `width` asked for.
#[track_caller]
pub fn assert_draws(service: &PdfService, path: &Path, page: u32, width: u32, why: &str) {
    let drawn = service
        .render(path, page, width)
        .unwrap_or_else(|e| panic!("{why}: page {page} of {} draws: {e}", path.display()));
    assert_eq!(drawn.width, width, "{why}");
}

/// Asserts that `service` still opens the sample report, all 14 pages of it.
#[track_caller]
pub fn assert_report_opens(service: &PdfService, why: &str) {
    let info = service
        .info(&sample(REPORT))
        .unwrap_or_else(|e| panic!("{why}: the report opens: {e}"));
    assert_eq!(info.pages.len(), 14, "{why}");
}
