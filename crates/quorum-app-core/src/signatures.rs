//! Ký số: whose signatures a document carries and whether they hold, checked on the
//! laptop alone against the certificates the hub's admin trusts.

use quorum_core::Sha256Hex;
use quorum_signatures::{Anchors, DocumentSignatures, verify_document};

use crate::{AppError, Laptop, Result};

impl Laptop {
    /// The document's signatures, checked against the certificates trusted now: once
    /// per document and set of certificates, then read back. Needs no network.
    pub fn document_signatures(&self, sha256: &Sha256Hex) -> Result<DocumentSignatures> {
        let path = self.verified_blob(sha256)?;
        let trusted = self.with_store(|store| store.trusted_certificates())?;
        if let Some(checked) = self.with_store(|store| store.signature_check(sha256, &trusted))? {
            return Ok(checked);
        }
        let pdf = std::fs::read(&path).map_err(AppError::reading(&path))?;
        let now = self.now();
        let checked = verify_document(&pdf, &Anchors::from_der(trusted.der.clone()), now);
        self.with_store(|store| store.save_signature_check(sha256, &trusted, now, &checked))?;
        Ok(checked)
    }
}
