//! A plain-HTTP proxy on loopback in front of a real hub, which breaks document
//! downloads on purpose: it can answer a Range request with the whole document (200),
//! cut a download off after some bytes, or hold one still after some bytes until told
//! to go on. It can also kill the hub the moment it has answered a push, so that the
//! answer never reaches the laptop, and then forward to another hub. Laptops speak
//! plain HTTP to loopback, so one enrolled through the proxy syncs through it; the proxy
//! talks to the hub pinned to its certificate.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;

use crate::processes::{HubProcess, pinned_client};

/// What the proxy does to document downloads (`GET /v1/blobs/…`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Faults {
    /// Drop the Range header: the hub answers 200 with the whole document.
    pub ignore_range: bool,
    /// End the next download's connection after this many bytes (once).
    pub cut_after: Option<usize>,
    /// Hold downloads still after this many bytes, until this is set back to `None`.
    pub stall_after: Option<usize>,
    /// Once the hub has answered the next push (it answers only what it committed),
    /// SIGKILL the process with this pid and answer the laptop 502, as a balancer does
    /// when its upstream dies (once).
    pub kill_after_push: Option<u32>,
}

impl Faults {
    /// Only this: the next download's connection ends after `bytes` bytes.
    pub fn cutting_after(bytes: usize) -> Faults {
        Faults {
            cut_after: Some(bytes),
            ..Faults::default()
        }
    }

    /// Only this: the hub process `pid` is killed once it has answered the next push.
    pub fn killing_after_push(pid: u32) -> Faults {
        Faults {
            kill_after_push: Some(pid),
            ..Faults::default()
        }
    }

    /// Only this: downloads are held still after `bytes` bytes.
    pub fn stalling_after(bytes: usize) -> Faults {
        Faults {
            stall_after: Some(bytes),
            ..Faults::default()
        }
    }
}

/// The hub the proxy forwards to, and a client pinned to its certificate.
struct Upstream {
    url: String,
    client: reqwest::Client,
}

impl Upstream {
    fn of(hub: &HubProcess) -> Upstream {
        Upstream {
            url: hub.url(),
            client: pinned_client(&hub.fingerprint),
        }
    }
}

#[derive(Clone)]
struct Shared {
    upstream: Arc<Mutex<Upstream>>,
    faults: Arc<Mutex<Faults>>,
}

pub struct FaultyProxy {
    /// The proxy's address, to enroll laptops with.
    pub url: String,
    upstream: Arc<Mutex<Upstream>>,
    faults: Arc<Mutex<Faults>>,
}

impl FaultyProxy {
    /// Starts the proxy in front of `hub`, on a runtime of its own that lives as long
    /// as the test process.
    pub fn start(hub: &HubProcess) -> FaultyProxy {
        let faults = Arc::new(Mutex::new(Faults::default()));
        let upstream = Arc::new(Mutex::new(Upstream::of(hub)));
        let shared = Shared {
            upstream: upstream.clone(),
            faults: faults.clone(),
        };
        let (bound, address) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Runtime::new().expect("a runtime for the proxy");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("a loopback port for the proxy");
                bound
                    .send(listener.local_addr().expect("a bound address"))
                    .expect("the test waits for the address");
                let app = axum::Router::new().fallback(forward).with_state(shared);
                let _ = axum::serve(listener, app).await;
            });
        });
        let address = address.recv().expect("the proxy started");
        FaultyProxy {
            url: format!("http://{address}"),
            upstream,
            faults,
        }
    }

    /// From now on, forwards to `hub` (another process serving the same records).
    pub fn forward_to(&self, hub: &HubProcess) {
        *self.upstream.lock().expect("the upstream lock") = Upstream::of(hub);
    }

    pub fn set(&self, faults: Faults) {
        *self.faults.lock().expect("the faults lock") = faults;
    }

    pub fn faults(&self) -> Faults {
        *self.faults.lock().expect("the faults lock")
    }
}

async fn forward(State(shared): State<Shared>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let download = parts.method == Method::GET && parts.uri.path().starts_with("/v1/blobs/");
    let faults = *shared.faults.lock().expect("the faults lock");
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let mut out = {
        let upstream = shared.upstream.lock().expect("the upstream lock");
        let hub_base = upstream.url.trim_end_matches("/v1").trim_end_matches('/');
        upstream
            .client
            .request(parts.method.clone(), format!("{hub_base}{path}"))
    };
    for (name, value) in &parts.headers {
        let dropped =
            name == header::HOST || (download && faults.ignore_range && name == header::RANGE);
        if !dropped {
            out = out.header(name, value);
        }
    }
    let Ok(answer) = out.body(bytes).send().await else {
        return StatusCode::BAD_GATEWAY.into_response();
    };
    let push = parts.method == Method::POST && parts.uri.path() == "/v1/operations";
    if push
        && let Some(pid) = shared
            .faults
            .lock()
            .expect("the faults lock")
            .kill_after_push
            .take()
    {
        let killed = std::process::Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status();
        assert!(
            killed.is_ok_and(|s| s.success()),
            "the hub process {pid} is killed"
        );
        return StatusCode::BAD_GATEWAY.into_response();
    }
    let mut response = Response::builder().status(answer.status());
    for (name, value) in answer.headers() {
        response = response.header(name, value);
    }
    let upstream = answer.bytes_stream();
    let body = if download && (faults.cut_after.is_some() || faults.stall_after.is_some()) {
        Body::from_stream(broken(upstream, shared.faults.clone()))
    } else {
        Body::from_stream(upstream)
    };
    response
        .body(body)
        .unwrap_or_else(|_| StatusCode::BAD_GATEWAY.into_response())
}

/// The download's bytes, cut off or held still as the faults say.
fn broken(
    upstream: impl futures_util::Stream<Item = reqwest::Result<Bytes>> + Send + 'static,
    faults: Arc<Mutex<Faults>>,
) -> impl futures_util::Stream<Item = std::io::Result<Bytes>> + Send + 'static {
    let chunks = upstream.flat_map(|chunk| {
        // One byte at a time past this point costs little on documents of ~60 KB and
        // lets the limit fall exactly where it is set.
        let pieces: Vec<std::io::Result<Bytes>> = match chunk {
            Ok(bytes) => (0..bytes.len()).map(|i| Ok(bytes.slice(i..=i))).collect(),
            Err(error) => vec![Err(std::io::Error::other(error))],
        };
        futures_util::stream::iter(pieces)
    });
    futures_util::stream::unfold((Box::pin(chunks), 0usize), move |(mut chunks, sent)| {
        let faults = faults.clone();
        async move {
            loop {
                let now = *faults.lock().expect("the faults lock");
                if now.cut_after.is_some_and(|limit| sent >= limit) {
                    faults.lock().expect("the faults lock").cut_after = None;
                    let cut = std::io::Error::new(std::io::ErrorKind::ConnectionAborted, "cut");
                    return Some((Err(cut), (chunks, usize::MAX)));
                }
                if sent == usize::MAX {
                    return None;
                }
                if now.stall_after.is_some_and(|limit| sent >= limit) {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
                let next = chunks.next().await?;
                return Some((next, (chunks, sent + 1)));
            }
        }
    })
}
