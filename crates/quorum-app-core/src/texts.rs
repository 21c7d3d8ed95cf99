//! Work done when documents arrive: their page text goes into the store, so a search
//! never waits for the reader; and when the secretary replaced a document, the
//! member's annotations on the old version move to the same text in the new one (those
//! whose text is gone stay where they were, listed in the viewer).

use quorum_core::Annotation;
use quorum_core::anchor::reanchor;
use tracing::{info, warn};

use crate::{Laptop, Result};

impl Laptop {
    /// Extracts the text of every document that has none yet; returns how many.
    pub fn extract_new_texts(&self) -> Result<usize> {
        let pdf = self.pdf()?.clone();
        let mut extracted = 0;
        loop {
            let pending = self.with_store(|store| store.blobs_without_text())?;
            if pending.is_empty() {
                return Ok(extracted);
            }
            for sha256 in pending {
                // A document the reader cannot open is recorded without text: trying
                // again would fail again, and the viewer says what is wrong with it.
                let pages = pdf
                    .pages_text(&self.profile.blob_path(&sha256))
                    .unwrap_or_else(|error| {
                        warn!(%sha256, %error, "no text from this document");
                        Vec::new()
                    });
                let now = self.now();
                self.with_store(|store| store.save_page_texts(&sha256, &pages, now))?;
                info!(%sha256, pages = pages.len(), "document text extracted");
                extracted += 1;
            }
        }
    }

    /// Moves every annotation of the member's that sits on a replaced version; returns
    /// whether any moved (or was found to have no place).
    pub fn reanchor_replaced(&self) -> Result<bool> {
        let mut moved_any = false;
        for (document_id, current) in self.with_store(|store| store.documents_to_reanchor())? {
            let Ok(new_pages) = self.all_page_chars(&current) else {
                // Not downloaded yet, or unreadable: tried again after the next sync.
                continue;
            };
            let waiting =
                self.with_store(|store| store.annotations_to_reanchor(document_id, &current))?;
            for annotation in waiting {
                let old_chars = self
                    .page_chars(&annotation.document_sha256, annotation.page)
                    .ok();
                let place = reanchor(
                    &annotation.shape,
                    annotation.page,
                    old_chars.as_deref(),
                    &new_pages,
                );
                match place {
                    Some((page, shape)) => {
                        let now = self.now();
                        let moved = Annotation {
                            document_sha256: current.clone(),
                            page,
                            shape,
                            updated_at: now,
                            ..annotation
                        };
                        self.queue(|store, _| store.save_annotation(&moved, now))?;
                        info!(annotation = %moved.id, page, "annotation moved to the new version");
                    }
                    None => {
                        self.with_store(|store| store.mark_unanchored(annotation.id, &current))?;
                        info!(annotation = %annotation.id, "annotation has no place in the new version");
                    }
                }
                moved_any = true;
            }
        }
        Ok(moved_any)
    }
}
