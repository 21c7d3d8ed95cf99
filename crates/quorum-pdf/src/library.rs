use std::path::{Path, PathBuf};

use crate::PdfError;

/// Names the libpdfium file to use, ahead of every other place.
pub const LIBRARY_ENV: &str = "QUORUM_PDFIUM";

#[cfg(target_os = "linux")]
const LIBRARY_FILE: &str = "libpdfium.so";
#[cfg(target_os = "macos")]
const LIBRARY_FILE: &str = "libpdfium.dylib";
#[cfg(target_os = "windows")]
const LIBRARY_FILE: &str = "pdfium.dll";

/// Finds libpdfium: `$QUORUM_PDFIUM`, else beside the running program.
pub fn locate_library() -> Result<PathBuf, PdfError> {
    locate_library_bundled(None)
}

/// As [`locate_library`], then in the `pdfium/` folder of an installed app's resources
/// (`/usr/lib/Quorum/pdfium/` for the Debian package).
pub fn locate_library_bundled(resources: Option<&Path>) -> Result<PathBuf, PdfError> {
    let mut candidates = Vec::new();
    if let Some(path) = std::env::var_os(LIBRARY_ENV) {
        candidates.push(PathBuf::from(path));
    }
    if let Some(dir) = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(PathBuf::from))
    {
        candidates.push(dir.join(LIBRARY_FILE));
    }
    if let Some(resources) = resources {
        candidates.push(resources.join("pdfium").join(LIBRARY_FILE));
    }
    match candidates.iter().find(|path| path.is_file()) {
        Some(found) => Ok(found.clone()),
        None => Err(PdfError::LibraryMissing {
            searched: candidates
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}
