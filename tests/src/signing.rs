//! Signing as a CA's customer does, for the ký số tests: a test CA that publishes a
//! revocation list (`scripts/test-ca.sh`), the CA's web server, and a document its
//! signer signed.

use std::io::BufRead;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use quorum_signatures::{Signing, sign_pdf};
use quorum_token::FileKey;

/// `scripts/test-ca.sh` with these arguments: `make DIR URL`, `revoke DIR`, `crl DIR OUT`.
pub fn test_ca(args: &[&Path]) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/test-ca.sh");
    let status = Command::new("bash")
        .arg(script)
        .args(args)
        .status()
        .expect("bash runs test-ca.sh");
    assert!(status.success(), "test-ca.sh {args:?}");
}

/// A CA's web server, as the address in its certificates names it: Python's, serving a
/// folder on a free port of loopback. Stopped when dropped.
pub struct CrlServer {
    child: Child,
    pub port: u16,
}

impl CrlServer {
    pub fn start(folder: &Path) -> Self {
        let mut child = Command::new("python3")
            .args([
                "-u",
                "-m",
                "http.server",
                "0",
                "--bind",
                "127.0.0.1",
                "--directory",
            ])
            .arg(folder)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 serves the folder");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().expect("stdout is piped"))
            .read_line(&mut line)
            .expect("the server says where it listens");
        // "Serving HTTP on 127.0.0.1 port 41234 (http://127.0.0.1:41234/) ..."
        let port = line
            .split(" port ")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .and_then(|port| port.parse().ok())
            .unwrap_or_else(|| panic!("unexpected first line from http.server: {line:?}"));
        Self { child, port }
    }
}

impl Drop for CrlServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The sample's draft conclusions, signed now by the test CA's signer in `ca` with
/// their PKCS#12 file.
pub fn signed_by_test_signer(ca: &Path) -> Vec<u8> {
    let pdf = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../assets/sample/documents/06-du-thao-ket-luan.pdf"),
    )
    .expect("the sample's draft conclusions");
    let p12 = std::fs::read(ca.join("signer.p12")).expect("the signer's PKCS#12 file");
    let key = FileKey::open(&p12, "mật khẩu 1").expect("the signer's key opens");
    let signing = Signing {
        reason: Some("Phê duyệt"),
        location: Some("Đà Nẵng"),
        at: std::time::SystemTime::now().into(),
        keywords: None,
    };
    sign_pdf(&pdf, &key, &signing).expect("the draft is signed")
}
