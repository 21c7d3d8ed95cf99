//! Taking a PDF into the laptop, the one way for a file the secretary picks, drops on
//! an item, or puts in a watched folder: kept by its hash, every page checked, and
//! titled from its file name.

use quorum_core::Sha256Hex;
use quorum_pdf::PdfError;
use quorum_store::AttachedFile;

use crate::drafts::AttachWarning;
use crate::{AppError, Laptop, Result};

/// A document's title from its file name: no extension, no leading agenda number
/// ("02-", "2 - "), dashes and underscores read as spaces.
pub(crate) fn title_from_file_name(file_name: &str) -> String {
    let stem = match file_name.rsplit_once('.') {
        Some((stem, extension)) if extension.eq_ignore_ascii_case("pdf") => stem,
        _ => file_name,
    };
    let words = stem
        .trim_start_matches(|c: char| c.is_ascii_digit() || " -._".contains(c))
        .replace(['-', '_'], " ");
    let title = words.split_whitespace().collect::<Vec<_>>().join(" ");
    if title.is_empty() {
        stem.to_string()
    } else {
        title
    }
}

impl Laptop {
    /// Keeps `bytes` as a document of this laptop and checks that its pages can be
    /// drawn. A file none of whose pages can be shown is refused, and forgotten unless
    /// the laptop held it before.
    pub(crate) fn import_pdf(
        &self,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<(AttachedFile, Option<AttachWarning>)> {
        let (sha256, size_bytes) =
            Sha256Hex::of_reader(&mut &bytes[..]).map_err(AppError::reading(file_name))?;
        let path = self.profile.blob_path(&sha256);
        let existed = path.exists();
        if !existed {
            let part = path.with_extension("part");
            std::fs::write(&part, bytes)
                .and_then(|()| std::fs::rename(&part, &path))
                .map_err(AppError::writing(&path))?;
        }
        let checked = match self.pdf()?.check(&path) {
            Ok(info) => {
                let not_shown = info.pages_not_shown();
                let total = u32::try_from(info.pages.len()).unwrap_or(u32::MAX);
                if not_shown.len() == info.pages.len() {
                    Err(AppError::NoPageShown {
                        file: file_name.to_string(),
                    })
                } else {
                    let warning = (!not_shown.is_empty()).then(|| AttachWarning::PagesNotShown {
                        file: file_name.to_string(),
                        pages: not_shown,
                        total,
                    });
                    Ok((total, warning))
                }
            }
            // Its pages cannot be counted without the password: the count shows as
            // unknown, and members are asked for the password when they open it.
            Err(PdfError::PasswordProtected) => Ok((
                0,
                Some(AttachWarning::Protected {
                    file: file_name.to_string(),
                }),
            )),
            Err(error) => Err(error.into()),
        };
        let (page_count, warning) = checked.inspect_err(|_| {
            if !existed {
                let _ = std::fs::remove_file(&path);
            }
        })?;
        let file = AttachedFile {
            title: title_from_file_name(file_name),
            file_name: file_name.to_string(),
            sha256,
            size_bytes,
            page_count,
        };
        Ok((file, warning))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_title_is_the_file_name_without_its_number_extension_or_dashes() {
        for (file, title) in [
            ("03-phu-luc-du-toan.pdf", "phu luc du toan"),
            ("2 - Báo cáo tình hình.PDF", "Báo cáo tình hình"),
            ("Tờ_trình số 12.pdf", "Tờ trình số 12"),
            ("Kế hoạch.docx.pdf", "Kế hoạch.docx"),
            ("2026.pdf", "2026"),
        ] {
            assert_eq!(title_from_file_name(file), title, "{file}");
        }
    }
}
