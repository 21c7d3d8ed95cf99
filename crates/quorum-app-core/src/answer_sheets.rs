//! Signed answer sheets (phiếu lấy ý kiến, ký số) for written opinions: the member lays
//! out their answer, signs it with their token and sends it; the chair and secretaries
//! see, checked on their own laptop, whose answers carry a valid signature.

use std::path::Path;

use chrono::{DateTime, Utc};
use quorum_core::{AnswerStatement, Ballot, MemberId, PollId};
use quorum_pdf::Report;
use quorum_signatures::{Anchors, SignatureCheck, Verdict, last_signed_statement, verify_document};
use quorum_store::{BallotStatus, Store};
use serde::Serialize;
use ts_rs::TS;

use crate::exports::{file_name, write_file};
use crate::{AppError, ExportedFile, Laptop, Result};

/// A member's signed sheet as the chair's or secretary's laptop judges it.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AnswerSheetCheck {
    pub member_id: MemberId,
    /// hợp lệ, không hợp lệ (also when it names another poll or member), chưa xác định.
    pub verdict: Verdict,
    /// The signature over the sheet's statement: who signed, when, and why it does not
    /// hold plainly; `None` when no signature states one.
    pub signature: Option<SignatureCheck>,
}

/// The sheets the hub passed on for `poll_id`, each checked against the certificates
/// this laptop trusts.
pub(crate) fn checked_sheets(
    store: &Store,
    poll_id: PollId,
    now: DateTime<Utc>,
) -> quorum_store::Result<Vec<AnswerSheetCheck>> {
    let sheets = store.answer_sheets(poll_id)?;
    if sheets.is_empty() {
        return Ok(Vec::new());
    }
    let trusted = store.trusted_certificates()?;
    let anchors = Anchors::from_der(trusted.der).with_revocation_lists(&trusted.revocation_lists);
    Ok(sheets
        .into_iter()
        .map(|(member_id, pdf)| {
            let checked = verify_document(&pdf, &anchors, now);
            let stated = last_signed_statement(&pdf, &checked, AnswerStatement::read);
            match stated {
                Some((signature, statement))
                    if statement.poll_id == poll_id && statement.member_id == member_id =>
                {
                    AnswerSheetCheck {
                        member_id,
                        verdict: signature.verdict,
                        signature: Some(signature.clone()),
                    }
                }
                _ => AnswerSheetCheck {
                    member_id,
                    verdict: Verdict::Invalid,
                    signature: None,
                },
            }
        })
        .collect())
}

/// The member's latest ballot cast here for `poll_id` that the hub has not refused: the
/// one a sheet answers.
pub(crate) fn ballot_to_answer(laptop: &Laptop, poll_id: PollId) -> Result<Ballot> {
    let (view, mine) =
        laptop.with_store(|store| Ok((store.poll(poll_id)?, store.my_ballots(poll_id)?)))?;
    if !view.poll.takes_answer_sheets() {
        return Err(AppError::NoAnswerSheetHere);
    }
    mine.into_iter()
        .find(|mine| !matches!(mine.status, BallotStatus::Refused { .. }))
        .map(|mine| mine.ballot)
        .ok_or(AppError::NoBallotToAnswer)
}

impl Laptop {
    /// Lays out the member's answer sheet for `poll_id` (the window composes `report` in
    /// the member's language) into `dir`, to be signed; refused without a ballot of
    /// theirs cast here.
    pub fn write_answer_sheet(
        &self,
        dir: &Path,
        poll_id: PollId,
        title: &str,
        report: &Report,
    ) -> Result<ExportedFile> {
        ballot_to_answer(self, poll_id)?;
        let path = dir.join(file_name(title, "phiếu lấy ý kiến.pdf"));
        self.pdf()?.write_report(&path, report)?;
        Ok(ExportedFile::at(&path, 0))
    }

    /// Saves a copy of `member_id`'s signed sheet for `poll_id` into `dir`.
    pub fn save_answer_sheet(
        &self,
        dir: &Path,
        poll_id: PollId,
        member_id: MemberId,
        title: &str,
    ) -> Result<ExportedFile> {
        let pdf = self
            .with_store(|store| store.answer_sheets(poll_id))?
            .into_iter()
            .find_map(|(member, pdf)| (member == member_id).then_some(pdf))
            .ok_or(AppError::NoSuchAnswerSheet)?;
        let path = dir.join(file_name(title, "phiếu lấy ý kiến (ký số).pdf"));
        write_file(&path, &pdf)?;
        Ok(ExportedFile::at(&path, 0))
    }
}
