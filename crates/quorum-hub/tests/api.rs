//! The hub's HTTP API, exercised over loopback against a real server and SQLite file.

mod common;

use common::votes::{Published, with_published_meeting};
use common::{
    Committee4, TestHub, answer, api_error, assert_error_code, assert_status, device_key,
    document_bytes, meeting_with_document, read_until, sha256_of,
};
use quorum_core::protocol::{
    ChangesPage, EnrollResponse, InvalidOperation, Outcome, PushRequest, Record,
};
use quorum_core::{
    AgendaItemId, Ballot, Meeting, MeetingId, MeetingStatus, Operation, OperationId,
    OperationPayload, PollId,
};
use reqwest::StatusCode;

/// Committee A publishes a meeting with one document to its chair and member (not its
/// observer); committee B exists alongside.
async fn world() -> Published {
    let invited = |a: &Committee4| vec![a.chair.0.id, a.member.0.id];
    let why = "the secretary publishes a valid meeting whose blobs are stored";
    let w = with_published_meeting(invited, 100_000, why).await;
    assert_eq!(
        w.meeting.version, 1,
        "the hub numbers a new meeting's first version 1"
    );
    w
}

async fn changes(hub: &TestHub, token: &str) -> ChangesPage {
    let response = hub.get(token, "/changes?since=0").await;
    assert_status(&response, StatusCode::OK, "an enrolled device may pull");
    response.json().await.expect("a ChangesPage")
}

/// The meeting `id` as the feed last published it.
async fn published(hub: &TestHub, token: &str, id: MeetingId) -> Meeting {
    changes(hub, token)
        .await
        .changes
        .into_iter()
        .rev()
        .find_map(|change| match change.record {
            Record::Meeting { meeting } if meeting.id == id => Some(meeting),
            _ => None,
        })
        .expect("the meeting is in the feed")
}

#[tokio::test]
async fn enrollment_works_once_and_the_code_cannot_be_reused() {
    let (hub, a) = TestHub::with_committee("UBND").await;
    let enrolled = hub.enroll(&a.chair.1).await;
    assert_eq!(
        enrolled.member, a.chair.0,
        "the code binds the device to its member"
    );
    assert_eq!(
        enrolled.committee, a.committee,
        "the member's committee comes along"
    );
    assert_eq!(
        enrolled.token.len(),
        64,
        "the token is 32 random bytes in hex"
    );

    let again = hub.try_enroll(&a.chair.1, &device_key()).await;
    assert_status(&again, StatusCode::FORBIDDEN, "a used code enrolls nothing");
    assert_error_code(
        again,
        "enrollment_refused",
        "the device is told why, in a code it can branch on",
    )
    .await;
    hub.assert_rows("devices", 1, "the refused attempt stored no device");

    let lower_case = a.member.1.replace('-', "").to_lowercase();
    let response = hub.try_enroll(&lower_case, &device_key()).await;
    assert_status(
        &response,
        StatusCode::OK,
        "a code typed in lower case without dashes is the same code",
    );
}

#[tokio::test]
async fn a_bad_signature_is_refused_and_the_code_stays_usable() {
    let (hub, a) = TestHub::with_committee("UBND").await;
    let holder = device_key();
    let impostor = device_key();
    let request = serde_json::json!({
        "code": a.chair.1,
        "publicKey": hex::encode(holder.verifying_key().to_bytes()),
        "signature": hex::encode(ed25519_dalek::Signer::sign(&impostor, a.chair.1.as_bytes()).to_bytes()),
        "deviceName": "Laptop",
    });
    let response = hub.enroll_request(&request).await;
    assert_status(
        &response,
        StatusCode::FORBIDDEN,
        "a signature by another key does not prove the device holds its key",
    );
    assert_error_code(response, "enrollment_refused", "refusal code").await;

    let mut malformed = request.clone();
    malformed["publicKey"] = "not hex".into();
    let response = hub.enroll_request(&malformed).await;
    assert_status(
        &response,
        StatusCode::BAD_REQUEST,
        "a key that is not hex is a malformed request, not a refusal",
    );

    hub.enroll(&a.chair.1).await;
    hub.assert_rows("devices", 1, "the refused attempts did not use up the code");
}

#[tokio::test]
async fn a_member_of_another_committee_gets_no_meeting_no_blob_and_no_change() {
    let w = world().await;
    let outsider = w.hub.enroll(&w.b.member.1).await;
    let page = changes(&w.hub, &outsider.token).await;
    for change in &page.changes {
        match &change.record {
            Record::Committee { committee } => assert_eq!(
                committee.id, w.b.committee.id,
                "only the outsider's own committee is shown"
            ),
            Record::Member { member } => assert_eq!(
                member.committee_id, w.b.committee.id,
                "only the outsider's own colleagues are shown"
            ),
            other => panic!("the outsider must see no meeting of another committee: {other:?}"),
        }
    }
    assert_eq!(
        page.next_cursor,
        w.hub.latest_seq(w.b.committee.id).await,
        "the cursor counts the outsider's own committee's changes, nothing of the other's"
    );
    let sha = sha256_of(&w.document);
    let response = w.hub.get(&outsider.token, &format!("/blobs/{sha}")).await;
    assert_status(
        &response,
        StatusCode::NOT_FOUND,
        "another committee's blob is answered as if it did not exist",
    );

    let insider = w.hub.enroll(&w.a.member.1).await;
    let response = w.hub.get(&insider.token, &format!("/blobs/{sha}")).await;
    assert_status(
        &response,
        StatusCode::OK,
        "an invitee may download the document",
    );
    assert_eq!(
        response.bytes().await.expect("the body arrives").as_ref(),
        w.document.as_slice(),
        "the invitee gets the document's exact bytes"
    );
}

#[tokio::test]
async fn an_uninvited_observer_sees_the_meeting_withdrawn() {
    let w = world().await;
    let observer = w.hub.enroll(&w.a.observer.1).await;
    let page = changes(&w.hub, &observer.token).await;
    let withdrawn = page.changes.iter().any(|change| {
        change.record
            == Record::MeetingWithdrawn {
                meeting_id: w.meeting.id,
            }
    });
    assert!(
        withdrawn,
        "a meeting of their committee they may not see is withdrawn"
    );
    assert!(
        !page
            .changes
            .iter()
            .any(|change| matches!(change.record, Record::Meeting { .. })),
        "the uninvited observer never receives the meeting itself"
    );
    let member = w.hub.enroll(&w.a.member.1).await;
    let page = changes(&w.hub, &member.token).await;
    assert!(
        page.changes.iter().any(|change| change.record
            == Record::Meeting {
                meeting: w.meeting.clone()
            }),
        "an invitee receives the published meeting as stored"
    );
}

#[tokio::test]
async fn revoked_forged_and_missing_tokens_get_401_and_nothing() {
    let w = world().await;
    let device = w.hub.enroll(&w.a.member.1).await;
    w.hub.revoke(device.device_id).await;

    let forged = "ab".repeat(32);
    for (token, why) in [
        (Some(device.token.as_str()), "a revoked device"),
        (Some(forged.as_str()), "a forged token"),
        (None, "no token at all"),
    ] {
        // The request as this caller sends it: with their token, if they have one.
        let as_caller = |request: reqwest::RequestBuilder| match token {
            Some(token) => request.bearer_auth(token),
            None => request,
        };
        let response = answer(as_caller(w.hub.client.get(w.hub.url("/changes")))).await;
        assert_status(
            &response,
            StatusCode::UNAUTHORIZED,
            format!("{why} is not let in"),
        );
        assert_error_code(response, "unauthorized", format!("{why}: stable code")).await;

        let push = PushRequest {
            operations: vec![check_in(&w.meeting, 1)],
        };
        let request = w.hub.client.post(w.hub.url("/operations")).json(&push);
        let response = answer(as_caller(request)).await;
        assert_status(
            &response,
            StatusCode::UNAUTHORIZED,
            format!("{why} may not push"),
        );
    }
    w.hub.assert_rows(
        "operations",
        0,
        "nothing was taken in from an unauthenticated request",
    );
}

#[tokio::test]
async fn an_interrupted_download_resumes_with_the_exact_tail() {
    let w = world().await;
    let member = w.hub.enroll(&w.a.member.1).await;
    let sha = sha256_of(&w.document);
    let resume_at = 12_345;
    let response = w
        .hub
        .client
        .get(w.hub.url(&format!("/blobs/{sha}")))
        .bearer_auth(&member.token)
        .header("Range", format!("bytes={resume_at}-"))
        .send()
        .await
        .expect("the hub answers");
    assert_status(
        &response,
        StatusCode::PARTIAL_CONTENT,
        "a range request is answered with the part asked for",
    );
    let tail = response.bytes().await.expect("the tail arrives");
    assert_eq!(
        tail.as_ref(),
        &w.document[resume_at..],
        "the resumed part continues exactly where the download stopped"
    );
}

#[tokio::test]
async fn an_upload_with_the_wrong_hash_is_refused_and_leaves_nothing() {
    let w = world().await;
    let claimed = sha256_of(b"what the secretary meant to send");
    let response = w
        .hub
        .client
        .put(w.hub.url(&format!("/blobs/{claimed}")))
        .bearer_auth(&w.secretary.token)
        .body(document_bytes(5_000))
        .send()
        .await
        .expect("the hub answers");
    assert_status(
        &response,
        StatusCode::BAD_REQUEST,
        "wrong bytes are refused",
    );
    assert_error_code(response, "hash_mismatch", "the refusal says why").await;
    assert_eq!(
        w.hub.count(&format!(
            "SELECT COUNT(*) FROM blobs WHERE sha256 = '{claimed}'"
        )),
        0,
        "the refused blob is not recorded"
    );
    let stored = sha256_of(&w.document);
    assert_eq!(
        w.hub.document_files(),
        vec![std::path::PathBuf::from(&stored.as_str()[..2]).join(stored.as_str())],
        "only the earlier good blob is on disk: no partial or temporary file remains"
    );

    let member = w.hub.enroll(&w.a.member.1).await;
    let response = w.hub.try_upload(&member.token, document_bytes(10)).await;
    assert_status(
        &response,
        StatusCode::FORBIDDEN,
        "only the secretary uploads",
    );
}

#[tokio::test]
async fn malformed_oversized_and_unknown_version_requests_get_clear_errors_and_change_nothing() {
    let w = world().await;
    let member = w.hub.enroll(&w.a.member.1).await;
    let seq_before = w.hub.latest_seq(w.a.committee.id).await;

    let huge = format!(
        "{{\"operations\": [], \"pad\": \"{}\"}}",
        "x".repeat(5 * 1024 * 1024)
    );
    let too_many = PushRequest {
        operations: (1..=501).map(|seq| check_in(&w.meeting, seq)).collect(),
    };
    let client = &w.hub.client;
    let json = "application/json";
    let meeting = w.hub.url(&format!("/meetings/{}", w.meeting.id));
    let operations = w.hub.url("/operations");
    // Each request, the status it gets and why, and the error code it names and what for.
    let cases = [
        (
            client
                .put(meeting)
                .bearer_auth(&w.secretary.token)
                .header("content-type", json)
                .body("{\"title\": "),
            StatusCode::BAD_REQUEST,
            "broken JSON is a bad request",
            Some(("bad_json", "the code names the problem")),
        ),
        (
            client
                .post(&operations)
                .bearer_auth(&member.token)
                .header("content-type", json)
                .body(huge),
            StatusCode::PAYLOAD_TOO_LARGE,
            "a JSON body over the limit is refused unread",
            Some(("too_large", "the code names the problem")),
        ),
        (
            client
                .post(&operations)
                .json(&too_many)
                .bearer_auth(&member.token),
            StatusCode::PAYLOAD_TOO_LARGE,
            "more than 500 operations in one push are refused",
            None,
        ),
        (
            client
                .get(w.hub.url("/changes").replace("/v1/", "/v2/"))
                .bearer_auth(&member.token),
            StatusCode::NOT_FOUND,
            "an unknown version is not served",
            Some(("not_found", "as a clear ApiError")),
        ),
        (
            client
                .delete(w.hub.url("/changes"))
                .bearer_auth(&member.token),
            StatusCode::METHOD_NOT_ALLOWED,
            "a known path with the wrong method says so",
            None,
        ),
    ];
    for (request, status, why, code) in cases {
        let response = answer(request).await;
        assert_status(&response, status, why);
        if let Some((code, what)) = code {
            assert_error_code(response, code, what).await;
        }
    }

    w.hub
        .assert_rows("operations", 0, "no operation was taken in");
    assert_eq!(
        w.hub.latest_seq(w.a.committee.id).await,
        seq_before,
        "the feed did not move"
    );
}

/// The secretary publishes `meeting`; the hub answers.
async fn publish(w: &Published, meeting: &Meeting) -> reqwest::Response {
    w.hub.put_meeting(&w.secretary.token, meeting).await
}

/// The meeting, retitled `title`.
fn retitled(meeting: &Meeting, title: &str) -> Meeting {
    Meeting {
        title: title.into(),
        ..meeting.clone()
    }
}

/// Asserts that the hub refused a publication as a conflict (`why`), with the error
/// `code` and a message that names `named`.
async fn assert_conflict(response: reqwest::Response, why: &str, code: &str, named: &str) {
    assert_status(&response, StatusCode::CONFLICT, why);
    let error = api_error(response).await;
    assert_eq!(error.code, code, "the refusal has a stable code: {error:?}");
    assert!(
        error.message.contains(named),
        "the message names {named}: {error:?}"
    );
}

#[tokio::test]
async fn a_publish_based_on_an_older_version_is_refused_not_merged() {
    let w = world().await;
    let first = retitled(&w.meeting, "Phiên họp (sửa lần 1)");
    let response = publish(&w, &first).await;
    assert_status(&response, StatusCode::OK, "based on the latest: published");
    let response = publish(&w, &retitled(&w.meeting, "Phiên họp (sửa song song)")).await;
    let why = "based on version 1 while version 2 is out";
    assert_conflict(response, why, "edited_meanwhile", "version 2").await;
    let stored = published(&w.hub, &w.secretary.token, w.meeting.id).await;
    assert_eq!(
        (stored.title.as_str(), stored.version),
        ("Phiên họp (sửa lần 1)", 2),
        "the refused edit changed nothing: the first one stands"
    );

    // The first publication sent again (its answer was lost): taken as done, not twice.
    let response = publish(&w, &first).await;
    assert_status(&response, StatusCode::OK, "the same publication again");
    let again: Meeting = response.json().await.expect("the stored meeting");
    assert_eq!(again.version, 2, "still version 2: nothing published twice");
}

#[tokio::test]
async fn another_file_under_a_version_number_the_members_hold_is_refused() {
    let w = world().await;
    let other = common::document_bytes(2_000);
    let other_sha = w.hub.upload(&w.secretary.token, other.clone()).await;
    let mut swapped = w.meeting.clone();
    let version = &mut swapped.agenda[0].documents[0].current;
    version.sha256 = other_sha.clone();
    version.size_bytes = other.len() as u64;
    let seq_before = w.hub.latest_seq(w.a.committee.id).await;

    let response = publish(&w, &swapped).await;
    let why = "version 1 of the document is another file on the members' laptops";
    assert_conflict(response, why, "document_version_reused", "version 1").await;
    assert_eq!(
        w.hub.latest_seq(w.a.committee.id).await,
        seq_before,
        "nothing reached the feed"
    );
    let stored = published(&w.hub, &w.secretary.token, w.meeting.id).await;
    assert_eq!(
        stored, w.meeting,
        "the meeting stands as it was published, its document unchanged"
    );

    // The new file as the next version is what the secretary meant.
    swapped.agenda[0].documents[0].current.number = 2;
    let response = publish(&w, &swapped).await;
    assert_status(&response, StatusCode::OK, "the new file as version 2");
    let stored = published(&w.hub, &w.secretary.token, w.meeting.id).await;
    assert_eq!(stored.agenda[0].documents[0].current.sha256, other_sha);
}

#[tokio::test]
async fn only_the_secretary_publishes_and_a_missing_blob_is_named() {
    let w = world().await;
    let chair = w.hub.enroll(&w.a.chair.1).await;
    let response = w.hub.put_meeting(&chair.token, &w.meeting).await;
    assert_status(
        &response,
        StatusCode::FORBIDDEN,
        "the chair does not edit meetings",
    );

    let absent = sha256_of(b"never uploaded");
    let draft = Meeting {
        id: w.meeting.id,
        version: w.meeting.version,
        ..meeting_with_document(w.a.committee.id, vec![], absent.clone(), 14)
    };
    let response = publish(&w, &draft).await;
    let why = "a meeting needs its blobs first";
    assert_conflict(response, why, "missing_blob", absent.as_str()).await;

    let response = publish(&w, &retitled(&w.meeting, "  ")).await;
    assert_status(
        &response,
        StatusCode::BAD_REQUEST,
        "an invalid meeting is refused",
    );
    assert_error_code(response, "invalid_meeting", "with its own code").await;

    let mut stranger_invited = w.meeting.clone();
    stranger_invited.invitees.push(w.b.member.0.id);
    let response = publish(&w, &stranger_invited).await;
    assert_status(
        &response,
        StatusCode::BAD_REQUEST,
        "a meeting may invite only members of its own committee",
    );

    let response = publish(&w, &w.meeting).await;
    let republished: Meeting = response.json().await.expect("the stored meeting");
    assert_eq!(
        republished.version, 2,
        "republishing raises the version by one"
    );
}

fn check_in(meeting: &Meeting, device_seq: u64) -> Operation {
    operation(
        device_seq,
        OperationPayload::CheckIn {
            meeting_id: meeting.id,
        },
    )
}

fn operation(device_seq: u64, payload: OperationPayload) -> Operation {
    Operation {
        id: OperationId::new_v7(),
        device_seq,
        created_at: chrono::DateTime::UNIX_EPOCH,
        payload,
    }
}

#[tokio::test]
async fn operations_apply_once_in_order_and_refusals_do_not_block_the_queue() {
    let w = world().await;
    let member = w.hub.enroll(&w.a.member.1).await;
    let first = check_in(&w.meeting, 1);

    let outcomes = w.hub.push_as(&member.token, vec![first.clone()]).await;
    assert_eq!(
        outcomes,
        vec![Outcome::Applied],
        "an invitee checks in to a published meeting"
    );
    let outcomes = w.hub.push_as(&member.token, vec![first.clone()]).await;
    assert_eq!(
        outcomes,
        vec![Outcome::Duplicate],
        "the same operation again is a duplicate"
    );
    assert_eq!(
        w.hub.count(&format!(
            "SELECT COUNT(*) FROM operations WHERE id = '{}'",
            first.id
        )),
        1,
        "a resent operation is recorded once"
    );

    let reused = check_in(&w.meeting, 1);
    let outcomes = w.hub.push_as(&member.token, vec![reused]).await;
    assert!(
        matches!(&outcomes[..], [Outcome::Rejected { reason, .. }] if reason == "sequence number already used"),
        "a new operation with a used sequence number is refused: {outcomes:?}"
    );

    let after_gap = check_in(&w.meeting, 3);
    let later = check_in(&w.meeting, 4);
    let outcomes = w
        .hub
        .push_as(&member.token, vec![after_gap.clone(), later.clone()])
        .await;
    assert_eq!(
        outcomes,
        vec![Outcome::Gap { expected: 2 }],
        "the hub stops at a gap and says where to resume"
    );
    assert_eq!(
        w.hub.count(&format!(
            "SELECT COUNT(*) FROM operations WHERE id IN ('{}', '{}')",
            after_gap.id, later.id
        )),
        0,
        "operations after a gap stay untouched, to be resent in order"
    );

    let not_the_secretary = operation(
        2,
        OperationPayload::MarkAttendance {
            meeting_id: w.meeting.id,
            member_id: w.a.member.0.id,
            attendance: quorum_core::Attendance::Present,
        },
    );
    let ballot = operation(
        4,
        OperationPayload::CastBallot {
            ballot: Ballot {
                poll_id: PollId::new_v7(),
                member_id: w.a.member.0.id,
                cast_by: w.a.member.0.id,
                option_key: "agree".into(),
                comment: None,
                cast_at: chrono::DateTime::UNIX_EPOCH,
                device_id: member.device_id,
                device_seq: 4,
                signature: String::new(),
            },
        },
    );
    let unknown_item = operation(
        5,
        OperationPayload::RequestToSpeak {
            meeting_id: w.meeting.id,
            agenda_item_id: AgendaItemId::new_v7(),
            speech: quorum_core::SpeechKind::Speak,
        },
    );
    let outcomes = w
        .hub
        .push_as(
            &member.token,
            vec![not_the_secretary, after_gap, ballot, unknown_item],
        )
        .await;
    assert!(
        matches!(&outcomes[0], Outcome::Rejected { reason, .. } if reason == "only the secretary may do this"),
        "a refusal carries the permission rule's sentence: {outcomes:?}"
    );
    assert_eq!(
        outcomes[1],
        Outcome::Applied,
        "the operation after a refusal still applies"
    );
    assert_eq!(
        outcomes[2],
        Outcome::rejected(InvalidOperation::BadSignature),
        "an unsigned ballot is refused"
    );
    assert!(
        matches!(&outcomes[3], Outcome::Rejected { .. }),
        "asking to speak on an item the meeting lacks is refused: {outcomes:?}"
    );
    assert_eq!(
        w.hub
            .count("SELECT last_seq FROM devices WHERE last_seq > 0"),
        5,
        "rejections advance the device's sequence like applied operations"
    );
}

#[tokio::test]
async fn the_live_channel_announces_a_published_meeting_to_its_committee_only() {
    let w = world().await;
    let member = w.hub.enroll(&w.a.member.1).await;
    let outsider = w.hub.enroll(&w.b.member.1).await;
    let mut own = w.hub.get(&member.token, "/events").await.bytes_stream();
    let mut other = w.hub.get(&outsider.token, "/events").await.bytes_stream();
    let (mut own_text, mut other_text) = (String::new(), String::new());
    read_until(&mut own, &mut own_text, "event: ready").await;
    read_until(&mut other, &mut other_text, "event: ready").await;

    let mut next = w.meeting.clone();
    next.status = MeetingStatus::InSession;
    let response = w.hub.put_meeting(&w.secretary.token, &next).await;
    assert_status(&response, StatusCode::OK, "the secretary republishes");
    let a_seq = w.hub.latest_seq(w.a.committee.id).await;
    read_until(&mut own, &mut own_text, &format!("\"latestSeq\":{a_seq}")).await;
    assert!(
        own_text.contains("event: change"),
        "the notice comes as a `change` event: {own_text}"
    );

    // Committee B then publishes; its member's first `change` must be B's own.
    let b_secretary = w.hub.enroll(&w.b.secretary.1).await;
    let (_, response, _) = w
        .hub
        .publish_with_document(
            &b_secretary.token,
            w.b.committee.id,
            vec![w.b.member.0.id],
            64,
        )
        .await;
    assert_status(&response, StatusCode::OK, "B's secretary publishes");
    let b_seq = w.hub.latest_seq(w.b.committee.id).await;
    read_until(
        &mut other,
        &mut other_text,
        &format!("\"latestSeq\":{b_seq}"),
    )
    .await;
    // The hub re-announces each committee's latest number every second, so B may hear
    // its own more than once; every one it heard must be B's.
    let announced: Vec<u64> = other_text
        .split("event: change")
        .skip(1)
        .map(|event| {
            let (_, rest) = event.split_once("\"latestSeq\":").unwrap();
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().unwrap()
        })
        .collect();
    assert!(
        !announced.is_empty() && announced.iter().all(|seq| *seq == b_seq),
        "committee B's device was not woken by committee A's publish: {other_text}"
    );
    assert_ne!(
        a_seq, b_seq,
        "the two committees' numbers tell them apart here"
    );
}

fn annotation(
    meeting: &Meeting,
    author: quorum_core::MemberId,
    visibility: quorum_core::Visibility,
) -> quorum_core::Annotation {
    let document = &meeting.agenda[0].documents[0];
    quorum_core::Annotation {
        id: quorum_core::AnnotationId::new_v7(),
        document_id: document.id,
        document_sha256: document.current.sha256.clone(),
        page: 0,
        author,
        visibility,
        color: quorum_core::Color::Yellow,
        shape: quorum_core::AnnotationShape::Note {
            at: quorum_core::PagePoint { x: 10.0, y: 20.0 },
            text: "Cần làm rõ số liệu".into(),
        },
        created_at: chrono::DateTime::UNIX_EPOCH,
        updated_at: chrono::DateTime::UNIX_EPOCH,
        deleted: false,
    }
}

/// A's member and chair, who are invited, and A's observer, who is not, each enrolled.
async fn member_chair_and_observer(
    w: &Published,
) -> (EnrollResponse, EnrollResponse, EnrollResponse) {
    let member = w.hub.enroll(&w.a.member.1).await;
    let chair = w.hub.enroll(&w.a.chair.1).await;
    let observer = w.hub.enroll(&w.a.observer.1).await;
    (member, chair, observer)
}

#[tokio::test]
async fn annotations_are_kept_for_their_author_on_meetings_they_may_see() {
    use quorum_core::Visibility::{Private, Shared};
    let w = world().await;
    let (member, chair, observer) = member_chair_and_observer(&w).await;
    let mine = annotation(&w.meeting, w.a.member.0.id, Shared);
    let forged = annotation(&w.meeting, w.a.chair.0.id, Private);
    let outcomes = w
        .hub
        .push_as(
            &member.token,
            vec![
                operation(
                    1,
                    OperationPayload::SaveAnnotation {
                        annotation: mine.clone(),
                    },
                ),
                operation(2, OperationPayload::SaveAnnotation { annotation: forged }),
            ],
        )
        .await;
    assert_eq!(
        outcomes[0],
        Outcome::Applied,
        "an invitee annotates and shares on the meeting's document"
    );
    assert!(
        matches!(&outcomes[1], Outcome::Rejected { .. }),
        "nobody saves an annotation in another member's name: {outcomes:?}"
    );

    let outcomes = w
        .hub
        .push_as(
            &chair.token,
            vec![
                operation(
                    1,
                    OperationPayload::DeleteAnnotation {
                        annotation_id: mine.id,
                    },
                ),
                operation(
                    2,
                    OperationPayload::DeleteAnnotation {
                        annotation_id: quorum_core::AnnotationId::new_v7(),
                    },
                ),
            ],
        )
        .await;
    assert!(
        matches!(&outcomes[0], Outcome::Rejected { .. }),
        "the chair may not delete the member's annotation: {outcomes:?}"
    );
    assert_eq!(
        outcomes[1],
        Outcome::Applied,
        "deleting an annotation the hub never saw is already done"
    );

    let outcomes = w
        .hub
        .push_as(
            &observer.token,
            vec![operation(
                1,
                OperationPayload::SaveAnnotation {
                    annotation: annotation(&w.meeting, w.a.observer.0.id, Private),
                },
            )],
        )
        .await;
    assert!(
        matches!(&outcomes[0], Outcome::Rejected { reason, .. } if reason == "the member is not invited to this meeting"),
        "an uninvited observer may not annotate the meeting's documents: {outcomes:?}"
    );
    assert_eq!(
        w.hub
            .count("SELECT COUNT(*) FROM annotations WHERE deleted = 0"),
        1,
        "only the member's own annotation was kept"
    );
}

/// The annotations a device receives in its feed, by id, with their visibility.
async fn annotations_in_feed(
    hub: &TestHub,
    token: &str,
) -> Vec<(quorum_core::AnnotationId, quorum_core::Visibility, bool)> {
    let mut seen: Vec<(quorum_core::AnnotationId, quorum_core::Visibility, bool)> = Vec::new();
    for change in changes(hub, token).await.changes {
        match change.record {
            Record::Annotation { annotation, .. } => {
                seen.retain(|(id, ..)| *id != annotation.id);
                seen.push((annotation.id, annotation.visibility, annotation.deleted));
            }
            Record::AnnotationWithdrawn { annotation_id, .. } => {
                seen.retain(|(id, ..)| *id != annotation_id);
            }
            _ => {}
        }
    }
    seen
}

#[tokio::test]
async fn the_feed_carries_a_private_annotation_to_its_author_only_and_a_shared_one_to_the_meeting()
{
    use quorum_core::Visibility::{Private, Shared};
    let w = world().await;
    let (member, chair, observer) = member_chair_and_observer(&w).await;
    let private = annotation(&w.meeting, w.a.member.0.id, Private);
    let shared = annotation(&w.meeting, w.a.member.0.id, Shared);
    let save = |seq, annotation: &quorum_core::Annotation| {
        operation(
            seq,
            OperationPayload::SaveAnnotation {
                annotation: annotation.clone(),
            },
        )
    };
    let outcomes = w
        .hub
        .push_as(&member.token, vec![save(1, &private), save(2, &shared)])
        .await;
    assert_eq!(outcomes, [Outcome::Applied, Outcome::Applied]);
    assert_eq!(
        annotations_in_feed(&w.hub, &member.token).await,
        [(private.id, Private, false), (shared.id, Shared, false)],
        "the author's other laptops get both"
    );
    assert_eq!(
        annotations_in_feed(&w.hub, &chair.token).await,
        [(shared.id, Shared, false)],
        "an invited colleague gets the shared one only"
    );
    let raw = w
        .hub
        .get(&chair.token, "/changes?since=0")
        .await
        .text()
        .await
        .expect("the feed's body");
    assert!(
        !raw.contains(&private.id.to_string()),
        "not a trace of the private annotation in what the hub sends the chair"
    );
    assert!(
        annotations_in_feed(&w.hub, &observer.token)
            .await
            .is_empty(),
        "a member not invited to the meeting gets none"
    );

    // Made private again, then the private one deleted.
    let unshared = quorum_core::Annotation {
        visibility: Private,
        ..shared.clone()
    };
    let outcomes = w
        .hub
        .push_as(
            &member.token,
            vec![
                save(3, &unshared),
                operation(
                    4,
                    OperationPayload::DeleteAnnotation {
                        annotation_id: private.id,
                    },
                ),
            ],
        )
        .await;
    assert_eq!(outcomes, [Outcome::Applied, Outcome::Applied]);
    assert!(
        annotations_in_feed(&w.hub, &chair.token).await.is_empty(),
        "the colleague drops the annotation made private again"
    );
    assert_eq!(
        annotations_in_feed(&w.hub, &member.token).await,
        [(shared.id, Private, false), (private.id, Private, true)],
        "the author's laptops get the tombstone and the private version"
    );
}

#[tokio::test]
async fn the_feed_pages_by_cursor_without_losing_or_repeating_a_change() {
    let w = world().await;
    let member = w.hub.enroll(&w.a.member.1).await;
    let latest = w.hub.latest_seq(w.a.committee.id).await;
    let mut since = 0;
    let mut seen = Vec::new();
    loop {
        let response = w
            .hub
            .get(&member.token, &format!("/changes?since={since}&limit=2"))
            .await;
        let page: ChangesPage = response.json().await.expect("a ChangesPage");
        assert!(page.next_cursor >= since, "the cursor never goes back");
        seen.extend(page.changes.iter().map(|change| change.seq));
        since = page.next_cursor;
        if !page.more {
            break;
        }
    }
    assert_eq!(since, latest, "paging ends at the latest change");
    assert!(
        seen.windows(2).all(|pair| pair[0] < pair[1]),
        "no change is delivered twice and order is kept: {seen:?}"
    );
    let all = changes(&w.hub, &member.token).await;
    assert_eq!(
        seen,
        all.changes
            .iter()
            .map(|change| change.seq)
            .collect::<Vec<_>>(),
        "small pages deliver exactly what one big page does"
    );

    let response = w.hub.get(&member.token, "/changes?since=minus-one").await;
    assert_status(
        &response,
        StatusCode::BAD_REQUEST,
        "a cursor that is not a number is refused",
    );
    assert_error_code(response, "bad_query", "with a clear code").await;
}

#[tokio::test]
async fn ready_says_whether_this_hub_can_serve_and_what_it_cannot_use() {
    let w = world().await;
    let ready = answer(w.hub.client.get(w.hub.url("/ready"))).await;
    assert_status(&ready, StatusCode::OK, "a sound hub is ready");

    // The blob folder gone (a disk unmounted under it): not ready, and says which part.
    let blobs = w.hub.hub.blobs_dir().to_path_buf();
    let aside = blobs.with_extension("aside");
    std::fs::rename(&blobs, &aside).unwrap();
    std::fs::write(&blobs, b"not a folder").unwrap();
    let ready = answer(w.hub.client.get(w.hub.url("/ready"))).await;
    assert_status(
        &ready,
        StatusCode::SERVICE_UNAVAILABLE,
        "no blob folder, not ready",
    );
    let error = api_error(ready).await;
    assert_eq!(error.code, "not_ready");
    assert!(error.message.contains("blob folder"), "{error:?}");
    let health = answer(w.hub.client.get(w.hub.url("/health"))).await;
    assert_status(
        &health,
        StatusCode::OK,
        "still alive: the balancer only stops sending",
    );

    std::fs::remove_file(&blobs).unwrap();
    std::fs::rename(&aside, &blobs).unwrap();
    let ready = answer(w.hub.client.get(w.hub.url("/ready"))).await;
    assert_status(
        &ready,
        StatusCode::OK,
        "ready again once the folder is back",
    );
}

#[tokio::test]
async fn a_document_dropped_and_sent_back_keeps_its_numbers_and_stays_in_its_meeting() {
    let w = world().await;
    let seq_before = w.hub.latest_seq(w.a.committee.id).await;
    // Version 3 drops the document from the agenda.
    let mut without = w.meeting.clone();
    let dropped = without.agenda[0].documents.remove(0);
    let response = publish(&w, &without).await;
    assert_status(&response, StatusCode::OK, "the document is dropped");
    let stored: Meeting = response.json().await.unwrap();

    // Sent back as version 1 of another file: the members' laptops hold version 1.
    let other = common::document_bytes(3_000);
    let other_sha = w.hub.upload(&w.secretary.token, other.clone()).await;
    let mut back = stored.clone();
    let mut document = dropped.clone();
    document.current.sha256 = other_sha.clone();
    document.current.size_bytes = other.len() as u64;
    back.agenda[0].documents.push(document.clone());
    let response = publish(&w, &back).await;
    let why = "version 1 is still the first file on the members' laptops";
    assert_conflict(response, why, "document_version_reused", "version 1").await;

    // The same document in another meeting: refused, it belongs to the first one.
    let mut elsewhere = meeting_with_document(
        w.a.committee.id,
        vec![w.a.member.0.id],
        dropped.current.sha256.clone(),
        dropped.current.size_bytes,
    );
    elsewhere.agenda[0].documents = vec![dropped.clone()];
    let response = publish(&w, &elsewhere).await;
    let why = "a document is one meeting's";
    assert_conflict(response, why, "document_of_another_meeting", &dropped.title).await;
    assert_eq!(
        w.hub.latest_seq(w.a.committee.id).await,
        seq_before + 1,
        "only the drop reached the feed"
    );

    // Back under the next number, the new file is taken.
    back.agenda[0].documents[0].current.number = 2;
    let response = publish(&w, &back).await;
    assert_status(&response, StatusCode::OK, "the new file as version 2");
}

#[tokio::test]
async fn a_meeting_published_through_one_process_wakes_the_live_channels_of_another() {
    let (hub, a) = TestHub::with_committee("UBND quận Sông Hàn").await;
    let other = hub.another_process();
    let mut notices = other.subscribe();
    // Only the other process's listener runs there: no periodic check of the feed.
    let listening = tokio::spawn(other.clone().hear_other_processes());
    if hub.backends().records == quorum_hub::Records::InDataFolder {
        tokio::time::timeout(std::time::Duration::from_secs(10), listening)
            .await
            .expect("with one SQLite file there is no other process to hear")
            .expect("the listener ends cleanly");
        return;
    }
    // The listener connects on its own time: publish until it hears one (a notice sent
    // before it listened is only found by the periodic check, which does not run here).
    let secretary = hub.enroll(&a.secretary.1).await;
    let mut heard = None;
    for _ in 0..20 {
        let invitees = vec![a.chair.0.id];
        let (_, stored, _) = hub
            .publish_with_document(&secretary.token, a.committee.id, invitees, 1_000)
            .await;
        assert_status(
            &stored,
            StatusCode::OK,
            "published through the first process",
        );
        let latest = hub.latest_seq(a.committee.id).await;
        let wait = tokio::time::timeout(std::time::Duration::from_millis(500), async {
            loop {
                match notices.recv().await {
                    Ok((committee, notice)) if committee == a.committee.id => {
                        if notice.latest_seq >= latest {
                            return notice.latest_seq;
                        }
                    }
                    Ok(_) => {}
                    Err(e) => panic!("the other process's notices ended: {e}"),
                }
            }
        });
        if let Ok(seq) = wait.await {
            heard = Some((seq, latest));
            break;
        }
    }
    let (seq, latest) =
        heard.expect("the other process hears of a meeting published through this one");
    assert_eq!(seq, latest, "with the feed's number");
    other.begin_shutdown();
}
