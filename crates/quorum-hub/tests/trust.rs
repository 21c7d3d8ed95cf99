//! The attacks of the trust review, each tried against a real hub over HTTPS on
//! loopback: as a hostile member, a hostile secretary, a thief holding only a bearer
//! token, and a stranger on the LAN. Each asserts the refusal and that nothing changed.

mod common;

use std::time::Duration;

use common::votes::{Voting, ballot_of, now, tampered, voting, voting_on_poll};
use common::{
    TestHub, answer, api_error, assert_error_code, assert_status, device_key, document_bytes,
    meeting_with_document, sha256_of,
};
use ed25519_dalek::Signer;
use quorum_core::protocol::{EnrollRequest, InvalidOperation, Outcome, Record};
use quorum_core::{
    Annotation, AnnotationShape, BallotSecrecy, Color, OperationPayload, PagePoint, PollState,
    SystemClock,
};
use reqwest::StatusCode;
use tokio::io::AsyncWriteExt;

/// The poll's tally as `quorum-hub results` computes it, straight from the data folder.
fn results(v: &Voting, poll_id: quorum_core::PollId) -> quorum_core::Tally {
    v.hub.admin(|store| {
        store
            .poll_results(poll_id, now())
            .expect("the results are final")
            .tally
    })
}

#[tokio::test]
async fn uninviting_a_voter_after_a_secret_poll_opened_neither_drops_their_ballot_nor_exposes_the_other()
 {
    let (v, poll) = voting_on_poll(BallotSecrecy::Secret, 0).await;
    v.cast(&v.chair, poll.id, "agree").await;
    v.cast(&v.member, poll.id, "disagree").await;
    // The secretary republishes the meeting without the member.
    let mut edited = v.meeting.clone();
    edited.invitees.retain(|id| *id != v.member.member.id);
    let response = v.hub.put_meeting(&v.secretary.token, &edited).await;
    assert_status(&response, StatusCode::OK, "the meeting is edited");
    v.close(poll.id).await;

    let view = v.hub.poll_view(&v.chair, poll.id).await;
    assert_eq!(
        view.eligible,
        vec![v.chair.member.id, v.member.member.id],
        "the roster is the one fixed at opening"
    );
    let published = view.tally.expect("final: closed with no grace period");
    assert_eq!(
        (
            published.answered,
            published.counts[0].count,
            published.counts[1].count
        ),
        (2, 1, 1),
        "both ballots count: nobody's choice can be read off a tally of one"
    );
    assert_eq!(
        results(&v, poll.id),
        published,
        "`quorum-hub results` and the published tally agree"
    );
}

#[tokio::test]
async fn a_backdated_ballot_after_the_close_is_refused_and_moves_nothing() {
    let (v, poll) = voting_on_poll(BallotSecrecy::Named, 600).await;
    v.cast(&v.chair, poll.id, "agree").await;
    v.close(poll.id).await;
    let closed = v.hub.poll_view(&v.member, poll.id).await;
    let PollState::Closed { closed_at, .. } = closed.state else {
        panic!("the poll is closed: {closed:?}");
    };
    let ballots_before = v.hub.count("SELECT COUNT(*) FROM ballots");

    for (device, refusal, why) in [
        // The member saw the named tally (they just pulled), then votes "at the close".
        (
            &v.member,
            InvalidOperation::SeenSinceClose,
            "a laptop that pulled after the close cannot vote late",
        ),
        // The chair, who voted agree on time, flips it with a backdated ballot.
        (
            &v.chair,
            InvalidOperation::LateBallotReplaces,
            "a ballot counted on time is never replaced after the close",
        ),
    ] {
        let backdated = device.ballot_for(poll.id, device.member.id, "disagree", None, closed_at);
        let outcome = v.hub.push_one(device, backdated).await;
        assert_eq!(outcome, Outcome::rejected(refusal), "{why}");
    }
    v.hub
        .assert_rows("ballots", ballots_before, "neither reached the audit log");
    let after = v.hub.poll_view(&v.observer, poll.id).await;
    assert_eq!(after.tally, closed.tally, "the result did not move");
}

#[tokio::test]
async fn a_stolen_token_cannot_hand_a_vote_away() {
    let v = voting().await;
    let thief_key = device_key();
    let meeting = v.meeting.id;
    let chair = v.chair.member.id;

    // Signed with the thief's own key, sent with the member's stolen token.
    let mut forged = v.member.delegate(meeting, Some(chair));
    if let OperationPayload::Delegate { delegation } = &mut forged.payload {
        delegation.signature = hex::encode(thief_key.sign(&delegation.signed_message()).to_bytes());
    }
    assert_eq!(
        v.hub.push_one(&v.member, forged).await,
        Outcome::rejected(InvalidOperation::BadDelegationSignature),
        "a delegation not signed by the member's device is refused"
    );
    let mut retargeted = v.member.delegate(meeting, Some(chair));
    if let OperationPayload::Delegate { delegation } = &mut retargeted.payload {
        delegation.delegate = Some(v.b.chair.0.id);
    }
    assert_eq!(
        v.hub.push_one(&v.member, retargeted).await,
        Outcome::rejected(InvalidOperation::BadDelegationSignature),
        "an altered delegation is refused"
    );
    v.hub
        .assert_rows("delegations", 0, "no delegation was stored");
    assert!(
        !v.hub
            .feed(&v.chair)
            .await
            .iter()
            .any(|r| matches!(r, Record::Delegation { .. })),
        "and none reached the feed"
    );
    // A genuine one, taken; then replayed in another upload of the same device.
    let genuine = v.member.delegate(meeting, Some(chair));
    let payload = genuine.payload.clone();
    assert_eq!(v.hub.push_one(&v.member, genuine).await, Outcome::Applied);
    let replayed = v.member.op(payload);
    assert_eq!(
        v.hub.push_one(&v.member, replayed).await,
        Outcome::rejected(InvalidOperation::BadDelegationSignature),
        "a signature bound to another upload does not travel"
    );
    v.hub.assert_rows(
        "delegation_log",
        1,
        "the audit log holds the one genuine delegation",
    );
}

#[tokio::test]
async fn digits_finer_than_the_signed_milliseconds_are_refused() {
    let (v, poll) = voting_on_poll(BallotSecrecy::Named, 600).await;
    let ballot = v.member.vote(poll.id, "agree");
    let signed_at = ballot_of(&ballot).cast_at;
    let finer = tampered(ballot, |b| {
        b.cast_at = signed_at + chrono::Duration::nanoseconds(999_999);
    });
    assert_eq!(
        v.hub.push_one(&v.member, finer).await,
        Outcome::rejected(InvalidOperation::BadSignature),
        "what is not signed cannot decide which ballot counts"
    );
    v.hub.assert_rows("ballots", 0, "nothing stored");
}

#[tokio::test]
async fn the_operations_table_keeps_no_choice_and_no_signature_that_would_tell_it() {
    let (v, poll) = voting_on_poll(BallotSecrecy::Secret, 600).await;
    let ballot = v.member.ballot_for(
        poll.id,
        v.member.member.id,
        "other",
        Some("Cần bổ sung số liệu"),
        now(),
    );
    assert_eq!(v.hub.push_one(&v.member, ballot).await, Outcome::Applied);
    let payload: String = v
        .hub
        .first_value("SELECT payload FROM operations WHERE payload LIKE '%\"castBallot\"%'");
    for secret in ["optionKey", "\"other\"", "signature", "bổ sung"] {
        assert!(
            !payload.contains(secret),
            "{secret} is not in the operations table: {payload}"
        );
    }
    v.hub
        .assert_rows("ballots", 1, "the audit log alone holds the ballot");
}

/// The member's private note saying `text` on page 1 of the meeting's document.
fn members_note(v: &Voting, text: String) -> Annotation {
    let document = &v.meeting.agenda[0].documents[0];
    Annotation::private(
        document.id,
        document.current.sha256.clone(),
        0,
        v.member.member.id,
        Color::Yellow,
        AnnotationShape::Note {
            at: PagePoint { x: 1.0, y: 1.0 },
            text,
        },
        now(),
    )
}

#[tokio::test]
async fn an_oversized_note_is_refused_and_reaches_nobody() {
    let v = voting().await;
    let note = members_note(&v, "x".repeat(3_500_000));
    let operation = v
        .member
        .op(OperationPayload::SaveAnnotation { annotation: note });
    assert_eq!(
        v.hub.push_one(&v.member, operation).await,
        Outcome::rejected(InvalidOperation::TooLarge),
        "a 3.5 MB note is refused with its reason"
    );
    v.hub.assert_rows("annotations", 0, "nothing stored");
}

async fn outsider_page(v: &Voting) -> quorum_core::protocol::ChangesPage {
    v.hub
        .get(&v.outsider.token, "/changes?since=0")
        .await
        .json()
        .await
        .expect("a page")
}

#[tokio::test]
async fn another_committee_learns_nothing_from_cursors_withdrawals_or_health() {
    let v = voting().await;
    let before = outsider_page(&v).await;
    // Committee A is busy: a shared note made private again, and a vote.
    let mut note = members_note(&v, "Ghi chú".into());
    note.visibility = quorum_core::Visibility::Shared;
    let shared = v.member.op(OperationPayload::SaveAnnotation {
        annotation: note.clone(),
    });
    assert_eq!(v.hub.push_one(&v.member, shared).await, Outcome::Applied);
    note.visibility = quorum_core::Visibility::Private;
    let private = v
        .member
        .op(OperationPayload::SaveAnnotation { annotation: note });
    assert_eq!(v.hub.push_one(&v.member, private).await, Outcome::Applied);

    let after = outsider_page(&v).await;
    assert_eq!(
        after, before,
        "committee B's feed and cursor did not move: no withdrawal, no number of A's"
    );
    let health = answer(v.hub.client.get(v.hub.url("/health"))).await;
    let health: serde_json::Value = health.json().await.expect("JSON");
    assert_eq!(
        health,
        serde_json::json!({ "ok": true }),
        "health tells a stranger nothing but that the hub answers"
    );
}

#[tokio::test]
async fn a_secretary_cannot_publish_or_fetch_another_committees_document_nor_learn_it_exists() {
    let v = voting().await;
    let b_secretary = v.hub.device(&v.b.secretary.1).await;
    let a_document = v.meeting.agenda[0].documents[0].current.sha256.clone();
    let unknown = sha256_of(b"never uploaded anywhere");
    let mut answers = Vec::new();
    for sha in [a_document.clone(), unknown] {
        let meeting = meeting_with_document(v.b.committee.id, vec![v.b.chair.0.id], sha, 10_000);
        let response = v.hub.put_meeting(&b_secretary.token, &meeting).await;
        answers.push((response.status(), api_error(response).await.code));
    }
    assert_eq!(
        answers[0], answers[1],
        "another committee's document and a document nobody has answer alike"
    );
    assert_eq!(
        answers[0].0,
        StatusCode::CONFLICT,
        "upload it first, both say"
    );
    let fetched = v
        .hub
        .get(&b_secretary.token, &format!("/blobs/{a_document}"))
        .await;
    assert_status(&fetched, StatusCode::NOT_FOUND, "and it cannot be fetched");
    assert_eq!(
        v.hub.count(&format!(
            "SELECT COUNT(*) FROM meetings WHERE committee_id = '{}'",
            v.b.committee.id
        )),
        0,
        "committee B published nothing"
    );
    // Holding the bytes themselves, B's secretary uploads its own copy: then it is B's too.
    let bytes = document_bytes(10_000);
    assert_eq!(sha256_of(&bytes), a_document, "the same document");
    v.hub.upload(&b_secretary.token, bytes).await;
    let meeting = meeting_with_document(v.b.committee.id, vec![v.b.chair.0.id], a_document, 10_000);
    let response = v.hub.put_meeting(&b_secretary.token, &meeting).await;
    assert_status(
        &response,
        StatusCode::OK,
        "a committee publishes what it uploaded",
    );
}

#[tokio::test]
async fn the_identity_point_with_a_forged_signature_does_not_enroll() {
    let (hub, committee) = TestHub::with_committee("UBND").await;
    let code = committee.member.1.clone();
    // The identity point as a public key, and R = identity, s = 0: `verify` accepts it
    // for any message, `verify_strict` does not.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let mut signature = [0u8; 64];
    signature[0] = 1;
    let request = EnrollRequest {
        code: code.clone(),
        public_key: hex::encode(identity),
        signature: hex::encode(signature),
        device_name: "Máy lạ".into(),
    };
    let status = hub.enroll_request(&request).await.status();
    assert!(
        status == StatusCode::FORBIDDEN || status == StatusCode::BAD_REQUEST,
        "refused: {status}"
    );
    hub.assert_rows("devices", 0, "no device enrolled");
    hub.enroll(&code).await;
    hub.assert_rows("devices", 1, "the code still works for the member");
}

#[tokio::test]
async fn an_expired_code_does_not_enroll_and_says_it_expired() {
    let (hub, committee) = TestHub::with_committee("UBND").await;
    let member_id = committee.member.0.id;
    let code = hub
        .hub
        .with_store(move |store, _| {
            store.new_code(member_id, chrono::Duration::hours(-1), &SystemClock)
        })
        .await
        .expect("a code is issued");
    let response = hub.try_enroll(&code, &device_key()).await;
    assert_status(
        &response,
        StatusCode::FORBIDDEN,
        "an expired code is refused",
    );
    assert_error_code(
        response,
        "enrollment_code_expired",
        "and the member is told it expired, so they ask for a new one",
    )
    .await;
    hub.assert_rows("devices", 0, "no device enrolled");

    // Once the secretary hands out a new code, the old one is simply unknown.
    let fresh = hub
        .hub
        .with_store(move |store, _| {
            store.new_code(member_id, chrono::Duration::hours(1), &SystemClock)
        })
        .await
        .expect("a code is issued");
    let response = hub.try_enroll(&code, &device_key()).await;
    assert_error_code(response, "enrollment_refused", "a replaced code").await;
    hub.assert_rows("devices", 0, "no device enrolled");
    hub.enroll(&fresh).await;
    hub.assert_rows("devices", 1, "the new code enrolls");
}

#[tokio::test]
async fn guessing_codes_is_slowed_to_a_crawl() {
    let (hub, committee) = TestHub::with_committee("UBND").await;
    let key = device_key();
    for n in 0..10 {
        let guess = format!("AAAA-BBBB-{n:04}");
        let response = hub.try_enroll(&guess, &key).await;
        assert_status(
            &response,
            StatusCode::FORBIDDEN,
            format!("guess {n} is wrong"),
        );
    }
    let response = hub.try_enroll(&committee.member.1, &key).await;
    assert_status(
        &response,
        StatusCode::TOO_MANY_REQUESTS,
        "after ten wrong guesses even a right one waits: guessing gains nothing",
    );
    assert_eq!(api_error(response).await.code, "too_many_attempts");
    hub.assert_rows("devices", 0, "no device enrolled");
    let stolen = hub.get(&"0".repeat(64), "/changes").await;
    assert_status(
        &stolen,
        StatusCode::TOO_MANY_REQUESTS,
        "and so does a token guess from that address",
    );
}

/// Ten wrong guesses forwarded for 203.0.113.7, then the right `code` forwarded for
/// `other`: answers the hub's response to the right code.
async fn guesses_then_a_right_code(hub: &TestHub, code: &str, other: &str) -> reqwest::Response {
    let key = device_key();
    for n in 0..10 {
        let wrong = hub
            .try_enroll_for("203.0.113.7", &format!("AAAA-BBBB-{n:04}"), &key)
            .await;
        assert_status(&wrong, StatusCode::FORBIDDEN, format!("guess {n} is wrong"));
    }
    hub.try_enroll_for(other, code, &device_key()).await
}

#[tokio::test]
async fn behind_a_trusted_balancer_a_guesser_is_slowed_and_not_the_laptops_beside_it() {
    let (hub, committee) = TestHub::with_committee("UBND").await;
    // Nobody trusted: a forwarded-for header from the socket's address changes nothing.
    let forged = guesses_then_a_right_code(&hub, &committee.member.1, "198.51.100.9").await;
    assert_status(
        &forged,
        StatusCode::TOO_MANY_REQUESTS,
        "a guesser naming another address for itself is still slowed",
    );
    hub.assert_rows("devices", 0, "nothing enrolled");

    let (behind, committee) = TestHub::with_committee("UBND").await;
    behind
        .hub
        .trust_proxies(vec![std::net::Ipv4Addr::LOCALHOST.into()]);
    let other = guesses_then_a_right_code(&behind, &committee.member.1, "198.51.100.9").await;
    assert_status(
        &other,
        StatusCode::OK,
        "another laptop behind the same balancer enrolls",
    );
    let guesser = behind
        .try_enroll_for("203.0.113.7", &committee.chair.1, &device_key())
        .await;
    assert_status(
        &guesser,
        StatusCode::TOO_MANY_REQUESTS,
        "the guesser itself waits, even with a right code",
    );
    behind.assert_rows("devices", 1, "only the other laptop enrolled");
}

#[tokio::test]
async fn a_device_holds_at_most_four_live_channels() {
    let v = voting().await;
    let mut open = Vec::new();
    for _ in 0..quorum_hub::MAX_CHANNELS_PER_DEVICE {
        let response = v.hub.get(&v.member.token, "/events").await;
        assert_status(&response, StatusCode::OK, "a channel opens");
        open.push(response);
    }
    let refused = v.hub.get(&v.member.token, "/events").await;
    assert_status(
        &refused,
        StatusCode::TOO_MANY_REQUESTS,
        "one more is refused",
    );
    assert_eq!(
        v.hub.get(&v.chair.token, "/events").await.status(),
        StatusCode::OK,
        "another device is not affected"
    );
    drop(open.pop());
    // The freed place is taken back once the hub notices the channel closed.
    let mut reopened = StatusCode::TOO_MANY_REQUESTS;
    for _ in 0..50 {
        reopened = v.hub.get(&v.member.token, "/events").await.status();
        if reopened == StatusCode::OK {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(reopened, StatusCode::OK, "a closed channel frees its place");
}

/// A hub that gives a client one second for its handshake and its request.
async fn impatient_hub() -> TestHub {
    let limits = quorum_hub::ConnectionLimits {
        client_timeout: Duration::from_secs(1),
        ..quorum_hub::ConnectionLimits::default()
    };
    TestHub::start_with(limits).await
}

#[tokio::test]
async fn half_open_connections_do_not_stop_the_hub_and_are_cut_off() {
    let hub = impatient_hub().await;
    let mut idle = Vec::new();
    for _ in 0..100 {
        let mut stream = tokio::net::TcpStream::connect(hub.address())
            .await
            .expect("a connection");
        // A TLS record header, then nothing: the handshake never completes.
        stream.write_all(&[0x16, 0x03, 0x01]).await.expect("sent");
        idle.push(stream);
    }
    let health = hub.client.get(hub.url("/health")).send().await;
    let health = health.expect("the hub still answers");
    assert_status(&health, StatusCode::OK, "with 100 half-open connections");
    // Each is closed by the hub once its handshake deadline passes.
    let mut buffer = [0u8; 16];
    for stream in &mut idle {
        let read = tokio::time::timeout(Duration::from_secs(10), async {
            use tokio::io::AsyncReadExt;
            stream.read(&mut buffer).await
        })
        .await
        .expect("the hub closes a stalled handshake");
        assert!(
            matches!(read, Ok(0) | Err(_)),
            "closed, not answered: {read:?}"
        );
    }
}

#[tokio::test]
async fn a_stalled_upload_is_cut_off_and_leaves_no_partial_file() {
    let hub = impatient_hub().await;
    let committee = hub.add_committee("UBND").await;
    let secretary = hub.enroll(&committee.secretary.1).await;
    let (sender, receiver) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(1);
    sender
        .send(Ok(vec![b'%'; 64 * 1024]))
        .await
        .expect("the first part is queued");
    let body = reqwest::Body::wrap_stream(tokio_stream_of(receiver));
    let upload = hub
        .client
        .put(hub.url(&format!("/blobs/{}", "ab".repeat(32))))
        .bearer_auth(&secretary.token)
        .header("content-length", "10000000")
        .body(body)
        .send();
    let answer = tokio::time::timeout(Duration::from_secs(15), upload)
        .await
        .expect("the hub does not wait forever for the rest");
    assert!(
        answer.as_ref().map_or(true, |r| !r.status().is_success()),
        "the upload is not taken: {answer:?}"
    );
    drop(sender);
    let leftovers: Vec<_> = std::fs::read_dir(hub.hub.blobs_dir())
        .expect("the blob folder")
        .filter_map(Result::ok)
        .filter(|entry| entry.file_name().to_string_lossy().starts_with(".incoming"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "no partial file is left: {leftovers:?}"
    );
}

fn tokio_stream_of(
    mut receiver: tokio::sync::mpsc::Receiver<Result<Vec<u8>, std::io::Error>>,
) -> impl futures_util::Stream<Item = Result<Vec<u8>, std::io::Error>> {
    futures_util::stream::poll_fn(move |cx| receiver.poll_recv(cx))
}

#[tokio::test]
async fn the_data_folder_and_its_files_are_private_to_the_hub() {
    use std::os::unix::fs::PermissionsExt;
    let parent = tempfile::tempdir().expect("a temp dir");
    let data = parent.path().join("hub");
    let _store = quorum_hub::open_for_admin(&data, &quorum_hub::Backends::default())
        .expect("a fresh data folder");
    quorum_hub::HubCertificate::load_or_create(&data, None).expect("a certificate");
    let mode = |path: &std::path::Path| {
        std::fs::metadata(path)
            .expect("it exists")
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(mode(&data), 0o700, "the data folder");
    assert_eq!(mode(&data.join("blobs")), 0o700, "the blob folder");
    assert_eq!(mode(&data.join("hub.sqlite3")), 0o600, "the database");
    assert_eq!(
        mode(&data.join("tls").join("hub.key")),
        0o600,
        "the TLS key"
    );
}

#[tokio::test]
async fn a_check_in_queued_before_the_secretarys_mark_does_not_undo_it_and_both_see_the_conflict() {
    let v = voting().await;
    let meeting_id = v.meeting.id;
    let member_id = v.member.member.id;
    // The member checks in on a laptop that is offline; the secretary, not seeing them,
    // marks them absent meanwhile.
    let queued = v.member.op(OperationPayload::CheckIn { meeting_id });
    tokio::time::sleep(Duration::from_millis(20)).await;
    let absent = quorum_core::Attendance::Absent {
        reason: "Đi công tác".into(),
    };
    let mark = v.secretary.op(OperationPayload::MarkAttendance {
        meeting_id,
        member_id,
        attendance: absent.clone(),
    });
    assert_eq!(v.hub.push_one(&v.secretary, mark).await, Outcome::Applied);
    assert_eq!(
        v.hub.push_one(&v.member, queued).await,
        Outcome::rejected(InvalidOperation::MarkedMeanwhile),
        "the older check-in arriving later is refused, with its reason for the member"
    );
    let attendance_of = |records: Vec<Record>| {
        records.into_iter().rev().find_map(|record| match record {
            Record::Attendance {
                member_id: id,
                attendance,
                disputed_check_in,
                ..
            } if id == member_id => Some((attendance, disputed_check_in.is_some())),
            _ => None,
        })
    };
    assert_eq!(
        attendance_of(v.hub.feed(&v.secretary).await),
        Some((absent, true)),
        "the secretary's mark holds, and the secretary is shown the disputed check-in"
    );
    // Arriving later for real, the member checks in again: that one is newer, it holds.
    let again = v.member.op(OperationPayload::CheckIn { meeting_id });
    assert_eq!(v.hub.push_one(&v.member, again).await, Outcome::Applied);
    assert_eq!(
        attendance_of(v.hub.feed(&v.member).await),
        Some((quorum_core::Attendance::Present, false)),
        "a check-in made after the mark is the later decision"
    );
}

/// One request of the matrix: who asks (by token), and the status they must get.
async fn status_of(
    hub: &TestHub,
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
    body: Option<Vec<u8>>,
) -> StatusCode {
    let mut request = hub.client.request(method, hub.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body);
    }
    request.send().await.expect("the hub answers").status()
}

#[tokio::test]
async fn every_endpoint_answers_each_caller_as_their_role_committee_and_invitation_allow() {
    use reqwest::Method;
    let v = voting().await;
    let committee_id = v.a.committee.id;
    let uninvited_code = v
        .hub
        .hub
        .with_store(move |store, _| {
            store
                .add_member(
                    committee_id,
                    "Lê Văn Phúc",
                    quorum_core::Role::Member,
                    "",
                    quorum_hub::DEFAULT_CODE_VALIDITY,
                    &SystemClock,
                )
                .map(|added| added.code)
        })
        .await
        .expect("a member not invited to the meeting");
    let uninvited = v.hub.device(&uninvited_code).await;
    // A second device of the member, then revoked: the member's own laptop stays.
    let code = v.hub.new_code(v.member.member.id).await;
    let second = v.hub.device(&code).await;
    v.hub.revoke(second.device_id).await;

    let document = v.meeting.agenda[0].documents[0].current.sha256.clone();
    let meeting_path = format!("/meetings/{}", v.meeting.id);
    let republish = serde_json::to_vec(&v.meeting).expect("JSON");
    let status_body = serde_json::to_vec(&quorum_core::protocol::DeviceStatus {
        pending_operations: 0,
        packs: vec![],
    })
    .expect("JSON");
    let new_blob = document_bytes(777);
    let new_sha = sha256_of(&new_blob);

    // The requests, in this order: changes, blob, upload, publish, device-status, events.
    let blob_path = format!("/blobs/{document}");
    let upload_path = format!("/blobs/{new_sha}");
    let requests: [(Method, &str, Option<&Vec<u8>>); 6] = [
        (Method::GET, "/changes?since=0", None),
        (Method::GET, &blob_path, None),
        (Method::PUT, &upload_path, Some(&new_blob)),
        (Method::PUT, &meeting_path, Some(&republish)),
        (Method::POST, "/device-status", Some(&status_body)),
        (Method::GET, "/events", None),
    ];
    // (who, token): the statuses each of those requests must get.
    const SECRETARY: [u16; 6] = [200, 200, 200, 200, 200, 200];
    const INVITED: [u16; 6] = [200, 200, 403, 403, 200, 200];
    const NOT_INVITED: [u16; 6] = [200, 404, 403, 403, 200, 200];
    const NOT_LET_IN: [u16; 6] = [401; 6];
    let forged = "f".repeat(64);
    let callers: Vec<(&str, Option<&str>, [u16; 6])> = vec![
        ("A's secretary", Some(&v.secretary.token), SECRETARY),
        ("A's chair, invited", Some(&v.chair.token), INVITED),
        ("A's member, invited", Some(&v.member.token), INVITED),
        ("A's observer, invited", Some(&v.observer.token), INVITED),
        (
            "A's member, not invited",
            Some(&uninvited.token),
            NOT_INVITED,
        ),
        ("B's chair", Some(&v.outsider_chair.token), NOT_INVITED),
        ("B's member", Some(&v.outsider.token), NOT_INVITED),
        ("a revoked device", Some(&second.token), NOT_LET_IN),
        ("a forged token", Some(&forged), NOT_LET_IN),
        ("no token", None, NOT_LET_IN),
    ];
    let version_before = v.hub.count("SELECT MAX(version) FROM meetings");
    for (who, token, expected) in callers {
        let mut got = [0; 6];
        for (status, (method, path, body)) in got.iter_mut().zip(&requests) {
            let answer = status_of(&v.hub, method.clone(), path, token, body.cloned()).await;
            // After ten failed tokens from this address the hub holds it back (429); the
            // callers with good tokens all come first, so for these it is the same refusal.
            *status = match answer.as_u16() {
                429 => 401,
                other => other,
            };
        }
        assert_eq!(
            got, expected,
            "{who}: changes, blob, upload, publish, status, events"
        );
    }
    assert_eq!(
        v.hub.count("SELECT MAX(version) FROM meetings"),
        version_before + 1,
        "only the secretary's publish moved the meeting, by one version"
    );
    assert_eq!(
        v.hub.count(&format!(
            "SELECT COUNT(*) FROM committee_blobs WHERE sha256 = '{new_sha}'"
        )),
        1,
        "only the secretary's upload was kept"
    );
}

#[tokio::test]
async fn past_the_connection_cap_a_connection_is_refused_until_a_stalled_one_is_cut() {
    let limits = quorum_hub::ConnectionLimits {
        max_connections: 5,
        client_timeout: Duration::from_secs(1),
    };
    let hub = TestHub::start_with(limits).await;
    let mut held = Vec::new();
    for _ in 0..5 {
        held.push(
            tokio::net::TcpStream::connect(hub.address())
                .await
                .expect("a connection"),
        );
    }
    // Give the hub a moment to take all five, so the next one is the sixth.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let sixth = hub.client.get(hub.url("/health")).send().await;
    assert!(
        sixth.is_err(),
        "the sixth connection is closed at once: {sixth:?}"
    );
    // The five stalled ones are cut at their handshake deadline; then the hub answers.
    let mut answered = false;
    for _ in 0..50 {
        if let Ok(response) = hub.client.get(hub.url("/health")).send().await {
            answered = response.status() == StatusCode::OK;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(
        answered,
        "once the stalled connections are cut, the hub answers again"
    );
    drop(held);
}
