//! Time to sign a document with a key on a token, as the chair does when signing the
//! minutes: the PIN's login, the PAdES signature through PKCS#11 (SoftHSM2, the software
//! token), and the file written; beside pyHanko's CLI signing the same file with the same
//! key from a PEM file. Run by `bash scripts/bench-sign.sh`, which makes the token.
#![allow(clippy::unwrap_used)] // a benchmark: a failed unwrap is a failed run

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use quorum_signatures::{Signing, sign_pdf};
use quorum_token::Module;

const RUNS: usize = 10;
const MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn main() {
    let token = PathBuf::from(std::env::args().nth(1).expect("the token folder"));
    let pyhanko = PathBuf::from(std::env::args().nth(2).expect("pyHanko's CLI"));
    let document = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../assets/sample/documents/02-bao-cao-kinh-te-xa-hoi.pdf");
    let pdf = std::fs::read(&document).unwrap();
    println!("document: {} ({} KB)", document.display(), pdf.len() / 1024);
    let module = Module::load(Path::new(MODULE)).unwrap();
    let certificate = module.certificates().unwrap().remove(0);

    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for run in 0..RUNS {
        let started = Instant::now();
        let key = module.key(&certificate, "1234").unwrap();
        let signing = Signing {
            reason: Some("Xác nhận nội dung văn bản"),
            location: None,
            at: chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now()),
            keywords: None,
        };
        let signed = sign_pdf(&pdf, &key, &signing).unwrap();
        std::fs::write(token.join(format!("ours-{run}.pdf")), signed).unwrap();
        drop(key);
        ours.push(started.elapsed());

        let started = Instant::now();
        let status = Command::new(&pyhanko)
            .args(["sign", "addsig", "--field", "Sig1", "--use-pades", "pemder"])
            .args([
                "--key",
                "signer.key",
                "--cert",
                "signer.pem",
                "--chain",
                "ca.pem",
                "--no-pass",
            ])
            .arg(&document)
            .arg(format!("theirs-{run}.pdf"))
            .current_dir(&token)
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "pyHanko signs");
        theirs.push(started.elapsed());
    }
    println!(
        "{RUNS} runs, median: Quorum through PKCS#11 (login, sign, write) {:.1} ms; \
         pyHanko CLI with the PEM key {:.1} ms",
        median(ours).as_secs_f64() * 1000.0,
        median(theirs).as_secs_f64() * 1000.0
    );
}
