//! Files the worker writes: whole or not at all.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::PdfError;

/// Runs `write` on `output.part`, then renames it to `output`, so the name only ever
/// points at a whole file; the part is removed when anything fails. `write` should
/// flush to disk before it returns, or a crash after the rename can still lose data.
pub(crate) fn write_whole(
    output: &Path,
    write: impl FnOnce(&Path) -> Result<(), PdfError>,
) -> Result<(), PdfError> {
    let mut part = OsString::from(output.as_os_str());
    part.push(".part");
    let part = PathBuf::from(part);
    let result = write(&part)
        .and_then(|()| std::fs::rename(&part, output).map_err(|e| cannot_write(output, &e)));
    if result.is_err() {
        let _ = std::fs::remove_file(&part);
    }
    result
}

pub(crate) fn cannot_write(path: &Path, error: &std::io::Error) -> PdfError {
    PdfError::Pdfium(format!("could not write {}: {error}", path.display()))
}
