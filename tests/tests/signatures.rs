//! Ký số on a member's laptop, with the real hub and `quorum`: the hub's admin trusts a
//! CA, signed documents reach the laptop, and the laptop says who signed each and
//! whether it holds, the same with the hub stopped; when the admin stops trusting the
//! CA, the laptops follow.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use quorum_e2e::processes::{
    DemoHub, HubProcess, Laptop, demo_hub, hub_admin_output, replace_document, synced_laptop,
};
use std::path::Path;

use quorum_e2e::signatures_data;
use quorum_e2e::signing::{CrlServer, signed_by_test_signer, test_ca};
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
        signature["revocation"]["kind"], "notChecked",
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

/// `quorum-hub admin check-revocation`: each list's address and what became of it.
fn check_revocation(data: &Path) -> Vec<(String, String, String)> {
    let output = hub_admin_output(data, &["admin", "check-revocation"]);
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| {
            let mut fields = line.splitn(3, '\t').map(str::to_string);
            (
                fields.next().unwrap(),
                fields.next().unwrap(),
                fields.next().unwrap_or_default(),
            )
        })
        .collect()
}

/// The first signature of the document on the laptop: verdict, revocation state and
/// problem codes.
fn revocation_seen(laptop: &Laptop, document: &str) -> (Value, Value, Vec<Value>) {
    let checked = laptop.run(&["signatures", document]);
    let signature = &checked["signatures"][0];
    (
        signature["verdict"].clone(),
        signature["revocation"]["kind"].clone(),
        signature["problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|problem| problem["code"].clone())
            .collect(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn the_hub_fetches_the_cas_revocation_list_and_a_revoked_signer_turns_invalid_on_the_laptops()
{
    let www = tempfile::tempdir().unwrap();
    let server = CrlServer::start(www.path());
    let url = format!("http://127.0.0.1:{}/ca.crl", server.port);
    let ca = tempfile::tempdir().unwrap();
    test_ca(&[Path::new("make"), ca.path(), Path::new(&url)]);
    let list = www.path().join("ca.crl");
    test_ca(&[Path::new("crl"), ca.path(), &list]);

    let DemoHub { data, members, hub } = demo_hub();
    hub_admin_output(
        data.path(),
        &[
            "admin",
            "trust",
            "add",
            ca.path().join("ca.pem").to_str().unwrap(),
        ],
    );
    let laptops = tempfile::tempdir().unwrap();
    let secretary = synced_laptop(&hub, laptops.path(), &members, "secretary");
    replace_document(&hub, &secretary, 0, signed_by_test_signer(ca.path()), 1).await;
    let member = synced_laptop(&hub, laptops.path(), &members, "member");
    let document = document_ids(&member)[0].clone();
    let valid_unchecked = ("valid".into(), "notChecked".into(), vec![]);
    assert_eq!(
        revocation_seen(&member, &document),
        valid_unchecked,
        "before the hub asked the CA: valid, revocation not checked"
    );

    // A serving hub fetches the lists at start (and every few hours): restarted, it
    // passes the list on with no admin asking.
    let address = hub.address.clone();
    hub.kill();
    let hub = HubProcess::start(data.path(), &address);
    let mut waited = 0;
    let whole = loop {
        member.run(&["sync"]);
        let whole = member.run(&["signatures", &document]);
        if whole["signatures"][0]["revocation"]["kind"] != "notChecked" || waited == 300 {
            break whole;
        }
        waited += 1;
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    assert_eq!(
        whole["signatures"][0]["revocation"]["kind"], "notRevoked",
        "{whole}"
    );
    assert!(
        whole["signatures"][0]["revocation"]["listIssuedAt"]
            .as_str()
            .is_some_and(|at| at.starts_with("20")),
        "the list's date is shown: {whole}"
    );
    assert_eq!(whole["verdict"], "valid");
    let fetched = check_revocation(data.path());
    assert_eq!(
        fetched
            .iter()
            .map(|(url, state, _)| (url.as_str(), state.as_str()))
            .collect::<Vec<_>>(),
        vec![(url.as_str(), "unchanged")],
        "the admin's round finds the one list the signer names, as the hub kept it: {fetched:?}"
    );

    test_ca(&[Path::new("revoke"), ca.path()]);
    test_ca(&[Path::new("crl"), ca.path(), &list]);
    assert_eq!(check_revocation(data.path())[0].1, "updated");
    member.run(&["sync"]);
    let revoked = (
        "invalid".into(),
        "revoked".into(),
        vec![Value::from("certificateRevoked")],
    );
    assert_eq!(
        revocation_seen(&member, &document),
        revoked,
        "revoked, with no timestamp to date the signature earlier: không hợp lệ"
    );

    // An impostor CA of the same name publishes a clean list at the same address: the
    // hub refuses it and the laptops keep the real one.
    let impostor = tempfile::tempdir().unwrap();
    test_ca(&[Path::new("make"), impostor.path(), Path::new(&url)]);
    test_ca(&[Path::new("crl"), impostor.path(), &list]);
    let refused = check_revocation(data.path());
    assert_eq!(refused[0].1, "failed", "{refused:?}");
    assert!(refused[0].2.contains("signature"), "{refused:?}");
    // Not a list at all, then the CA's server gone: refused, and nothing changes.
    std::fs::write(&list, "<html>Trang bảo trì</html>").unwrap();
    assert_eq!(check_revocation(data.path())[0].1, "failed");
    drop(server);
    let unreachable = check_revocation(data.path());
    assert_eq!(unreachable[0].1, "failed", "{unreachable:?}");
    member.run(&["sync"]);
    assert_eq!(
        revocation_seen(&member, &document),
        revoked,
        "after refused and unreachable lists, the laptop still holds the real one"
    );

    // A laptop enrolled now receives the list with the rest, and reads offline.
    let newcomer = synced_laptop(&hub, laptops.path(), &members, "chair");
    hub.kill();
    assert_eq!(revocation_seen(&newcomer, &document), revoked);
}
