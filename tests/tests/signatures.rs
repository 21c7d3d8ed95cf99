//! Ký số on a member's laptop, with the real hub and `quorum`: the hub's admin trusts a
//! CA, signed documents reach the laptop, and the laptop says who signed each and
//! whether it holds, the same with the hub stopped; when the admin stops trusting the
//! CA, the laptops follow.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use quorum_e2e::processes::{
    DemoHub, Laptop, demo_hub, hub_admin_output, replace_document, synced_laptop,
};
use quorum_e2e::signatures_data;
use serde_json::Value;

/// The ids of the only meeting's documents, in agenda order.
fn document_ids(laptop: &Laptop) -> Vec<String> {
    laptop.only_meeting()["agenda"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|item| item["documents"].as_array().unwrap().clone())
        .map(|document| document["id"].as_str().unwrap().to_string())
        .collect()
}

/// `quorum signatures DOCUMENT`: the verdict, and each signature's verdict, signer and
/// problem codes.
fn checked(laptop: &Laptop, document: &str) -> (Value, Vec<(Value, Value, Vec<Value>)>) {
    let checked = laptop.run(&["signatures", document]);
    let signatures = checked["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let problems = s["problems"].as_array().unwrap();
            (
                s["verdict"].clone(),
                s["signer"]["commonName"].clone(),
                problems.iter().map(|p| p["code"].clone()).collect(),
            )
        })
        .collect();
    (checked["verdict"].clone(), signatures)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_signed_document_is_checked_on_the_laptop_against_the_cas_the_hub_trusts_even_offline() {
    let DemoHub { data, members, hub } = demo_hub();
    let laptops = tempfile::tempdir().unwrap();
    let secretary = synced_laptop(&hub, laptops.path(), &members, "secretary");
    let member = synced_laptop(&hub, laptops.path(), &members, "member");
    let signed = std::fs::read(signatures_data("made-with-pyhanko/plain-adbe-rsa.pdf")).unwrap();
    let tampered = std::fs::read(signatures_data(
        "made-with-pyhanko/plain-adbe-rsa-tampered.pdf",
    ))
    .unwrap();
    replace_document(&hub, &secretary, 0, signed, 1).await;
    replace_document(&hub, &secretary, 1, tampered, 1).await;
    member.run(&["sync"]);
    let documents = document_ids(&member);
    let (signed, tampered, unsigned) = (&documents[0], &documents[1], &documents[2]);

    let (verdict, signatures) = checked(&member, signed);
    assert_eq!(
        (verdict, signatures),
        (
            "undetermined".into(),
            vec![(
                "undetermined".into(),
                "Alice".into(),
                vec!["untrustedIssuer".into()]
            )]
        ),
        "before the admin trusts its CA, the signer is named but not vouched for"
    );
    assert_eq!(
        checked(&member, unsigned),
        (Value::Null, vec![]),
        "a sample document carries no signature"
    );

    let root = signatures_data("pyhanko/root-ca.pem");
    hub_admin_output(
        data.path(),
        &["admin", "trust", "add", root.to_str().unwrap()],
    );
    member.run(&["sync"]);
    let valid = (
        "valid".into(),
        vec![("valid".into(), "Alice".into(), vec![])],
    );
    let invalid = (
        "invalid".into(),
        vec![(
            "invalid".into(),
            "Alice".into(),
            vec!["digestMismatch".into()],
        )],
    );
    assert_eq!(checked(&member, signed), valid, "trusted now: hợp lệ");
    assert_eq!(
        checked(&member, tampered),
        invalid,
        "one changed byte: không hợp lệ"
    );
    let whole = member.run(&["signatures", signed]);
    let signature = &whole["signatures"][0];
    assert_eq!(
        signature["laterChanges"]["kind"], "none",
        "not changed since signing"
    );
    assert_eq!(
        signature["revocation"], "notChecked",
        "revocation is said not checked"
    );
    assert_eq!(
        signature["timeSource"]["kind"], "declared",
        "the time is the signer's own"
    );

    // The hub stopped: the laptop says the same, from what it holds.
    hub.kill();
    assert_eq!(checked(&member, signed), valid, "offline, still hợp lệ");
    assert_eq!(
        checked(&member, tampered),
        invalid,
        "offline, still không hợp lệ"
    );
    let again = member.run(&["signatures", signed]);
    assert_eq!(again, whole, "the same check, signature for signature");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_ca_the_admin_stops_trusting_no_longer_vouches_for_its_signers_on_the_laptops() {
    let DemoHub { data, members, hub } = demo_hub();
    let root = signatures_data("pyhanko/root-ca.pem");
    let listed = hub_admin_output(
        data.path(),
        &["admin", "trust", "add", root.to_str().unwrap()],
    );
    let fingerprint = String::from_utf8(listed.stdout).unwrap();
    let fingerprint = fingerprint.split('\t').next().unwrap().to_string();
    let laptops = tempfile::tempdir().unwrap();
    let secretary = synced_laptop(&hub, laptops.path(), &members, "secretary");
    let signed = std::fs::read(signatures_data("made-with-pyhanko/pades-b-rsa.pdf")).unwrap();
    replace_document(&hub, &secretary, 0, signed, 1).await;
    let member = synced_laptop(&hub, laptops.path(), &members, "member");
    let document = &document_ids(&member)[0];
    assert_eq!(
        checked(&member, document).0,
        "valid",
        "trusted from the start"
    );

    hub_admin_output(data.path(), &["admin", "trust", "remove", &fingerprint]);
    assert_eq!(
        checked(&member, document).0,
        "valid",
        "until it syncs, the laptop keeps the certificates it was given"
    );
    member.run(&["sync"]);
    let (verdict, signatures) = checked(&member, document);
    assert_eq!(verdict, "undetermined", "no longer vouched for");
    assert_eq!(signatures[0].2, vec![Value::from("untrustedIssuer")]);
}
