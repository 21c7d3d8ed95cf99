//! Harness for end-to-end tests. [`AppWindow`] drives the real Quorum window: it starts
//! tauri-driver (which starts WebKitWebDriver, which starts the app) with a profile
//! folder of the test's own; it needs an X display (scripts/test.sh uses Xvfb).
//! [`processes`] runs the real `quorum-hub` and `quorum` binaries on loopback.

pub mod balancer;
pub mod faults;
pub mod library;
pub mod processes;
pub mod proxy;
pub mod signing;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator, elements::Element};
use tokio::process::{Child, Command};

pub use fantoccini;

/// How long a test waits for something to appear before it fails.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// A binary of this workspace, built before the tests run: `$override_var` if set, else
/// the target folder of the running program (a test binary lives one level down, in
/// target/<profile>/deps).
pub fn workspace_binary(name: &str, override_var: &str) -> PathBuf {
    if let Some(path) = std::env::var_os(override_var) {
        return path.into();
    }
    let exe = std::env::current_exe().expect("the program knows its own path");
    let mut dir = exe.parent().expect("a program lives in a folder");
    if dir.ends_with("deps") {
        dir = dir.parent().expect("deps lives in target/<profile>");
    }
    let binary = dir.join(name);
    assert!(
        binary.exists(),
        "build it first: {} is missing",
        binary.display()
    );
    binary
}

/// The number of runs a benchmark was asked for (its first argument), or `default`.
pub fn runs_argument(default: usize) -> usize {
    std::env::args()
        .nth(1)
        .map(|n| n.parse().expect("the argument is a number of runs"))
        .unwrap_or(default)
}

/// The app binary built by `cargo build -p quorum-app`.
pub fn app_binary() -> PathBuf {
    workspace_binary("quorum-app", "QUORUM_APP_BIN")
}

/// A file of the signature tests' data: pyHanko's test CA and PDFs signed with it
/// (crates/quorum-signatures/tests/data).
pub fn signatures_data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../crates/quorum-signatures/tests/data")
        .join(name)
}

/// Where screenshots go: `QUORUM_ARTIFACTS`, or artifacts/e2e at the top of the repo.
pub fn artifacts_dir() -> PathBuf {
    let dir = std::env::var_os("QUORUM_ARTIFACTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../artifacts/e2e"));
    std::fs::create_dir_all(&dir).expect("artifacts folder");
    dir
}

/// WebKitGTK's switch for painting without compositing; see [`AppWindow::launch_binary`].
pub const COMPOSITING: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";

/// One running app window with its own profile folder.
pub struct AppWindow {
    pub client: Client,
    driver: Child,
    /// How long from starting tauri-driver until the WebDriver session (and window) was up.
    pub startup: Duration,
}

impl AppWindow {
    /// Starts the app on `profile` and connects to it.
    pub async fn launch(profile: &Path) -> AppWindow {
        Self::launch_with(profile, &[]).await
    }

    /// Starts the app on `profile` as a member runs it: WebKit painting the way the app
    /// chooses (no screenshots where that is directly). For the benchmarks.
    pub async fn launch_as_members_run_it(profile: &Path) -> AppWindow {
        let profile = profile.to_str().expect("a profile path in UTF-8");
        Self::launch_binary(
            &app_binary(),
            &[("QUORUM_PROFILE", profile)],
            &[COMPOSITING],
        )
        .await
    }

    /// As [`AppWindow::launch`], with `env` set for the app (and the processes it starts).
    pub async fn launch_with(profile: &Path, env: &[(&str, &str)]) -> AppWindow {
        let profile = profile.to_str().expect("a profile path in UTF-8");
        let env: Vec<_> = [("QUORUM_PROFILE", profile)]
            .into_iter()
            .chain(env.iter().copied())
            .collect();
        Self::launch_binary(&app_binary(), &env, &[]).await
    }

    /// Starts `app` with `env` added to this process's environment and the variables
    /// named in `unset` removed from it (an installed app is started so, finding its
    /// profile, worker and pdfium on its own). Unless named either way, WebKit is kept
    /// compositing, so screenshots work; to measure the app as a member runs it, name
    /// [`COMPOSITING`] in `unset`.
    pub async fn launch_binary(app: &Path, env: &[(&str, &str)], unset: &[&str]) -> AppWindow {
        let started = Instant::now();
        // A free port is free only when asked: another process may take it before
        // tauri-driver binds it. A driver that could not listen exits; start another.
        let (port, driver) = 'started: {
            for _attempt in 0..3 {
                let port = processes::free_loopback_port();
                let native_port = processes::free_loopback_port();
                // The driver's and the app's output go to a file: WebKitWebDriver
                // outlives a failed test for a moment, and must not hold the test
                // runner's output open.
                let log = std::fs::File::create(artifacts_dir().join(format!("app-{port}.log")))
                    .expect("a log file for the app");
                let mut command = Command::new("tauri-driver");
                command
                    .args([
                        "--port",
                        &port.to_string(),
                        "--native-port",
                        &native_port.to_string(),
                    ])
                    .envs(env.iter().copied())
                    .stdout(Stdio::null())
                    .stderr(log);
                // WebKitWebDriver's screenshot never answers while WebKit paints
                // directly, as the app has it do on a machine without a GPU (this one):
                // the tests keep WebKit compositing, unless a caller decides otherwise.
                if std::env::var_os(COMPOSITING).is_none()
                    && !env.iter().any(|(name, _)| *name == COMPOSITING)
                    && !unset.contains(&COMPOSITING)
                {
                    command.env(COMPOSITING, "0");
                }
                for name in unset {
                    command.env_remove(name);
                }
                let mut driver = command
                    .spawn()
                    .expect("tauri-driver is installed (cargo install tauri-driver --locked)");
                let deadline = Instant::now() + PATIENCE;
                loop {
                    if driver.try_wait().ok().flatten().is_some() {
                        break;
                    }
                    if tokio::net::TcpStream::connect(("127.0.0.1", port))
                        .await
                        .is_ok()
                    {
                        break 'started (port, driver);
                    }
                    assert!(
                        Instant::now() < deadline,
                        "tauri-driver never listened on port {port}"
                    );
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
            panic!("tauri-driver could not start on three free ports");
        };

        let capabilities = serde_json::json!({
            "browserName": "wry",
            "tauri:options": { "application": app },
        });
        let serde_json::Value::Object(capabilities) = capabilities else {
            unreachable!()
        };
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + PATIENCE;
        // Every attempt is bounded: a request that is never answered must fail the test,
        // not hang it.
        let client = loop {
            let mut builder = ClientBuilder::native();
            builder.capabilities(capabilities.clone());
            match tokio::time::timeout(PATIENCE, builder.connect(&url)).await {
                Ok(Ok(client)) => break client,
                Ok(Err(_)) if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Ok(Err(error)) => panic!("no WebDriver session with the app at {url}: {error}"),
                Err(_) => panic!("tauri-driver at {url} did not answer within {PATIENCE:?}"),
            }
        };
        AppWindow {
            client,
            driver,
            startup: started.elapsed(),
        }
    }

    /// Waits for the element matching `css`. A lookup that fails because the page was
    /// redrawing at that instant (a stale element) is simply tried again.
    pub async fn find(&self, css: &str) -> Element {
        let deadline = Instant::now() + PATIENCE;
        loop {
            match self.client.find(Locator::Css(css)).await {
                Ok(element) => return element,
                Err(error) if Instant::now() >= deadline => panic!("{css} never appeared: {error}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }

    /// Waits until the element matching `css` shows exactly `expected`.
    pub async fn wait_for_text(&self, css: &str, expected: &str) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let text = self.find(css).await.text().await.unwrap_or_default();
            if text.trim() == expected {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{css} shows {text:?}, expected {expected:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the element matching `css` has `attribute` equal to `expected`.
    pub async fn wait_for_attribute(&self, css: &str, attribute: &str, expected: &str) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let value = self.find(css).await.attr(attribute).await.ok().flatten();
            if value.as_deref() == Some(expected) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{css} has {attribute}={value:?}, expected {expected:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Clicks the element matching `css`, once it is there.
    pub async fn click(&self, css: &str) {
        self.find(css)
            .await
            .click()
            .await
            .expect("the element takes the click");
    }

    /// Waits for the error panel to show the problem `code`, and answers its sentence.
    pub async fn error_shown(&self, code: &str) -> String {
        self.wait_for_attribute("[data-testid=error-panel]", "data-code", code)
            .await;
        self.find("[data-testid=error-message]")
            .await
            .text()
            .await
            .expect("the error's sentence can be read")
    }

    /// From the meeting list: opens the demo meeting, then its document number `index`
    /// (from 0, of seven), and waits for its `pages` thumbnails.
    pub async fn open_demo_document(&self, index: usize, pages: usize) {
        self.wait_for_count("[data-testid=meeting-row]", 1).await[0]
            .click()
            .await
            .expect("the meeting opens");
        self.wait_for_count("[data-testid=open-document]", 7).await[index]
            .click()
            .await
            .expect("the document opens");
        self.wait_for_count("[data-testid=thumbnail]", pages).await;
    }

    /// Waits until the image(s) of page `n` (from 1) of the open document arrived.
    pub async fn wait_until_drawn(&self, n: u32) {
        let script = format!(
            "const i = [...document.querySelectorAll('[data-page=\"{n}\"] img')]; \
             return i.length > 0 && i.every(i => i.complete && i.naturalWidth > 0);"
        );
        let deadline = Instant::now() + PATIENCE;
        loop {
            let drawn = self.client.execute(&script, vec![]).await;
            if drawn.expect("the page answers a script").as_bool() == Some(true) {
                return;
            }
            assert!(Instant::now() < deadline, "page {n} was never drawn");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Goes past the join screen to the meetings, as a member trying Quorum before
    /// joining would: on a laptop not joined yet, "try the demo"; on one that holds the
    /// demo already, or belongs to a committee, nothing to do.
    pub async fn enter_the_demo(&self) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if self.count("[data-testid=try-demo]").await > 0 {
                self.click("[data-testid=try-demo]").await;
                return;
            }
            if self.count("aside h2").await > 0 {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "neither the join screen nor the meetings showed"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// What axe-core (the npm package the UI's tests install) finds serious or critical
    /// on the page shown now: each rule broken, with the elements that break it.
    pub async fn accessibility_violations(&self) -> Vec<String> {
        let axe =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/node_modules/axe-core/axe.min.js");
        let source = std::fs::read_to_string(&axe).expect("axe-core is installed in ui/");
        self.client
            .execute(&source, vec![])
            .await
            .expect("axe-core loads into the window");
        let found = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { resultTypes: ['violations'] }).then((result) => done(
                   result.violations
                     .filter((v) => v.impact === 'serious' || v.impact === 'critical')
                     .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)));",
                vec![],
            )
            .await
            .expect("axe-core runs");
        serde_json::from_value(found).expect("a list of violations")
    }

    /// How many elements match `css` right now.
    pub async fn count(&self, css: &str) -> usize {
        self.client
            .find_all(Locator::Css(css))
            .await
            .map_or(0, |found| found.len())
    }

    /// Waits until exactly `count` elements match `css`, and returns them.
    pub async fn wait_for_count(&self, css: &str, count: usize) -> Vec<Element> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let found = self
                .client
                .find_all(Locator::Css(css))
                .await
                .unwrap_or_default();
            if found.len() == count {
                return found;
            }
            assert!(
                Instant::now() < deadline,
                "{css}: {} elements, expected {count}",
                found.len()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Saves a screenshot of the window as artifacts/e2e/NAME.png.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.client.screenshot().await.expect("screenshot taken");
        let path = artifacts_dir().join(format!("{name}.png"));
        std::fs::write(&path, png).expect("screenshot saved");
        path
    }

    /// Ends the session (the app exits) and stops tauri-driver with SIGTERM, which lets
    /// it stop WebKitWebDriver too.
    pub async fn close(mut self) {
        // Whatever the test did, nothing the window loaded by itself failed unseen.
        let unexplained = self.count("[data-testid=background-problem]").await;
        let _ = self.client.clone().close().await;
        if let Some(pid) = self.driver.id() {
            let _ = Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .status()
                .await;
        }
        let _ = tokio::time::timeout(Duration::from_secs(10), self.driver.wait()).await;
        assert_eq!(
            unexplained, 0,
            "the window showed that something it loads by itself failed"
        );
    }
}

impl Drop for AppWindow {
    /// A test that fails skips `close`: still stop tauri-driver gently (SIGTERM), so it
    /// takes WebKitWebDriver and the app down with it.
    fn drop(&mut self) {
        if let Some(pid) = self.driver.id() {
            let _ = std::process::Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .status();
            std::thread::sleep(Duration::from_millis(300));
        }
    }
}
