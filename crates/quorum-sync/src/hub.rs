//! The HTTP side: one client per hub, bearer-token authenticated, with the hub's error
//! bodies turned into [`SyncError`]s.

use std::time::Duration;

use quorum_core::Sha256Hex;
use quorum_core::protocol::{API_PREFIX, ApiError};
use reqwest::{RequestBuilder, Response, StatusCode, header};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{Result, SyncError};

#[derive(Clone)]
pub(crate) struct HubClient {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
}

impl HubClient {
    /// A client for the hub at `base_url`, trusting only the certificate `fingerprint`.
    pub fn new(
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

    pub async fn get_json<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T> {
        let response = self
            .send(self.http.get(self.url(path)).query(query))
            .await?;
        self.json(response).await
    }

    pub async fn post_json<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T> {
        let response = self.send(self.http.post(self.url(path)).json(body)).await?;
        self.json(response).await
    }

    pub async fn put_json<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T> {
        let response = self.send(self.http.put(self.url(path)).json(body)).await?;
        self.json(response).await
    }

    /// Uploads a document's bytes; the hub checks they hash to `sha256`.
    pub async fn put_blob(&self, sha256: &Sha256Hex, bytes: Vec<u8>) -> Result<()> {
        self.send(
            self.http
                .put(self.url(&format!("/blobs/{sha256}")))
                .body(bytes),
        )
        .await?;
        Ok(())
    }

    /// Starts downloading a blob from byte `offset` on (a Range request when resuming).
    /// The answer is 206 with the rest, 200 with all of it, or 416 when nothing is left.
    pub async fn get_blob(&self, sha256: &Sha256Hex, offset: u64) -> Result<Response> {
        let mut request = self.http.get(self.url(&format!("/blobs/{sha256}")));
        if offset > 0 {
            request = request.header(header::RANGE, format!("bytes={offset}-"));
        }
        self.send(request).await
    }

    /// Opens the live channel: a stream of server-sent events.
    pub async fn events(&self) -> Result<Response> {
        // No read timeout here: the channel is quiet between changes (keep-alives aside).
        let request = self
            .http
            .get(self.url("/events"))
            .timeout(Duration::from_secs(24 * 3600));
        self.send(request).await
    }
}
