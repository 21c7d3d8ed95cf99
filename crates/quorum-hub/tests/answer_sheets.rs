//! Signed answer sheets (phiếu lấy ý kiến, ký số) for written opinions through the hub's
//! API: taken only for the member's own ballot that counts, under a signature that
//! holds; passed to the member, the chair and the secretary and nobody else; withdrawn
//! when the member votes again.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::process::Command;

use common::votes::{Device, Voting, ballot_of, voting, written_opinion};
use quorum_core::protocol::{InvalidOperation, Outcome, Record};
use quorum_core::{
    AnswerStatement, Ballot, BallotSecrecy, MAX_ANSWER_SHEET_BYTES, OperationPayload, PollId,
};
use quorum_signatures::{Signing, sign_pdf};
use quorum_token::FileKey;

/// A test CA and its signer "Trần Thị Bình" (`scripts/test-ca.sh`), in `dir`.
fn test_ca(dir: &Path) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/test-ca.sh");
    let status = Command::new("bash")
        .arg(script)
        .arg("make")
        .arg(dir)
        .arg("http://127.0.0.1:9/ca.crl")
        .status()
        .expect("bash runs test-ca.sh");
    assert!(status.success(), "the test CA is made");
}

/// A one-page PDF (the sample's draft conclusions) signed by the CA's signer with
/// `keywords` under the signature.
fn signed_with(ca: &Path, keywords: &str) -> Vec<u8> {
    let pdf = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../assets/sample/documents/06-du-thao-ket-luan.pdf"),
    )
    .unwrap();
    let p12 = std::fs::read(ca.join("signer.p12")).unwrap();
    let key = FileKey::open(&p12, "mật khẩu 1").unwrap();
    let signing = Signing {
        reason: Some("Phiếu lấy ý kiến"),
        location: None,
        at: std::time::SystemTime::now().into(),
        keywords: Some(keywords),
    };
    sign_pdf(&pdf, &key, &signing).unwrap()
}

fn sheet_op(device: &Device, poll_id: PollId, pdf: &[u8]) -> quorum_core::Operation {
    device.op(OperationPayload::SubmitAnswerSheet {
        poll_id,
        sheet: hex::encode(pdf),
    })
}

/// The sheets in `device`'s feed: (poll, member, whether it carries one).
async fn sheets_seen(v: &Voting, device: &Device) -> Vec<(PollId, String, Option<String>)> {
    v.hub
        .feed(device)
        .await
        .into_iter()
        .filter_map(|record| match record {
            Record::AnswerSheet {
                poll_id,
                member_id,
                sheet,
                ..
            } => Some((poll_id, member_id.to_string(), sheet)),
            _ => None,
        })
        .collect()
}

/// A named written opinion of committee A, open, with the member's `agree` taken.
async fn answered(v: &Voting) -> (PollId, Ballot) {
    let poll = written_opinion(v.a.committee.id, BallotSecrecy::Named);
    v.open(&poll).await;
    let vote = v.member.vote(poll.id, "agree");
    assert_eq!(
        v.hub.push_one(&v.member, vote.clone()).await,
        Outcome::Applied
    );
    (poll.id, ballot_of(&vote))
}

#[tokio::test]
async fn a_signed_sheet_for_the_members_ballot_reaches_them_the_chair_and_the_secretary_only() {
    let v = voting().await;
    let ca = tempfile::tempdir().unwrap();
    test_ca(ca.path());
    let (poll_id, ballot) = answered(&v).await;
    let sheet = signed_with(ca.path(), &AnswerStatement::of(&ballot).text());

    let op = sheet_op(&v.member, poll_id, &sheet);
    assert_eq!(
        v.hub.push_one(&v.member, op.clone()).await,
        Outcome::Applied
    );
    assert_eq!(
        v.hub.push_one(&v.member, op).await,
        Outcome::Duplicate,
        "sent again after a lost answer: taken once"
    );
    let expected = vec![(
        poll_id,
        v.member.member.id.to_string(),
        Some(hex::encode(&sheet)),
    )];
    for (who, device) in [
        ("the secretary", &v.secretary),
        ("the chair", &v.chair),
        ("the member", &v.member),
    ] {
        assert_eq!(
            sheets_seen(&v, device).await,
            expected,
            "{who} has the sheet"
        );
    }
    for (who, device) in [
        ("an observer of the committee", &v.observer),
        ("another committee's chair", &v.outsider_chair),
    ] {
        assert!(sheets_seen(&v, device).await.is_empty(), "{who} does not");
    }
    v.hub.assert_rows("answer_sheets", 1, "one sheet is kept");
    let logged: Vec<String> =
        common::first_column(v.hub.dir.path(), "SELECT payload FROM operations");
    assert!(
        logged
            .iter()
            .all(|payload| !payload.contains(&hex::encode(&sheet[..64]))),
        "the operations log keeps no copy of the sheet (it states the choice)"
    );

    // The member changes their mind: the sheet no longer answers for their choice.
    let again = v.member.vote(poll_id, "disagree");
    assert_eq!(v.hub.push_one(&v.member, again).await, Outcome::Applied);
    assert_eq!(
        sheets_seen(&v, &v.secretary).await,
        vec![(poll_id, v.member.member.id.to_string(), None)],
        "the secretary is told the sheet is withdrawn"
    );
    v.hub
        .assert_rows("answer_sheets", 0, "and the hub keeps none");
}

#[tokio::test]
async fn a_sheet_that_is_not_the_members_own_signed_answer_is_refused_and_changes_nothing() {
    let v = voting().await;
    let ca = tempfile::tempdir().unwrap();
    test_ca(ca.path());
    let (poll_id, ballot) = answered(&v).await;
    let statement = AnswerStatement::of(&ballot).text();
    let genuine = signed_with(ca.path(), &statement);

    let unsigned = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../assets/sample/documents/06-du-thao-ket-luan.pdf"),
    )
    .unwrap();
    let other_choice = signed_with(
        ca.path(),
        &AnswerStatement::of(&Ballot {
            option_key: "disagree".into(),
            ..ballot.clone()
        })
        .text(),
    );
    let mut altered = genuine.clone();
    // A byte of the page's content, inside what the signature covers.
    let at = altered
        .windows(6)
        .position(|window| window == b"stream")
        .unwrap()
        + 20;
    altered[at] ^= 0x01;
    let no_statement = signed_with(ca.path(), "Phiếu lấy ý kiến");

    let unsigned_refusal = Outcome::rejected(InvalidOperation::AnswerSheetUnsigned);
    let cases: Vec<(&str, &Device, quorum_core::Operation, Outcome)> = vec![
        (
            "a PDF with no signature",
            &v.member,
            sheet_op(&v.member, poll_id, &unsigned),
            unsigned_refusal.clone(),
        ),
        (
            "a signature over no statement",
            &v.member,
            sheet_op(&v.member, poll_id, &no_statement),
            unsigned_refusal.clone(),
        ),
        (
            "not hexadecimal",
            &v.member,
            v.member.op(OperationPayload::SubmitAnswerSheet {
                poll_id,
                sheet: "%PDF-1.7 not hex".into(),
            }),
            unsigned_refusal,
        ),
        (
            "a sheet for a choice the member did not make",
            &v.member,
            sheet_op(&v.member, poll_id, &other_choice),
            Outcome::rejected(InvalidOperation::AnswerSheetNotForBallot),
        ),
        (
            "the member's sheet sent by the chair's laptop",
            &v.chair,
            sheet_op(&v.chair, poll_id, &genuine),
            Outcome::rejected(InvalidOperation::AnswerSheetNotForBallot),
        ),
        (
            "one byte changed after signing",
            &v.member,
            sheet_op(&v.member, poll_id, &altered),
            Outcome::rejected(InvalidOperation::AnswerSheetSignatureInvalid),
        ),
        (
            "a sheet over the size the hub takes",
            &v.member,
            v.member.op(OperationPayload::SubmitAnswerSheet {
                poll_id,
                sheet: "00".repeat(MAX_ANSWER_SHEET_BYTES + 1),
            }),
            Outcome::rejected(InvalidOperation::TooLarge),
        ),
    ];
    for (what, device, op, refused) in cases {
        let outcome = v.hub.push_one(device, op).await;
        assert!(
            same_refusal(&outcome, &refused),
            "{what}: {outcome:?}, expected {refused:?}"
        );
    }
    assert!(
        sheets_seen(&v, &v.secretary).await.is_empty(),
        "the secretary was told of none"
    );
    v.hub.assert_rows("answer_sheets", 0, "the hub keeps none");

    // A secret written opinion takes no sheet: it would tie the member to the choice.
    let secret = written_opinion(v.a.committee.id, BallotSecrecy::Secret);
    v.open(&secret).await;
    let vote = v.member.vote(secret.id, "agree");
    let secret_ballot = ballot_of(&vote);
    assert_eq!(v.hub.push_one(&v.member, vote).await, Outcome::Applied);
    let sheet = signed_with(ca.path(), &AnswerStatement::of(&secret_ballot).text());
    let outcome = v
        .hub
        .push_one(&v.member, sheet_op(&v.member, secret.id, &sheet))
        .await;
    assert!(
        same_refusal(
            &outcome,
            &Outcome::rejected(InvalidOperation::NoAnswerSheetHere)
        ),
        "{outcome:?}"
    );
    v.hub.assert_rows("answer_sheets", 0, "still none");
}

/// The same refusal, whatever the sentence kept with it.
fn same_refusal(outcome: &Outcome, expected: &Outcome) -> bool {
    match (outcome, expected) {
        (Outcome::Rejected { refusal, .. }, Outcome::Rejected { refusal: want, .. }) => {
            refusal == want
        }
        _ => false,
    }
}
