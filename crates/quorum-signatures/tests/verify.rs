//! Signed PDFs written by others (pyHanko's test data, Adobe Reader's files in it) and
//! by pyHanko's CLI, checked as a member's reader checks them. Verdicts agree with
//! pyHanko's validator at the signing time, as the survey in data/README.md records.
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use quorum_signatures::{
    Anchors, DocumentSignatures, LaterChanges, Problem, SignatureCheck, TimeSource, Verdict,
    verify_document,
};

fn data(path: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/data/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn anchors(pem: &str) -> Anchors {
    Anchors::from_der(Anchors::read_pem(&data(pem)).unwrap())
}

fn verified(path: &str, root: &str) -> DocumentSignatures {
    verify_document(&data(path), &anchors(root), now())
}

fn only(document: &DocumentSignatures) -> &SignatureCheck {
    assert_eq!(document.signatures.len(), 1, "{document:#?}");
    &document.signatures[0]
}

/// The day this test was written; pyHanko's test certificates run to 2030.
fn now() -> chrono::DateTime<chrono::Utc> {
    "2026-12-03T00:00:00Z".parse().unwrap()
}

const ROOT: &str = "pyhanko/root-ca.pem";

#[test]
fn a_plain_signature_from_a_trusted_ca_is_valid_with_its_signer() {
    let document = verified("made-with-pyhanko/plain-adbe-rsa.pdf", ROOT);
    let check = only(&document);
    assert_eq!(check.verdict, Verdict::Valid, "{check:#?}");
    assert_eq!(document.verdict, Some(Verdict::Valid));
    let signer = check.signer.as_ref().unwrap();
    assert_eq!(signer.common_name.as_deref(), Some("Alice"));
    assert_eq!(signer.organization.as_deref(), Some("Example Inc"));
    assert_eq!(
        check.issuer.as_ref().unwrap().common_name.as_deref(),
        Some("Intermediate CA")
    );
    assert_eq!(check.sub_filter.as_deref(), Some("adbe.pkcs7.detached"));
    assert_eq!(check.algorithm.as_deref(), Some("RSA 2048 bit, SHA-256"));
    assert_eq!(check.later_changes, LaterChanges::None);
    assert_eq!(check.time_source, TimeSource::Declared);
}

#[test]
fn a_pades_signature_is_valid() {
    let document = verified("made-with-pyhanko/pades-b-rsa.pdf", ROOT);
    assert_eq!(
        only(&document).sub_filter.as_deref(),
        Some("ETSI.CAdES.detached")
    );
    assert_eq!(only(&document).verdict, Verdict::Valid, "{document:#?}");
    let old_style = verified("pyhanko/pades-with-old-style-signing-cert-attr.pdf", ROOT);
    assert_eq!(only(&old_style).verdict, Verdict::Valid, "{old_style:#?}");
    assert_eq!(
        only(&old_style).signed_at.unwrap().to_rfc3339(),
        "2021-08-18T19:32:30+00:00"
    );
}

#[test]
fn one_changed_signed_byte_is_a_digest_mismatch() {
    for path in [
        "made-with-pyhanko/plain-adbe-rsa-tampered.pdf",
        "made-with-pyhanko/pades-with-old-style-signing-cert-attr-tampered.pdf",
    ] {
        let document = verified(path, ROOT);
        let check = only(&document);
        assert_eq!(check.verdict, Verdict::Invalid, "{path}");
        assert_eq!(check.problems, vec![Problem::DigestMismatch], "{path}");
        assert_eq!(
            check.signer.as_ref().unwrap().common_name.as_deref(),
            Some("Alice")
        );
    }
}

#[test]
fn a_signer_outside_the_committees_trust_is_undetermined_not_valid() {
    let document = verified(
        "made-with-pyhanko/plain-adbe-rsa.pdf",
        "pyhanko/ecdsa-root.pem",
    );
    let check = only(&document);
    assert_eq!(check.verdict, Verdict::Undetermined);
    assert_eq!(check.problems, vec![Problem::UntrustedIssuer]);
    // Adobe Reader's files, signed with a self-signed version-1 certificate that no
    // path can use, and timestamped by a GlobalSign authority nobody here trusts.
    let adobe = verified("pyhanko/minimal-two-fields-signed-twice.pdf", ROOT);
    assert_eq!(adobe.signatures.len(), 2);
    for check in &adobe.signatures {
        assert_eq!(check.verdict, Verdict::Undetermined, "{check:#?}");
        assert!(
            check.problems.contains(&Problem::TimestampInvalid),
            "{check:#?}"
        );
        let rejected = Problem::CertificateRejected {
            reason: "UnsupportedCertVersion".into(),
        };
        assert!(check.problems.contains(&rejected), "{check:#?}");
        assert_eq!(
            check.signer.as_ref().unwrap().common_name.as_deref(),
            Some("Lord Testerino")
        );
    }
    assert_eq!(adobe.verdict, Some(Verdict::Undetermined));
}

#[test]
fn no_anchors_at_all_makes_nothing_valid() {
    let document = verify_document(
        &data("made-with-pyhanko/plain-adbe-rsa.pdf"),
        &Anchors::default(),
        now(),
    );
    assert_eq!(only(&document).verdict, Verdict::Undetermined);
}

#[test]
fn a_signature_without_signed_attributes_and_one_naming_its_key_are_valid() {
    for path in [
        "pyhanko/sig-no-signed-attrs.pdf",
        "pyhanko/certified-with-indirect-refs-in-dir.pdf",
    ] {
        let document = verified(path, ROOT);
        assert_eq!(
            only(&document).verdict,
            Verdict::Valid,
            "{path}: {document:#?}"
        );
        let signer = only(&document).signer.clone().unwrap();
        assert_eq!(signer.common_name.as_deref(), Some("Lord Testerino"));
    }
    let by_key = verified("pyhanko/sig-with-ski-sid.pdf", ROOT);
    assert_eq!(only(&by_key).verdict, Verdict::Valid, "{by_key:#?}");
}

#[test]
fn ecdsa_signatures_and_a_second_signature_as_form_filling_are_valid() {
    let document = verified(
        "pyhanko/minimal-signed-twice-no-sig-type.pdf",
        "pyhanko/ecdsa-root.pem",
    );
    assert_eq!(document.signatures.len(), 2);
    assert_eq!(document.verdict, Some(Verdict::Valid), "{document:#?}");
    assert_eq!(
        document.signatures[0].algorithm.as_deref(),
        Some("ECDSA P-384, SHA-384")
    );
    assert!(matches!(
        document.signatures[0].later_changes,
        LaterChanges::AnnotationsOrForms { .. }
    ));
    assert_eq!(document.signatures[1].later_changes, LaterChanges::None);
}

#[test]
fn a_timestamp_gives_the_signing_time_and_a_document_timestamp_verifies() {
    let document = verified("pyhanko/pades-lta-dss-indirect-arrs-test.pdf", ROOT);
    assert_eq!(document.signatures.len(), 2, "{document:#?}");
    let signature = &document.signatures[0];
    assert_eq!(signature.verdict, Verdict::Valid, "{signature:#?}");
    assert_eq!(
        signature.signed_at.unwrap().to_rfc3339(),
        "2020-11-01T00:00:00+00:00"
    );
    let TimeSource::Timestamp { authority } = &signature.time_source else {
        panic!("{signature:#?}");
    };
    assert_eq!(
        authority.common_name.as_deref(),
        Some("Time Stamping Authority")
    );
    let stamp = &document.signatures[1];
    assert_eq!(stamp.sub_filter.as_deref(), Some("ETSI.RFC3161"));
    assert_eq!(stamp.verdict, Verdict::Valid, "{stamp:#?}");
}

#[test]
fn form_filling_after_signing_is_allowed_but_a_sneaky_content_change_is_not() {
    let allowed = verified("pyhanko/form-update-override-appearance-stream.pdf", ROOT);
    assert!(
        matches!(
            allowed.signatures[0].later_changes,
            LaterChanges::AnnotationsOrForms { .. }
        ),
        "{allowed:#?}"
    );
    let sneaky = verified(
        "pyhanko/form-update-override-appearance-stream-sneaky.pdf",
        ROOT,
    );
    assert!(
        matches!(
            sneaky.signatures[0].later_changes,
            LaterChanges::Content { .. }
        ),
        "{sneaky:#?}"
    );
    assert!(
        sneaky.signatures[0]
            .problems
            .contains(&Problem::ContentChangedAfterSigning)
    );
    assert_eq!(sneaky.signatures[0].verdict, Verdict::Invalid);
    // pdfsig calls both valid; an annotation added by rewriting the page is allowed.
    let annotated = verified("made-with-pyhanko/plain-adbe-rsa-annot-added.pdf", ROOT);
    assert_eq!(
        only(&annotated).later_changes,
        LaterChanges::AnnotationsOrForms { revisions: 1 },
        "{annotated:#?}"
    );
    assert_eq!(only(&annotated).verdict, Verdict::Valid);
}

#[test]
fn byte_ranges_that_do_not_cover_the_file_exactly_are_invalid() {
    for (path, problem) in [
        (
            "pyhanko/coverage-tail-uncovered.pdf",
            Problem::ContentChangedAfterSigning,
        ),
        (
            "pyhanko/coverage-weird-byterange.pdf",
            Problem::GapNotOnlySignature,
        ),
        (
            "pyhanko/coverage-one-byterange.pdf",
            Problem::RangeOutsideFile,
        ),
        (
            "pyhanko/coverage-signature-gap-too-big.pdf",
            Problem::GapNotOnlySignature,
        ),
    ] {
        let document = verified(path, ROOT);
        let check = only(&document);
        assert_eq!(check.verdict, Verdict::Invalid, "{path}: {check:#?}");
        assert!(check.problems.contains(&problem), "{path}: {check:#?}");
    }
}

#[test]
fn a_signed_file_cut_or_garbled_anywhere_is_never_valid_and_never_panics() {
    let whole = data("made-with-pyhanko/plain-adbe-rsa.pdf");
    let anchors = anchors(ROOT);
    for cut in (1..whole.len()).step_by(37) {
        let document = verify_document(&whole[..cut], &anchors, now());
        assert_ne!(document.verdict, Some(Verdict::Valid), "cut at {cut}");
    }
    for at in (0..whole.len()).step_by(53) {
        let mut garbled = whole.clone();
        garbled[at] ^= 0x5a;
        let document = verify_document(&garbled, &anchors, now());
        if document.verdict == Some(Verdict::Valid) {
            // Only bytes the signature does not cover may change without a verdict
            // change: the padding of the signature's own gap.
            let check = only(&document);
            assert_eq!(check.problems, vec![], "{at}");
            let gap = whole.windows(11).position(|w| w == b"/Contents <").unwrap();
            assert!(at > gap, "a signed byte at {at} changed and still verified");
        }
    }
}

#[test]
fn hostile_pdfs_written_by_others_are_read_without_a_panic() {
    // The damaged and hostile files the PDF service's tests collected from other
    // projects' test suites.
    let folder = format!("{}/../quorum-pdf/tests/hostile", env!("CARGO_MANIFEST_DIR"));
    let mut read = 0;
    for entry in walk(std::path::Path::new(&folder)) {
        let bytes = std::fs::read(&entry).unwrap();
        let document = verify_document(&bytes, &anchors(ROOT), now());
        assert_eq!(document.verdict.is_none(), document.signatures.is_empty());
        read += 1;
    }
    assert!(read > 10, "{read} files under {folder}");
}

fn walk(folder: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(folder).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else if path
            .extension()
            .is_some_and(|ext| ext.eq_ignore_ascii_case("pdf"))
        {
            files.push(path);
        }
    }
    files
}
