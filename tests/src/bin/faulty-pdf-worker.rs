//! A PDF worker that goes wrong on purpose, for the tests: it stands in front of the real
//! `quorum-pdf-worker` (beside it), passes requests through, and on the requests that
//! `QUORUM_PDF_FAULTS` names it hangs, crashes or answers nonsense instead.
//!
//! `QUORUM_PDF_FAULTS` is a comma-separated list of `ACTION:REQUEST:FILE:PAGE`: ACTION
//! `hang` (stop answering, and reading), `crash` (abort), `garbage` (a line that is not
//! an answer), `huge` (an answer announcing a terabyte of pixels) or `shrink` (cut the
//! page memory shared with the app to nothing, then pass the request on); REQUEST a request
//! kind (`info`, `render`, `text`, `check`…) or `*`; FILE a part of the document's path
//! or `*`; PAGE a zero-based page or `*`. `QUORUM_PDF_FAULT_LOG`, when set, is a folder
//! where each worker writes a file named by its pid holding the real worker's pid, so a
//! test can check that both are gone.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, ExitCode, Stdio};

use serde_json::Value;

struct Fault {
    action: String,
    request: String,
    file: String,
    page: String,
}

impl Fault {
    fn parse_all(rules: &str) -> Vec<Fault> {
        rules
            .split(',')
            .filter_map(|rule| {
                let mut parts = rule.trim().splitn(4, ':');
                Some(Fault {
                    action: parts.next()?.into(),
                    request: parts.next()?.into(),
                    file: parts.next()?.into(),
                    page: parts.next()?.into(),
                })
            })
            .collect()
    }

    fn matches(&self, request: &Value) -> bool {
        let kind = request["kind"].as_str().unwrap_or_default();
        let path = request["path"]
            .as_str()
            .or(request["source"].as_str())
            .unwrap_or_default();
        let page = request["page"].as_u64().map(|p| p.to_string());
        (self.request == "*" || self.request == kind)
            && (self.file == "*" || path.contains(&self.file))
            && (self.page == "*" || page.as_deref() == Some(self.page.as_str()))
    }
}

fn main() -> ExitCode {
    let args: Vec<_> = std::env::args_os().skip(1).collect();
    let memory_limit_mb = args.get(1).and_then(|mb| mb.to_str()?.parse::<u64>().ok());
    // As the real worker does: it ends with the app that started it.
    if quorum_pdf::worker::confine(memory_limit_mb).is_err() {
        return ExitCode::FAILURE;
    }
    let exe = std::env::current_exe().expect("the program knows its path");
    let mut real = Command::new(exe.with_file_name("quorum-pdf-worker"))
        .args(&args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("quorum-pdf-worker is built beside this program");
    if let Some(dir) = std::env::var_os("QUORUM_PDF_FAULT_LOG") {
        let record = std::path::Path::new(&dir).join(std::process::id().to_string());
        std::fs::write(record, real.id().to_string()).expect("the fault log folder is writable");
    }
    let faults = Fault::parse_all(&std::env::var("QUORUM_PDF_FAULTS").unwrap_or_default());
    let mut to_real = real.stdin.take().expect("piped");
    let mut from_real = BufReader::new(real.stdout.take().expect("piped"));
    let mut out = std::io::stdout().lock();
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else {
            break;
        };
        let request: Value = serde_json::from_str(&line).unwrap_or(Value::Null);
        match faults.iter().find(|fault| fault.matches(&request)) {
            Some(fault) if fault.action == "hang" => loop {
                std::thread::sleep(std::time::Duration::from_secs(3600));
            },
            Some(fault) if fault.action == "crash" => std::process::abort(),
            Some(fault) if fault.action == "garbage" => {
                let _ = out.write_all(b"%PDF-1.7 this is not an answer\n");
                let _ = out.flush();
                continue;
            }
            Some(fault) if fault.action == "huge" => {
                let _ = out.write_all(
                    b"{\"kind\":\"rendered\",\"width\":600,\"height\":800,\"bytes\":1000000000000}\n",
                );
                let _ = out.flush();
                continue;
            }
            Some(fault) if fault.action == "shrink" => {
                // Refused when the app sealed the memory's size, as it must: otherwise
                // the real worker faults drawing into it, and so would the app reading it.
                if let Some(pages) = args.get(2) {
                    let _ = std::fs::OpenOptions::new()
                        .write(true)
                        .open(pages)
                        .and_then(|pages| pages.set_len(0));
                }
            }
            _ => {}
        }
        if writeln!(to_real, "{line}")
            .and_then(|()| to_real.flush())
            .is_err()
        {
            break;
        }
        // Pixels travel through the page memory the real worker inherited from this one.
        let mut answer = String::new();
        if from_real.read_line(&mut answer).unwrap_or(0) == 0
            || out.write_all(answer.as_bytes()).is_err()
            || out.flush().is_err()
        {
            break;
        }
    }
    let _ = real.kill();
    let _ = real.wait();
    ExitCode::SUCCESS
}
