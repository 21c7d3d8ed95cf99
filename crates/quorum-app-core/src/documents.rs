//! A document's pages as the reader sees them: sizes and problems, the password, the
//! characters with their boxes, and where a query occurs on a page.

use std::path::PathBuf;

use quorum_core::anchor::PageChars;
use quorum_core::search::find_folded;
use quorum_core::{PageRect, Sha256Hex};
use quorum_pdf::{Page, Password, PdfError};

use crate::{AppError, Laptop, Result};

impl Laptop {
    /// The file of a document whose bytes are here and matched their hash; never any
    /// other.
    pub fn verified_blob(&self, sha256: &Sha256Hex) -> Result<PathBuf> {
        if !self.with_store(|store| store.blob_is_verified(sha256))? {
            return Err(AppError::NotDownloaded(sha256.clone()));
        }
        Ok(self.profile.blob_path(sha256))
    }

    /// A document's pages as the viewer lays them out: sizes in PDF points, and which
    /// pages cannot be shown and why.
    pub fn document_pages(&self, sha256: &Sha256Hex) -> Result<Vec<Page>> {
        let path = self.verified_blob(sha256)?;
        Ok(self.pdf()?.info(&path)?.pages)
    }

    /// Why a page's image did not arrive, when the reader knows.
    pub fn page_failure(&self, sha256: &Sha256Hex, page: u32) -> Result<Option<PdfError>> {
        let path = self.verified_blob(sha256)?;
        Ok(self.pdf()?.page_failure(&path, page))
    }

    /// Opens a protected document with the password the member typed; it is kept in
    /// memory only, until Quorum closes.
    pub fn unlock_document(&self, sha256: &Sha256Hex, password: Password) -> Result<Vec<Page>> {
        let path = self.verified_blob(sha256)?;
        Ok(self.pdf()?.unlock(&path, password)?.pages)
    }

    /// A page's characters with their boxes in PDF points, in reading order.
    pub fn page_chars(&self, sha256: &Sha256Hex, page: u32) -> Result<PageChars> {
        let path = self.verified_blob(sha256)?;
        Ok(self
            .pdf()?
            .text(&path, page)?
            .into_iter()
            .map(|c| {
                let rect = PageRect {
                    left: c.left,
                    bottom: c.bottom,
                    right: c.right,
                    top: c.top,
                };
                (c.ch, rect)
            })
            .collect())
    }

    /// Every page's characters, as [`Laptop::page_chars`].
    pub(crate) fn all_page_chars(&self, sha256: &Sha256Hex) -> Result<Vec<PageChars>> {
        let path = self.verified_blob(sha256)?;
        let count = self.pdf()?.info(&path)?.pages.len();
        (0..u32::try_from(count).unwrap_or(u32::MAX))
            .map(|page| self.page_chars(sha256, page))
            .collect()
    }

    /// Where `query` occurs on one page, ignoring case and diacritics, as boxes in PDF
    /// points to mark it in the viewer.
    pub fn find_in_page(
        &self,
        sha256: &Sha256Hex,
        page: u32,
        query: &str,
    ) -> Result<Vec<PageRect>> {
        let chars = self.page_chars(sha256, page)?;
        let text: String = chars.iter().map(|(c, _)| *c).collect();
        Ok(find_folded(&text, query)
            .into_iter()
            .filter_map(|found| {
                let matched = chars.get(found)?;
                let first = matched.first()?.1;
                Some(matched.iter().fold(first, |rect, (_, c)| PageRect {
                    left: rect.left.min(c.left),
                    bottom: rect.bottom.min(c.bottom),
                    right: rect.right.max(c.right),
                    top: rect.top.max(c.top),
                }))
            })
            .collect())
    }
}
