//! Ký số: whose signatures a document carries and whether they hold, checked on the
//! laptop alone against the certificates the hub's admin trusts; and the results and
//! minutes signed with the member's USB token.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use quorum_core::{
    AgendaItemId, AnswerStatement, MAX_ANSWER_SHEET_BYTES, Meeting, MeetingId, PollId, Sha256Hex,
};
use quorum_signatures::{
    Anchors, DocumentSignatures, Signing, SigningKey, sign_pdf, verify_document,
};
use quorum_token::{FileKey, Module, TokenCertificate};
use serde::Deserialize;
use tracing::warn;
use ts_rs::TS;

use crate::answer_sheets::ballot_to_answer;
use crate::{AppError, ExportedFile, Laptop, Result};

/// What a signature is for beyond the file itself, stated under it machine-readably.
#[derive(Debug, Clone, Copy, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum SignedFor {
    /// A poll's final results: where its ballots stand in the hub's log.
    #[serde(rename_all = "camelCase")]
    Results { poll_id: PollId },
    /// The member's answer sheet for a written opinion: sent to the hub once signed.
    #[serde(rename_all = "camelCase")]
    AnswerSheet { poll_id: PollId },
}

/// Where the PKCS#11 modules of the tokens officials carry install themselves (SafeNet
/// eToken, Bit4ID, OpenSC for smart cards, SoftHSM); `QUORUM_PKCS11_MODULE` (paths
/// separated by `:`) names others, tried first.
const TOKEN_MODULES: &[&str] = &[
    "/usr/lib/libeTPkcs11.so",
    "/usr/lib/x86_64-linux-gnu/libbit4xpki.so",
    "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so",
    "/usr/lib/softhsm/libsofthsm2.so",
];

/// Every module present on this laptop that loads.
fn token_modules() -> Vec<Arc<Module>> {
    let named = std::env::var("QUORUM_PKCS11_MODULE").unwrap_or_default();
    let mut paths: Vec<PathBuf> = named
        .split(':')
        .filter(|path| !path.is_empty())
        .map(PathBuf::from)
        .collect();
    for known in TOKEN_MODULES.iter().map(PathBuf::from) {
        if !paths.contains(&known) {
            paths.push(known);
        }
    }
    paths
        .into_iter()
        .filter(|path| path.exists())
        .filter_map(|path| match Module::load(&path) {
            Ok(module) => Some(module),
            Err(error) => {
                warn!(%error, "a token module does not load");
                None
            }
        })
        .collect()
}

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
        let anchors =
            Anchors::from_der(trusted.der.clone()).with_revocation_lists(&trusted.revocation_lists);
        let checked = verify_document(&pdf, &anchors, now);
        self.with_store(|store| store.save_signature_check(sha256, &trusted, now, &checked))?;
        Ok(checked)
    }
}

impl Laptop {
    /// The certificates on the tokens plugged in, for the member to pick one; no PIN
    /// is needed to list them.
    pub fn token_certificates(&self) -> Result<Vec<TokenCertificate>> {
        let mut found: Vec<TokenCertificate> = Vec::new();
        for module in token_modules() {
            for certificate in module.certificates()? {
                // One token reached through two names of its module is listed once.
                if !found
                    .iter()
                    .any(|known| known.summary == certificate.summary)
                {
                    found.push(certificate);
                }
            }
        }
        Ok(found)
    }

    /// Signs a PDF Quorum exported into `dir` (results, minutes, an answer sheet) as
    /// PAdES with the token certificate `fingerprint` names, after the PIN the member
    /// typed (used for this signature, never kept). Writes "… (ký số).pdf" beside it;
    /// the file signed is left as it was.
    pub fn sign_export(
        &self,
        dir: &Path,
        path: &Path,
        fingerprint: &str,
        pin: &str,
        reason: &str,
        purpose: Option<SignedFor>,
    ) -> Result<ExportedFile> {
        let file = exported(dir, path)?;
        let statement = self.statement_for(purpose)?;
        let certificate = self
            .token_certificates()?
            .into_iter()
            .find(|certificate| certificate.summary.fingerprint == fingerprint)
            .ok_or(AppError::NoSuchCertificate)?;
        let module = Module::load(Path::new(&certificate.module))?;
        let key = module.key(&certificate, pin)?;
        self.sign_with(&file, &key, reason, purpose, statement)
    }

    /// As [`Laptop::sign_export`], with the key of a PKCS#12 file (.p12, .pfx) opened
    /// with the password typed, for those without a token.
    pub fn sign_export_with_key_file(
        &self,
        dir: &Path,
        path: &Path,
        key_file: &Path,
        password: &str,
        reason: &str,
        purpose: Option<SignedFor>,
    ) -> Result<ExportedFile> {
        let file = exported(dir, path)?;
        let statement = self.statement_for(purpose)?;
        let p12 = std::fs::read(key_file).map_err(AppError::reading(key_file))?;
        let key = FileKey::open(&p12, password)?;
        self.sign_with(&file, &key, reason, purpose, statement)
    }

    /// What goes under the signature, machine-readably, for its purpose: asked before
    /// the key is, so a refused signing uses no PIN. For a poll's
    /// results, where its ballots stand in the hub's log, refused until final as late
    /// ballots could still change them; for an answer sheet, the ballot it answers.
    fn statement_for(&self, purpose: Option<SignedFor>) -> Result<Option<String>> {
        match purpose {
            None => Ok(None),
            Some(SignedFor::Results { poll_id }) => {
                let view = self.with_store(|store| store.poll(poll_id))?;
                let head = view.audit.ok_or(AppError::ResultsNotFinal)?;
                Ok(Some(head.statement(poll_id)))
            }
            Some(SignedFor::AnswerSheet { poll_id }) => {
                let ballot = ballot_to_answer(self, poll_id)?;
                Ok(Some(AnswerStatement::of(&ballot).text()))
            }
        }
    }

    /// Writes the signed copy of `file`, with `statement` (for `purpose`) under the
    /// signature, beside it; a signed answer sheet is also queued for the hub.
    fn sign_with(
        &self,
        file: &Path,
        key: &dyn SigningKey,
        reason: &str,
        purpose: Option<SignedFor>,
        statement: Option<String>,
    ) -> Result<ExportedFile> {
        let pdf = std::fs::read(file).map_err(AppError::reading(file))?;
        let signing = Signing {
            reason: Some(reason).filter(|reason| !reason.is_empty()),
            location: None,
            at: self.now(),
            keywords: statement.as_deref(),
        };
        let signed = sign_pdf(&pdf, key, &signing)?;
        let sheet_of = match purpose {
            Some(SignedFor::AnswerSheet { poll_id }) => Some(poll_id),
            _ => None,
        };
        if sheet_of.is_some() && signed.len() > MAX_ANSWER_SHEET_BYTES {
            return Err(AppError::AnswerSheetTooLarge(signed.len()));
        }
        let stem = file
            .file_stem()
            .map(|stem| stem.to_string_lossy().into_owned());
        let out = file.with_file_name(signed_name(&stem.unwrap_or_default()));
        std::fs::write(&out, &signed).map_err(AppError::writing(&out))?;
        if let Some(poll_id) = sheet_of {
            self.queue(|store, now| store.submit_answer_sheet(poll_id, &signed, now))?;
        }
        Ok(ExportedFile::at(&out, 0))
    }
}

impl Laptop {
    /// Puts a file Quorum exported into `dir` (a signed copy of the minutes or results)
    /// on an agenda item of its meeting and queues the meeting's publication: one step
    /// for the secretary. Refused while the secretary has unpublished edits of that
    /// meeting, which would go out with it; a failure leaves no draft behind.
    pub fn publish_export(
        &self,
        dir: &Path,
        meeting_id: MeetingId,
        item_id: AgendaItemId,
        path: &Path,
    ) -> Result<Meeting> {
        let file = exported(dir, path)?;
        if self.with_store(|store| store.draft(meeting_id))?.is_some() {
            return Err(AppError::DraftPending(meeting_id));
        }
        self.edit_meeting(meeting_id)?;
        let published = self
            .attach_path(meeting_id, item_id, &file)
            .and_then(|attached| {
                self.publish(meeting_id)?;
                Ok(attached.meeting)
            });
        if published.is_err() {
            self.discard_draft(meeting_id)?;
        }
        published
    }
}

/// The signed copy's name: "X (ký số).pdf", and for a copy signed again "X (ký số 2).pdf",
/// "X (ký số 3).pdf"…, so each signer's copy stays beside the one before.
fn signed_name(stem: &str) -> String {
    let again = stem
        .strip_suffix(" (ký số)")
        .map(|base| (base, 2))
        .or_else(|| {
            let (base, count) = stem.strip_suffix(')')?.rsplit_once(" (ký số ")?;
            Some((base, count.parse::<u32>().ok()? + 1))
        });
    match again {
        Some((base, count)) => format!("{base} (ký số {count}).pdf"),
        None => format!("{stem} (ký số).pdf"),
    }
}

/// `path`, if it is a file Quorum exported into `dir`: nothing else is signed from the
/// window.
fn exported(dir: &Path, path: &Path) -> Result<PathBuf> {
    let inside = |path: &Path| path.canonicalize().map_err(AppError::reading(path));
    let file = inside(path)?;
    if file.parent() != Some(inside(dir)?.as_path()) {
        return Err(AppError::NotAnExport(path.to_path_buf()));
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::signed_name;

    #[test]
    fn each_signers_copy_is_named_after_the_one_it_signs() {
        assert_eq!(
            signed_name("Biên bản - biên bản"),
            "Biên bản - biên bản (ký số).pdf"
        );
        assert_eq!(signed_name("Biên bản (ký số)"), "Biên bản (ký số 2).pdf");
        assert_eq!(signed_name("Biên bản (ký số 2)"), "Biên bản (ký số 3).pdf");
        assert_eq!(
            signed_name("Kết quả (ký số x)"),
            "Kết quả (ký số x) (ký số).pdf",
            "a name that only looks alike is left whole"
        );
    }
}
