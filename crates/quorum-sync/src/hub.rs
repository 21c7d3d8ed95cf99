//! What the engine asks of a hub ([`Hub`]), and the hub over HTTPS ([`HubClient`]): one
//! client per hub, bearer-token authenticated, with the hub's error bodies turned into
//! [`SyncError`]s.

use std::future::Future;
use std::time::Duration;

use bytes::Bytes;
use eventsource_stream::Eventsource;
use futures_util::stream::BoxStream;
use futures_util::{StreamExt, TryStreamExt};
use quorum_core::protocol::{
    API_PREFIX, ApiError, ChangesPage, DeviceStatus, PushRequest, PushResponse, StatusTaken,
};
use quorum_core::{Meeting, Sha256Hex};
use reqwest::{RequestBuilder, Response, StatusCode, header};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{Result, SyncError};

/// Changes asked for in one page.
const PAGE_LIMIT: u32 = 500;

/// The hub as the sync engine sees it: each call one exchange, its failure a
/// [`SyncError`]. What to send, retry or give up on is decided by the engine.
pub trait Hub: Send + Sync + 'static {
    /// Sends operations in outbox order; the hub answers for each one it took up.
    fn push(&self, request: &PushRequest) -> impl Future<Output = Result<PushResponse>> + Send;
    /// The changes this member may see after `since`.
    fn changes(&self, since: u64) -> impl Future<Output = Result<ChangesPage>> + Send;
    /// Tells the secretary's readiness board what this laptop holds.
    fn report_status(&self, status: &DeviceStatus) -> impl Future<Output = Result<()>> + Send;
    /// Publishes a meeting (its documents uploaded first); the hub answers with what it stored.
    fn publish(&self, meeting: &Meeting) -> impl Future<Output = Result<Meeting>> + Send;
    /// Uploads a document's bytes; the hub checks they hash to `sha256`.
    fn put_blob(
        &self,
        sha256: &Sha256Hex,
        bytes: Vec<u8>,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Starts downloading a document from byte `offset` on.
    fn get_blob(
        &self,
        sha256: &Sha256Hex,
        offset: u64,
    ) -> impl Future<Output = Result<Download>> + Send;
    /// The live channel: an item for every change the hub announces, ending when the
    /// channel closes.
    fn announcements(&self) -> impl Future<Output = Result<BoxStream<'static, ()>>> + Send;
}

/// A document download as it starts.
pub struct Download {
    /// 206 with the rest from the offset asked, 200 with all of it (the offset was not
    /// honoured), or 416 when nothing is left to send.
    pub status: StatusCode,
    pub body: BoxStream<'static, Result<Bytes>>,
}

/// The hub over HTTPS, pinned to the certificate seen at enrollment.
#[derive(Clone)]
pub struct HubClient {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
}

impl HubClient {
    /// A client for the hub at `base_url`, trusting only the certificate `fingerprint`.
    pub(crate) fn new(
        base_url: &str,
        token: Option<String>,
        fingerprint: Option<[u8; 32]>,
    ) -> Result<Self> {
        crate::tls::check_hub_url(base_url, fingerprint.as_ref())?;
        let http = crate::tls::pinned_client(fingerprint)?
            .connect_timeout(Duration::from_secs(5))
            // A stalled transfer is a broken one: resume it later rather than wait.
            .read_timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| SyncError::Protocol(e.to_string()))?;
        Ok(Self {
            http,
            base: base_url.trim_end_matches('/').to_string(),
            token,
        })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{API_PREFIX}{path}", self.base)
    }

    async fn send(&self, request: RequestBuilder) -> Result<Response> {
        let request = match &self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        };
        let response = request.send().await.map_err(|source| {
            if crate::tls::is_certificate_mismatch(&source) {
                SyncError::CertificateMismatch {
                    url: self.base.clone(),
                }
            } else {
                SyncError::Unreachable {
                    url: self.base.clone(),
                    source,
                }
            }
        })?;
        let status = response.status();
        if status.is_success() || status == StatusCode::RANGE_NOT_SATISFIABLE {
            return Ok(response);
        }
        if status == StatusCode::UNAUTHORIZED {
            return Err(SyncError::Unauthorized);
        }
        let (code, message) = match response.json::<ApiError>().await {
            Ok(error) => (error.code, error.message),
            Err(_) => ("unknown".into(), status.to_string()),
        };
        Err(SyncError::Refused {
            status: status.as_u16(),
            code,
            message,
        })
    }

    async fn json<T: DeserializeOwned>(&self, response: Response) -> Result<T> {
        let url = response.url().to_string();
        response
            .json()
            .await
            .map_err(|e| SyncError::Protocol(format!("{url}: {e}")))
    }

    async fn get_json<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T> {
        let response = self
            .send(self.http.get(self.url(path)).query(query))
            .await?;
        self.json(response).await
    }

    pub(crate) async fn post_json<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T> {
        let response = self.send(self.http.post(self.url(path)).json(body)).await?;
        self.json(response).await
    }

    async fn put_json<B: Serialize, T: DeserializeOwned>(&self, path: &str, body: &B) -> Result<T> {
        let response = self.send(self.http.put(self.url(path)).json(body)).await?;
        self.json(response).await
    }
}

impl Hub for HubClient {
    async fn push(&self, request: &PushRequest) -> Result<PushResponse> {
        self.post_json("/operations", request).await
    }

    async fn changes(&self, since: u64) -> Result<ChangesPage> {
        let query = [
            ("since", since.to_string()),
            ("limit", PAGE_LIMIT.to_string()),
        ];
        self.get_json("/changes", &query).await
    }

    async fn report_status(&self, status: &DeviceStatus) -> Result<()> {
        let _: StatusTaken = self.post_json("/device-status", status).await?;
        Ok(())
    }

    async fn publish(&self, meeting: &Meeting) -> Result<Meeting> {
        self.put_json(&format!("/meetings/{}", meeting.id), meeting)
            .await
    }

    async fn put_blob(&self, sha256: &Sha256Hex, bytes: Vec<u8>) -> Result<()> {
        let request = self.http.put(self.url(&format!("/blobs/{sha256}")));
        self.send(request.body(bytes)).await?;
        Ok(())
    }

    async fn get_blob(&self, sha256: &Sha256Hex, offset: u64) -> Result<Download> {
        let mut request = self.http.get(self.url(&format!("/blobs/{sha256}")));
        if offset > 0 {
            request = request.header(header::RANGE, format!("bytes={offset}-"));
        }
        let response = self.send(request).await?;
        let url = format!("blob {sha256}");
        Ok(Download {
            status: response.status(),
            body: response
                .bytes_stream()
                .map_err(move |source| SyncError::Unreachable {
                    url: url.clone(),
                    source,
                })
                .boxed(),
        })
    }

    async fn announcements(&self) -> Result<BoxStream<'static, ()>> {
        // No read timeout here: the channel is quiet between changes (keep-alives aside).
        let request = self
            .http
            .get(self.url("/events"))
            .timeout(Duration::from_secs(24 * 3600));
        let events = self.send(request).await?.bytes_stream().eventsource();
        Ok(events
            .take_while(|event| std::future::ready(event.is_ok()))
            .filter_map(|event| {
                let change = event.is_ok_and(|event| event.event == "change");
                std::future::ready(change.then_some(()))
            })
            .boxed())
    }
}
