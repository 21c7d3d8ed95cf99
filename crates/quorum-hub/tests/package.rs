//! The hub as an IT officer installs it: the Debian package built by
//! packaging/hub/build-deb.sh, its service unit as systemd reads it, and `serve` run
//! from the settings file the package installs, with flags that win over it.
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const BINARY: &str = env!("CARGO_BIN_EXE_quorum-hub");

fn packaging() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../packaging/hub")
}

fn output(command: &mut Command) -> (bool, String, String) {
    let output = command.output().expect("the program runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Starts `quorum-hub serve ARGS` and returns the address it says it listens on.
fn listening(args: &[&str]) -> (std::process::Child, String) {
    let mut child = Command::new(BINARY)
        .arg("serve")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let address = line
        .trim()
        .strip_prefix("listening on ")
        .map(str::to_string);
    (
        child,
        address.unwrap_or_else(|| panic!("serve announces its address: {line:?}")),
    )
}

#[test]
fn the_hub_package_holds_the_binary_the_service_and_its_settings_and_the_unit_verifies() {
    let out = tempfile::tempdir().unwrap();
    let (built, said, errors) = output(
        Command::new(packaging().join("build-deb.sh"))
            .arg(BINARY)
            .arg(out.path()),
    );
    assert!(built, "the package builds: {errors}");
    let deb = PathBuf::from(said.trim());
    let (_, info, _) = output(Command::new("dpkg-deb").arg("--info").arg(&deb));
    for field in [
        "Package: quorum-hub",
        "Depends: libc6 (>= 2.36), adduser, fonts-dejavu-core",
        "conffiles",
    ] {
        assert!(
            info.contains(field),
            "the control data says {field:?}: {info}"
        );
    }
    let (_, contents, _) = output(Command::new("dpkg-deb").arg("--contents").arg(&deb));
    for (mode, path) in [
        ("-rwxr-xr-x root/root", "./usr/bin/quorum-hub"),
        (
            "-rw-r--r-- root/root",
            "./lib/systemd/system/quorum-hub.service",
        ),
        ("-rw-r--r-- root/root", "./etc/quorum-hub/hub.toml"),
    ] {
        assert!(
            contents
                .lines()
                .any(|line| line.starts_with(mode) && line.ends_with(path)),
            "{path} is in the package as {mode}: {contents}"
        );
    }

    let root = tempfile::tempdir().unwrap();
    let (extracted, _, errors) = output(
        Command::new("dpkg-deb")
            .arg("-x")
            .arg(&deb)
            .arg(root.path()),
    );
    assert!(extracted, "the package unpacks: {errors}");
    // systemd checks that ExecStart names a program that exists: point it at the one the
    // package carries, unpacked here, and change nothing else.
    let unit =
        std::fs::read_to_string(root.path().join("lib/systemd/system/quorum-hub.service")).unwrap();
    let installed = root.path().join("usr/bin/quorum-hub");
    let checked = root.path().join("quorum-hub.service");
    std::fs::write(
        &checked,
        unit.replace("/usr/bin/quorum-hub", installed.to_str().unwrap()),
    )
    .unwrap();
    let (verified, said, complaints) =
        output(Command::new("systemd-analyze").arg("verify").arg(&checked));
    assert!(
        verified && said.is_empty() && complaints.is_empty(),
        "systemd-analyze verify finds nothing to say: {said}{complaints}"
    );
    for hardening in [
        "ProtectSystem=strict",
        "User=quorum-hub",
        "StateDirectoryMode=0700",
        "NoNewPrivileges=yes",
    ] {
        assert!(unit.contains(hardening), "the unit sets {hardening}");
    }

    // The settings file the package installs is read as it is; flags win over it.
    let data = tempfile::tempdir().unwrap();
    let settings = root.path().join("etc/quorum-hub/hub.toml");
    let (mut served, address) = listening(&[
        "--config",
        settings.to_str().unwrap(),
        "--data",
        data.path().to_str().unwrap(),
        "--listen",
        "127.0.0.1:0",
    ]);
    served.kill().unwrap();
    served.wait().unwrap();
    assert!(
        address.starts_with("127.0.0.1:") && !address.ends_with(":7878"),
        "--listen wins over the file's 0.0.0.0:7878: {address}"
    );
    assert!(
        data.path().join("hub.sqlite3").exists(),
        "--data wins over /var/lib/quorum-hub"
    );
}

#[test]
fn serve_takes_what_its_flags_leave_out_from_the_settings_file_and_names_a_wrong_one() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let settings = dir.path().join("hub.toml");
    std::fs::write(
        &settings,
        format!(
            "data = {:?}\nlisten = \"127.0.0.1:0\"\nlog_level = \"warn\"\n",
            data
        ),
    )
    .unwrap();
    let (mut served, address) = listening(&["--config", settings.to_str().unwrap()]);
    served.kill().unwrap();
    served.wait().unwrap();
    assert!(
        address.starts_with("127.0.0.1:"),
        "the file's address: {address}"
    );
    assert!(data.join("hub.sqlite3").exists(), "the file's data folder");

    std::fs::write(&settings, "data = \"/tmp\"\nlisten_on = \"0.0.0.0:7878\"\n").unwrap();
    let (started, _, said) = output(
        Command::new(BINARY)
            .args(["serve", "--config"])
            .arg(&settings),
    );
    assert!(!started, "a misspelt setting stops the hub");
    assert!(
        said.contains("hub.toml") && said.contains("listen_on"),
        "and is named with its file: {said}"
    );
}
