//! Members' signed answer sheets (phiếu lấy ý kiến, ký số) for written opinions. A
//! sheet is taken only when its signature holds over a statement naming the member's
//! ballot that counts; it goes to the member's devices, the chair and the secretaries,
//! and is withdrawn once the member votes again, as it no longer answers for their
//! choice.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use quorum_core::protocol::{InvalidOperation, Record};
use quorum_core::{AnswerStatement, CommitteeId, Member, MemberId, Poll, PollId};
use quorum_signatures::{Verdict, last_signed_statement, verify_document};
use rusqlite::params;

use crate::audit::Logged;
use crate::db::Db;
use crate::intake::NotApplied;
use crate::{HubError, anchors, store};

/// Takes `member`'s sheet (`sheet`, the PDF in hexadecimal) for `poll` when it answers
/// `counted`, their ballot that counts.
pub(crate) fn take(
    conn: &Db,
    member: &Member,
    poll: &Poll,
    committee_id: CommitteeId,
    counted: Option<&Logged>,
    sheet: &str,
    now: DateTime<Utc>,
) -> Result<(), NotApplied> {
    if !poll.takes_answer_sheets() {
        return Err(InvalidOperation::NoAnswerSheetHere.into());
    }
    let pdf = hex::decode(sheet).map_err(|_| InvalidOperation::AnswerSheetUnsigned)?;
    let checked = verify_document(&pdf, &anchors::trust(conn)?, now);
    let (signature, statement) = last_signed_statement(&pdf, &checked, AnswerStatement::read)
        .ok_or(InvalidOperation::AnswerSheetUnsigned)?;
    // Undetermined passes: trust in the signer is the readers' judgement, with the
    // certificates they hold; a broken signature is nobody's answer.
    if signature.verdict == Verdict::Invalid {
        return Err(InvalidOperation::AnswerSheetSignatureInvalid.into());
    }
    let answers = counted.is_some_and(|logged| {
        statement == AnswerStatement::of(&logged.ballot) && statement.member_id == member.id
    });
    if !answers || statement.poll_id != poll.id {
        return Err(InvalidOperation::AnswerSheetNotForBallot.into());
    }
    conn.execute(
        "INSERT INTO answer_sheets (poll_id, member_id, ballot, received_at)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (poll_id, member_id) DO UPDATE SET ballot = excluded.ballot,
           received_at = excluded.received_at",
        params![
            poll.id.to_string(),
            member.id.to_string(),
            statement.ballot,
            now
        ],
    )?;
    let record = Record::AnswerSheet {
        committee_id,
        poll_id: poll.id,
        member_id: member.id,
        sheet: Some(sheet.to_string()),
    };
    store::append_change(conn, committee_id, &record, now)?;
    Ok(())
}

/// Withdraws the sheets of `poll_id` that no longer answer their member's ballot that
/// counts (`counted`).
pub(crate) fn withdraw_stale(
    conn: &Db,
    poll_id: PollId,
    committee_id: CommitteeId,
    counted: &[Logged],
    now: DateTime<Utc>,
) -> Result<(), HubError> {
    let sheets: Vec<(MemberId, String)> = conn.query_map(
        "SELECT member_id, ballot FROM answer_sheets WHERE poll_id = ?1",
        [poll_id.to_string()],
        |row| Ok((store::parse_column(0, row.get(0)?)?, row.get(1)?)),
    )?;
    if sheets.is_empty() {
        return Ok(());
    }
    let counting: HashMap<MemberId, String> = counted
        .iter()
        .map(|logged| (logged.ballot.member_id, logged.ballot.fingerprint()))
        .collect();
    for (member_id, ballot) in sheets {
        if counting.get(&member_id) == Some(&ballot) {
            continue;
        }
        conn.execute(
            "DELETE FROM answer_sheets WHERE poll_id = ?1 AND member_id = ?2",
            params![poll_id.to_string(), member_id.to_string()],
        )?;
        let record = Record::AnswerSheet {
            committee_id,
            poll_id,
            member_id,
            sheet: None,
        };
        store::append_change(conn, committee_id, &record, now)?;
    }
    Ok(())
}
