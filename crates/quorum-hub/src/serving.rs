//! Connections: TLS (or plain HTTP on loopback, when asked), a cap on open connections,
//! and a deadline on every step a client could stall — the handshake, the request
//! headers, each part of a request body — so a stranger on the LAN cannot hold the hub.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;
use tracing::{debug, warn};

use crate::Hub;
use crate::api::router;

/// How the hub speaks on its socket.
#[derive(Clone)]
pub enum Transport {
    Tls(Arc<rustls::ServerConfig>),
    /// Only on a loopback address, asked for explicitly (`--plain-http`).
    PlainHttp,
}

/// The limits a connection lives under.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// Connections open at once; a connection past it is closed at once. Kept well
    /// under the usual 1,024 file descriptors, which the database and blobs need too.
    pub max_connections: usize,
    /// For the TLS handshake, for each request's headers (and an idle keep-alive
    /// connection's next request), and for each part of a request body.
    pub client_timeout: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            max_connections: 512,
            client_timeout: Duration::from_secs(10),
        }
    }
}

/// How long a draining hub waits for requests in flight before it stops anyway.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// Serves `hub` on `listener` until `shutdown` completes, then ends live channels and
/// lets requests in flight finish.
pub async fn serve(
    listener: TcpListener,
    hub: Hub,
    transport: Transport,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    crate::api::spawn_background_work(&hub);
    let app = router(hub.clone(), limits.client_timeout);
    let acceptor = match transport {
        Transport::Tls(config) => Some(TlsAcceptor::from(config)),
        Transport::PlainHttp => None,
    };
    let open = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors, most likely: wait for some to free up.
                    warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Answers go out as soon as they are written: without this, a TLS record or a
        // response split over two writes waits for the laptop's delayed ACK (up to
        // 40 ms on Linux), which a sync of a few small requests pays several times.
        if let Err(e) = tcp.set_nodelay(true) {
            debug!(%peer, error = %e, "cannot turn off Nagle's algorithm");
        }
        let Ok(permit) = open.clone().try_acquire_owned() else {
            warn!(%peer, "too many open connections; refusing one");
            continue;
        };
        let app = app.clone();
        let acceptor = acceptor.clone();
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            let _permit = permit;
            match acceptor {
                Some(acceptor) => {
                    match tokio::time::timeout(limits.client_timeout, acceptor.accept(tcp)).await {
                        Ok(Ok(tls)) => serve_connection(tls, peer, app, limits, watcher).await,
                        Ok(Err(e)) => debug!(%peer, error = %e, "TLS handshake failed"),
                        Err(_) => debug!(%peer, "TLS handshake timed out"),
                    }
                }
                None => serve_connection(tcp, peer, app, limits, watcher).await,
            }
        });
    }
    hub.begin_shutdown();
    if tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown())
        .await
        .is_err()
    {
        warn!("requests still running after {DRAIN_TIMEOUT:?}; stopping anyway");
    }
    Ok(())
}

async fn serve_connection<Io>(
    io: Io,
    peer: SocketAddr,
    app: Router,
    limits: ConnectionLimits,
    watcher: hyper_util::server::graceful::Watcher,
) where
    Io: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        // Who is asking, for throttling failed attempts per address.
        request.extensions_mut().insert(ConnectInfo(peer));
        let app = app.clone();
        async move { Ok::<_, Infallible>(app.oneshot(request).await.unwrap_or_else(|e| match e {})) }
    });
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.client_timeout);
    let connection = http.serve_connection(TokioIo::new(io), service);
    if let Err(e) = watcher.watch(connection).await {
        debug!(%peer, error = %e, "connection ended with an error");
    }
}
