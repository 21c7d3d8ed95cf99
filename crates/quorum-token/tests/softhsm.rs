//! Signing a PDF through PKCS#11 with a real token: SoftHSM2 holding a key and a
//! certificate from a test CA made here with openssl. The signed file is judged by
//! Quorum's reader and by poppler's pdfsig, and one changed byte after signing makes
//! both say so.
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use chrono::{DateTime, Timelike, Utc};
use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::object::{Attribute, CertificateType, ObjectClass};
use cryptoki::session::UserType;
use cryptoki::types::AuthPin;
use quorum_signatures::{
    Anchors, LaterChanges, Problem, Signing, Verdict, sign_pdf, verify_document,
};
use quorum_token::{Module, TokenError};
use x509_cert::der::{Decode, Encode};

const MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";
const TOKEN: &str = "Quorum thử nghiệm";
const PIN: &str = "1234";
const SIGNER: &str = "Nguyễn Văn An";

/// The test's token and CA, made once per test process.
struct TestToken {
    dir: tempfile::TempDir,
    ca: Vec<u8>,
}

fn run(command: &mut Command) {
    let output = command.output().expect("the tool runs");
    assert!(
        output.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn der_of(pem: &Path) -> Vec<u8> {
    Anchors::read_pem(&std::fs::read(pem).unwrap())
        .unwrap()
        .remove(0)
}

fn token() -> &'static TestToken {
    static TOKEN_MADE: OnceLock<TestToken> = OnceLock::new();
    TOKEN_MADE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let at = |name: &str| dir.path().join(name);
        std::fs::create_dir(at("tokens")).unwrap();
        std::fs::write(
            at("softhsm2.conf"),
            format!(
                "directories.tokendir = {}\nobjectstore.backend = file\n",
                at("tokens").display()
            ),
        )
        .unwrap();
        // Set before the module is loaded, while the other tests wait on this cell.
        #[allow(unsafe_code)]
        unsafe {
            std::env::set_var("SOFTHSM2_CONF", at("softhsm2.conf"));
        }
        let openssl =
            |args: &[&str]| run(Command::new("openssl").args(args).current_dir(dir.path()));
        openssl(&[
            "req",
            "-x509",
            "-utf8",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "3650",
            "-subj",
            "/CN=Quorum Test CA/O=Ban Cơ yếu thử nghiệm",
        ]);
        std::fs::write(
            at("signer.ext"),
            "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n\
             extendedKeyUsage=emailProtection\n",
        )
        .unwrap();
        openssl(&[
            "req",
            "-utf8",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "signer.key",
            "-out",
            "signer.csr",
            "-subj",
            &format!("/CN={SIGNER}/O=UBND quận Sông Hàn"),
        ]);
        openssl(&[
            "x509",
            "-req",
            "-in",
            "signer.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "signer.pem",
            "-days",
            "365",
            "-extfile",
            "signer.ext",
        ]);
        let softhsm = |args: &[&str]| run(Command::new("softhsm2-util").args(args));
        softhsm(&[
            "--init-token",
            "--free",
            "--label",
            TOKEN,
            "--pin",
            PIN,
            "--so-pin",
            "5678",
        ]);
        softhsm(&[
            "--import",
            at("signer.key").to_str().unwrap(),
            "--token",
            TOKEN,
            "--label",
            "signer",
            "--id",
            "01",
            "--pin",
            PIN,
        ]);
        // softhsm2-util imports keys only: the certificates go on as a token's tool would.
        let pkcs11 = Pkcs11::new(MODULE).unwrap();
        pkcs11
            .initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
            .unwrap();
        let slot = pkcs11.get_slots_with_token().unwrap()[0];
        let session = pkcs11.open_rw_session(slot).unwrap();
        session
            .login(UserType::User, Some(&AuthPin::new(PIN.into())))
            .unwrap();
        let ca = der_of(&at("ca.pem"));
        for (id, der) in [(1u8, der_of(&at("signer.pem"))), (2, ca.clone())] {
            let subject = x509_cert::Certificate::from_der(&der)
                .unwrap()
                .tbs_certificate
                .subject
                .to_der()
                .unwrap();
            session
                .create_object(&[
                    Attribute::Class(ObjectClass::CERTIFICATE),
                    Attribute::CertificateType(CertificateType::X_509),
                    Attribute::Token(true),
                    Attribute::Id(vec![id]),
                    Attribute::Subject(subject),
                    Attribute::Value(der),
                ])
                .unwrap();
        }
        drop(session);
        drop(pkcs11);
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
