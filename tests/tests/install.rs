//! The desktop package as an IT officer installs it: built by the Tauri bundler from this
//! build's binaries, installed with dpkg, started as its menu entry says with nothing of
//! Quorum's set in its environment, and showing a page of a document.
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use std::path::{Path, PathBuf};
use std::process::Command;

use quorum_e2e::{AppWindow, app_binary};

const PACKAGE: &str = "quorum";
const MENU_ENTRY: &str = "/usr/share/applications/Quorum.desktop";

/// Removes the package when the test ends, passed or failed, so the machine is as before.
struct Installed;

impl Drop for Installed {
    fn drop(&mut self) {
        let _ = Command::new("dpkg").args(["--purge", PACKAGE]).output();
    }
}

/// Runs `command`, which must succeed (`failed` says what it means if not); its output.
fn succeeds(command: &mut Command, failed: &str) -> String {
    let out = command.output().unwrap();
    assert!(
        out.status.success(),
        "{failed}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Builds the package with packaging/app/build-deb.sh from the binaries these tests use.
fn build_the_package() -> PathBuf {
    let app = app_binary();
    let profile_dir = app.parent().unwrap();
    let built = succeeds(
        Command::new("bash")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("../packaging/app/build-deb.sh"))
            .arg(profile_dir.file_name().unwrap())
            .env("CARGO_TARGET_DIR", profile_dir.parent().unwrap()),
        "the package did not build",
    );
    PathBuf::from(built.trim())
}

/// The value of `key` in the menu entry's main group.
fn entry_value<'a>(entry: &'a str, key: &str) -> &'a str {
    entry
        .lines()
        .find_map(|line| line.strip_prefix(key)?.strip_prefix('='))
        .unwrap_or_else(|| panic!("the menu entry has no {key}: {entry}"))
}

/// Where a command named in a menu entry is found on the system's default path.
fn on_default_path(command: &str) -> PathBuf {
    ["/usr/local/bin", "/usr/bin", "/bin"]
        .iter()
        .map(|dir| Path::new(dir).join(command))
        .find(|path| path.is_file())
        .unwrap_or_else(|| panic!("{command} is not on the default path"))
}

#[tokio::test]
async fn the_desktop_package_installs_starts_from_its_menu_entry_and_shows_a_page_with_nothing_set()
{
    let root = Command::new("id").arg("-u").output().unwrap().stdout == b"0\n";
    assert!(root, "installing a package needs root (CI runs as root)");
    let deb = build_the_package();

    let installed = Installed;
    succeeds(
        Command::new("dpkg").arg("--install").arg(&deb),
        "dpkg refused the package",
    );
    let files = succeeds(
        Command::new("dpkg").args(["--listfiles", PACKAGE]),
        "dpkg lists the package's files",
    );
    for expected in [
        "/usr/bin/quorum-app",
        "/usr/bin/quorum-pdf-worker",
        "/usr/lib/Quorum/pdfium/libpdfium.so",
        "/usr/lib/Quorum/sample/sample.json",
        MENU_ENTRY,
        "/usr/share/icons/hicolor/128x128/apps/quorum-app.png",
    ] {
        assert!(
            files.lines().any(|f| f == expected),
            "{expected} not installed: {files}"
        );
    }
    assert!(
        !Path::new("/usr/bin/libpdfium.so").exists(),
        "pdfium must be found among the app's resources, not beside it"
    );

    // The menu entry names the app in Vietnamese first and starts the installed binary.
    let entry = std::fs::read_to_string(MENU_ENTRY).unwrap();
    assert_eq!(entry_value(&entry, "Name"), "Quorum");
    assert_eq!(entry_value(&entry, "GenericName"), "Phòng họp không giấy");
    assert_eq!(entry_value(&entry, "Categories"), "Office;");
    let icon = entry_value(&entry, "Icon");
    assert!(Path::new(&format!("/usr/share/icons/hicolor/32x32/apps/{icon}.png")).is_file());
    let app = on_default_path(entry_value(&entry, "Exec"));
    assert_eq!(app, Path::new("/usr/bin/quorum-app"));

    // A member's account with nothing of Quorum's set: the profile goes where the desktop
    // keeps application data, the worker and pdfium are found by the app itself.
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join(".local/share");
    let window = AppWindow::launch_binary(
        &app,
        &[
            ("HOME", home.path().to_str().unwrap()),
            ("XDG_DATA_HOME", data.to_str().unwrap()),
        ],
        &["QUORUM_PROFILE", "QUORUM_PDFIUM", "QUORUM_PDF_WORKER"],
    )
    .await;
    window.enter_the_demo().await;
    window.open_demo_document(1, 14).await;
    window.wait_until_drawn(1).await;
    window.screenshot("installed-app-first-page").await;
    window.close().await;
    assert!(
        data.join("vn.quorum.desktop/store.sqlite3").is_file(),
        "the installed app keeps its profile in the member's data folder"
    );

    drop(installed);
    assert!(
        !Path::new("/usr/bin/quorum-app").exists(),
        "removing the package removes the app"
    );
}
