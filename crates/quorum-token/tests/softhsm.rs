//! Signing a PDF through PKCS#11 with a real token (and with a PKCS#12 file): SoftHSM2 holding a key and a
//! certificate from a test CA made with openssl (scripts/test-token.sh). The signed file is judged by
//! Quorum's reader and by poppler's pdfsig, and one changed byte after signing makes
//! both say so.
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use chrono::{DateTime, Timelike, Utc};
use quorum_signatures::{
    Anchors, LaterChanges, Problem, Signing, Verdict, sign_pdf, signed_keywords, verify_document,
};
use quorum_token::{FileKey, Module, TokenError};

const MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";
const TOKEN: &str = "Quorum thử nghiệm";
const PIN: &str = "1234";
const SIGNER: &str = "Nguyễn Văn An";

/// The test's token and CA (scripts/test-token.sh), made once per test process.
struct TestToken {
    dir: tempfile::TempDir,
    ca: Vec<u8>,
}

fn token() -> &'static TestToken {
    static TOKEN_MADE: OnceLock<TestToken> = OnceLock::new();
    TOKEN_MADE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/test-token.sh");
        let made = Command::new("bash")
            .arg(script)
            .arg(dir.path())
            .output()
            .unwrap();
        assert!(
            made.status.success(),
            "the test token is made: {}",
            String::from_utf8_lossy(&made.stderr)
        );
        let config = String::from_utf8(made.stdout).unwrap();
        // Set before the module is loaded, while any other test waits on this cell.
        #[allow(unsafe_code)]
        unsafe {
            std::env::set_var("SOFTHSM2_CONF", config.trim());
        }
        let ca = std::fs::read(dir.path().join("ca.pem")).unwrap();
        let ca = Anchors::read_pem(&ca).unwrap().remove(0);
        TestToken { dir, ca }
    })
}

/// The time of signing and checking: the certificates were made a moment ago.
fn now() -> DateTime<Utc> {
    DateTime::<Utc>::from(std::time::SystemTime::now())
        .with_nanosecond(0)
        .unwrap()
}

/// A sample meeting document, written by ReportLab.
fn unsigned_pdf() -> Vec<u8> {
    std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../assets/sample/documents/06-du-thao-ket-luan.pdf"),
    )
    .unwrap()
}

/// What poppler's pdfsig says of `pdf`.
fn pdfsig(pdf: &[u8], name: &str) -> String {
    let path = token().dir.path().join(name);
    std::fs::write(&path, pdf).unwrap();
    let output = Command::new("pdfsig")
        .arg("-nocert")
        .arg(&path)
        .output()
        .unwrap();
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// What pyHanko's validator concludes of `pdf`, trusting the test CA alone, with no
/// network: its one-line summary.
fn pyhanko(pdf: &[u8], name: &str) -> String {
    let dir = token().dir.path();
    let path = dir.join(name);
    std::fs::write(&path, pdf).unwrap();
    let ca = dir.join("ca.pem");
    let pyhanko = std::env::var_os("QUORUM_PYHANKO").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../vendor/pyhanko/bin/pyhanko"),
        PathBuf::from,
    );
    let output = Command::new(&pyhanko)
        .args([
            "sign",
            "validate",
            "--executive-summary",
            "--no-revocation-check",
        ])
        .args(["--trust-replace", "--trust"])
        .arg(&ca)
        .arg(&path)
        .output()
        .unwrap_or_else(|error| {
            panic!(
                "{} runs (scripts/test.sh installs it): {error}",
                pyhanko.display()
            )
        });
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn a_pdf_signed_with_the_token_after_a_wrong_pin_verifies_in_quorum_and_pdfsig_and_a_changed_byte_is_caught()
 {
    let token = token();
    let module = Module::load(Path::new(MODULE)).unwrap();
    let certificates = module.certificates().unwrap();
    let signer = certificates
        .iter()
        .find(|c| c.summary.subject.common_name.as_deref() == Some(SIGNER))
        .expect("the signer's certificate is listed without a PIN");
    assert_eq!(signer.token, TOKEN, "with the token's label");
    assert_eq!(signer.id, "01", "and the id it shares with its key");

    assert!(
        matches!(module.key(signer, "0000"), Err(TokenError::WrongPin)),
        "a wrong PIN is refused as such, and signs nothing"
    );
    let key = module.key(signer, PIN).unwrap();
    let unsigned = unsigned_pdf();
    let signing = Signing {
        reason: Some("Xác nhận kết quả biểu quyết"),
        location: Some("Sông Hàn"),
        at: now(),
        keywords: None,
    };
    let signed = sign_pdf(&unsigned, &key, &signing).unwrap();
    assert!(
        signed.starts_with(&unsigned),
        "the signature is an update: every byte of the document is kept"
    );

    let anchors = Anchors::from_der([token.ca.clone()]);
    let checked = verify_document(&signed, &anchors, now());
    let [signature] = checked.signatures.as_slice() else {
        panic!("one signature: {checked:#?}");
    };
    assert_eq!(signature.verdict, Verdict::Valid, "{signature:#?}");
    assert_eq!(
        signature.signer.as_ref().unwrap().organization.as_deref(),
        Some("UBND quận Sông Hàn")
    );
    assert_eq!(signature.sub_filter.as_deref(), Some("ETSI.CAdES.detached"));
    assert_eq!(signature.later_changes, LaterChanges::None);
    assert_eq!(
        signature.reason.as_deref(),
        Some("Xác nhận kết quả biểu quyết")
    );
    assert_eq!(signature.signed_at, Some(now()));
    let judged = pdfsig(&signed, "signed.pdf");
    assert!(judged.contains("Signature is Valid."), "pdfsig: {judged}");
    assert!(judged.contains("Total document signed"), "pdfsig: {judged}");
    assert!(judged.contains("ETSI.CAdES.detached"), "pdfsig: {judged}");
    let judged = pyhanko(&signed, "signed.pdf");
    assert!(judged.trim().ends_with(":VALID"), "pyHanko: {judged}");

    // One byte of the signed document changed afterwards.
    let mut tampered = signed.clone();
    let at = tampered.windows(6).position(|w| w == b"stream").unwrap() + 20;
    tampered[at] ^= 0x01;
    let checked = verify_document(&tampered, &anchors, now());
    assert_eq!(checked.verdict, Some(Verdict::Invalid));
    assert!(
        checked.signatures[0]
            .problems
            .contains(&Problem::DigestMismatch)
    );
    let judged = pdfsig(&tampered, "tampered.pdf");
    assert!(judged.contains("Digest Mismatch"), "pdfsig: {judged}");
    let judged = pyhanko(&tampered, "tampered.pdf");
    assert!(judged.contains(":INVALID"), "pyHanko: {judged}");
}

#[test]
fn a_pdf_signed_with_a_key_file_verifies_in_quorum_and_pdfsig_and_a_wrong_password_is_refused() {
    let token = token();
    let p12 = std::fs::read(token.dir.path().join("signer.p12")).unwrap();
    assert!(
        matches!(FileKey::open(&p12, "mật khẩu 2"), Err(TokenError::WrongPin)),
        "a wrong password is refused as such"
    );
    let key = FileKey::open(&p12, "mật khẩu 1").unwrap();
    // What a poll's signed results carry under the signature for the hub to check.
    let statement = format!(
        "quorum-audit/1 poll=0192 ballots=2 last=7 hash={}",
        "ab".repeat(32)
    );
    let signing = Signing {
        reason: None,
        location: None,
        at: now(),
        keywords: Some(&statement),
    };
    let signed = sign_pdf(&unsigned_pdf(), &key, &signing).unwrap();
    assert_eq!(
        signed_keywords(&signed, 1).as_deref(),
        Some(statement.as_str()),
        "the statement reads back from the signed revision"
    );
    assert_eq!(
        signed_keywords(&unsigned_pdf(), 1),
        None,
        "an unsigned file states nothing"
    );
    let checked = verify_document(&signed, &Anchors::from_der([token.ca.clone()]), now());
    assert_eq!(checked.verdict, Some(Verdict::Valid), "{checked:#?}");
    assert_eq!(
        checked.signatures[0]
            .signer
            .as_ref()
            .unwrap()
            .common_name
            .as_deref(),
        Some(SIGNER)
    );
    let judged = pdfsig(&signed, "signed-with-file.pdf");
    assert!(judged.contains("Signature is Valid."), "pdfsig: {judged}");
}

#[test]
fn results_signed_with_the_token_are_countersigned_with_a_key_file_and_both_signatures_hold() {
    let token = token();
    let module = Module::load(Path::new(MODULE)).unwrap();
    let certificate = module
        .certificates()
        .unwrap()
        .into_iter()
        .find(|c| c.summary.subject.common_name.as_deref() == Some(SIGNER))
        .unwrap();
    let signing = |reason| Signing {
        reason: Some(reason),
        location: None,
        at: now(),
        keywords: None,
    };
    let first = sign_pdf(
        &unsigned_pdf(),
        &module.key(&certificate, PIN).unwrap(),
        &signing("Người lập"),
    )
    .unwrap();
    let p12 = std::fs::read(token.dir.path().join("signer.p12")).unwrap();
    let key = FileKey::open(&p12, "mật khẩu 1").unwrap();
    let both = sign_pdf(&first, &key, &signing("Người duyệt")).unwrap();
    assert!(
        both.starts_with(&first),
        "the first signature's bytes are kept"
    );

    let checked = verify_document(&both, &Anchors::from_der([token.ca.clone()]), now());
    let judged: Vec<_> = checked
        .signatures
        .iter()
        .map(|s| (s.verdict, s.reason.as_deref(), s.later_changes))
        .collect();
    assert_eq!(
        judged,
        [
            (
                Verdict::Valid,
                Some("Người lập"),
                LaterChanges::AnnotationsOrForms { revisions: 1 }
            ),
            (Verdict::Valid, Some("Người duyệt"), LaterChanges::None),
        ],
        "the first holds, followed only by the second signature's field"
    );
    let judged = pdfsig(&both, "countersigned.pdf");
    assert_eq!(
        judged.matches("Signature is Valid.").count(),
        2,
        "pdfsig: {judged}"
    );
    let judged = pyhanko(&both, "countersigned.pdf");
    assert!(
        !judged.contains("INVALID") && judged.matches(":VALID").count() == 2,
        "pyHanko: {judged}"
    );
}
