//! `quorum` as a script runs it: the real binary on a profile folder, against a real
//! hub served over HTTPS on loopback in this process.
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

// The hub's own test kit: a served hub, a committee, published meetings.
#[path = "../../quorum-hub/tests/common/mod.rs"]
mod common;

use std::path::Path;

use common::TestHub;
use serde_json::Value;

/// What one run printed and how it ended.
struct Run {
    code: i32,
    json: Value,
    stderr: String,
}

async fn quorum(profile: &Path, args: &[&str]) -> Run {
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_quorum"))
        .arg("--profile")
        .arg(profile)
        .arg("--json")
        .args(args)
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let json = serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("quorum {args:?} printed one JSON document ({e}): {stdout:?}"));
    Run {
        code: output.status.code().unwrap(),
        json,
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

/// The error `quorum ARGS` printed, insisting that it failed.
async fn refused(profile: &Path, args: &[&str]) -> String {
    let run = quorum(profile, args).await;
    assert_ne!(run.code, 0, "quorum {args:?} fails: {}", run.json);
    run.json["error"]
        .as_str()
        .unwrap_or_else(|| panic!("quorum {args:?} names its error: {}", run.json))
        .to_string()
}

async fn enrolled_member(profile: &Path) -> Value {
    quorum(profile, &["status"]).await.json["member"].clone()
}

fn hub_url(hub: &TestHub) -> &str {
    hub.base.trim_end_matches("/v1")
}

#[tokio::test]
async fn a_profile_never_enrolled_is_told_how_to_join() {
    let profile = tempfile::tempdir().unwrap();
    let error = refused(profile.path(), &["sync"]).await;
    assert!(
        error.contains("quorum enroll"),
        "the message says what to run: {error}"
    );
    let status = quorum(profile.path(), &["status"]).await;
    assert!(
        status.code == 0 && status.json["member"].is_null(),
        "status works on an empty profile and names no member: {}",
        status.json
    );
}

#[tokio::test]
async fn enrolling_refuses_what_could_bind_the_laptop_to_the_wrong_hub_and_binds_nothing() {
    let hub = TestHub::start().await;
    let committee = hub.add_committee("UBND phường Bến Nghé").await;
    let code = committee.member.1.as_str();
    let url = hub_url(&hub);
    let profile = tempfile::tempdir().unwrap();
    let profile = profile.path();
    let fingerprint = hub.fingerprint.as_str();
    let plain = url
        .replace("https://", "http://")
        .replace("127.0.0.1", "192.0.2.7");

    for (args, expected) in [
        (vec!["enroll", plain.as_str(), code], "plain HTTP"),
        (vec!["enroll", url, code], "certificate fingerprint"),
        (
            vec!["enroll", url, code, "--certificate", "abc123"],
            "not a certificate fingerprint",
        ),
        (
            vec![
                "enroll",
                url,
                "WRONG-CODE-0000",
                "--certificate",
                fingerprint,
            ],
            "unknown or already used",
        ),
    ] {
        let error = refused(profile, &args).await;
        assert!(error.contains(expected), "{args:?} is refused: {error}");
        assert!(
            enrolled_member(profile).await.is_null(),
            "after {args:?} the profile is bound to no one"
        );
    }
    hub.assert_rows("devices", 0, "no laptop was added on the hub");

    let enroll = ["enroll", url, code, "--certificate", fingerprint];
    let enrolled = quorum(profile, &enroll).await;
    assert_eq!(
        enrolled.code, 0,
        "the right code enrolls: {}",
        enrolled.json
    );
    assert_eq!(
        enrolled_member(profile).await["fullName"],
        "Trần Thị Bích",
        "as the member the code was made for"
    );
    let again = refused(profile, &enroll).await;
    assert!(
        again.contains("already enrolled"),
        "a second enrollment of the same profile is refused: {again}"
    );
}

#[tokio::test]
async fn mistyped_arguments_are_answered_in_json_and_queue_nothing() {
    let hub = TestHub::start().await;
    let committee = hub.add_committee("UBND phường Bến Nghé").await;
    let (meeting, _, _) = hub.publish_meeting(&committee, 4_000).await;
    let profile = tempfile::tempdir().unwrap();
    let profile = profile.path();
    let enrolled = quorum(
        profile,
        &[
            "enroll",
            hub_url(&hub),
            &committee.member.1,
            "--certificate",
            &hub.fingerprint,
        ],
    )
    .await;
    assert_eq!(enrolled.code, 0, "{}", enrolled.json);
    assert_eq!(quorum(profile, &["sync"]).await.code, 0);

    let not_an_id = quorum(profile, &["check-in", "phien-hop-thang-12"]).await;
    assert!(
        not_an_id.code == 2
            && not_an_id.json["error"]
                .as_str()
                .unwrap()
                .contains("phien-hop-thang-12")
            && not_an_id.stderr.contains("--help"),
        "a meeting that is not an id: usage error, in JSON on stdout and for people on \
         stderr: {} {}",
        not_an_id.json,
        not_an_id.stderr
    );
    let unknown = quorum_core::MeetingId::new_v7().to_string();
    let error = refused(profile, &["check-in", &unknown]).await;
    assert!(
        error.contains(&unknown),
        "a meeting this laptop does not know is named: {error}"
    );
    let status = quorum(profile, &["status"]).await.json;
    assert_eq!(
        status["status"]["pendingOperations"], 0,
        "nothing was queued: {status}"
    );
    let checked_in = quorum(profile, &["check-in", &meeting.id.to_string()]).await;
    assert_eq!(
        checked_in.code, 0,
        "the right id checks in: {}",
        checked_in.json
    );
}
