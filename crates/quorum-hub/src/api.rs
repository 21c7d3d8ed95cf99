//! The HTTP API under `/v1`. Handlers parse, check who is asking, and call the store on
//! a blocking thread; every refusal is an [`ApiError`] body with a fitting status.

use axum::extract::rejection::QueryRejection;
use axum::extract::{
    ConnectInfo, DefaultBodyLimit, FromRequest, FromRequestParts, Path, Query, Request, State,
};
use axum::handler::Handler;
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use ed25519_dalek::{Signature, VerifyingKey};
use futures_util::{Stream, StreamExt, stream};
use quorum_core::protocol::{
    ApiError, Change, ChangeNotice, ChangesPage, DeviceStatus, EnrollRequest, EnrollResponse,
    MAX_JSON_BODY_BYTES, PollView, PushRequest, PushResponse, Record, StatusTaken,
};
use quorum_core::{
    Action, DeviceId, Meeting, MeetingId, Member, PollState, PollSubject, Role, Sha256Hex,
    Visibility, decide,
};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast::error::RecvError;
use tower_http::timeout::RequestBodyTimeoutLayer;
use tower_http::trace::TraceLayer;
use tracing::{error, instrument, warn};

use crate::blobs::UploadError;
use crate::secrets::{enrollment_code_hash, new_token, token_hash};
use crate::store;
use crate::{Hub, HubError, MAX_BLOB_BYTES, MAX_OPERATIONS_PER_PUSH};

const DEFAULT_PAGE: u32 = 500;
const MAX_PAGE: u32 = 1000;
const MAX_DEVICE_NAME_CHARS: usize = 200;
/// How soon a change made outside this process (e.g. by the admin CLI) is announced.
const OUTSIDE_CHANGES_PERIOD: std::time::Duration = std::time::Duration::from_secs(1);
/// How soon a poll's deadline or the end of its grace period reaches the feed.
const SETTLE_POLLS_PERIOD: std::time::Duration = std::time::Duration::from_secs(1);

/// How often a serving hub fetches the signers' revocation lists again: CAs publish
/// theirs daily or more often, and a laptop cannot ask them itself.
const REVOCATION_PERIOD: std::time::Duration = std::time::Duration::from_secs(6 * 3600);

/// A refused or failed request, sent as an [`ApiError`] body.
#[derive(Debug, thiserror::Error)]
#[error("{status} {code}: {message}")]
pub struct ApiFailure {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl ApiFailure {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "this device is not enrolled, or its access was revoked",
        )
    }

    fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "there is nothing here")
    }

    fn enrollment_refused() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "enrollment_refused",
            "the enrollment code is unknown or already used, or the signature does not match",
        )
    }

    fn code_expired() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "enrollment_code_expired",
            "the enrollment code has expired; the secretary can issue a new one",
        )
    }

    fn too_many_attempts(wait: std::time::Duration) -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_attempts",
            format!(
                "too many failed attempts from this address; try again in {} s",
                wait.as_secs().max(1)
            ),
        )
    }
}

/// The address a request comes from (the socket's, set by [`crate::serving`]; unknown
/// only for a router driven without one), or, from a trusted balancer, the one it
/// forwards for.
fn client_address(hub: &Hub, parts: &Parts) -> Option<std::net::IpAddr> {
    let peer = parts
        .extensions
        .get::<ConnectInfo<std::net::SocketAddr>>()
        .map(|ConnectInfo(address)| address.ip())?;
    Some(forwarded_for(hub.trusted_proxies(), peer, &parts.headers))
}

/// The first address, from the right, of X-Forwarded-For that is not a trusted proxy,
/// when `peer` is one; otherwise `peer`. Entries left of it were written by the client
/// and prove nothing; one that does not parse stops the walk at the proxy before it.
fn forwarded_for(
    trusted: &[std::net::IpAddr],
    peer: std::net::IpAddr,
    headers: &axum::http::HeaderMap,
) -> std::net::IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let mut client = peer;
    let hops = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .collect::<Vec<_>>();
    for hop in hops.iter().rev() {
        match hop.trim().parse::<std::net::IpAddr>() {
            Ok(address) if trusted.contains(&address) => client = address,
            Ok(address) => return address,
            Err(_) => return client,
        }
    }
    client
}

/// Refuses an address that failed too often lately.
fn check_throttle(hub: &Hub, address: Option<std::net::IpAddr>) -> Result<(), ApiFailure> {
    match address.and_then(|address| hub.throttle().wait_for(address)) {
        Some(wait) => Err(ApiFailure::too_many_attempts(wait)),
        None => Ok(()),
    }
}

fn count_failure(hub: &Hub, address: Option<std::net::IpAddr>) {
    if let Some(address) = address {
        hub.throttle().failed(address);
    }
}

impl From<HubError> for ApiFailure {
    fn from(e: HubError) -> Self {
        // The details stay in the hub's log; a device gets no internals.
        error!(error = %e, "request failed");
        if let HubError::Blobs(_) = e {
            // The object store is down or unreachable: nothing was stored, and the same
            // request will do once it is back.
            return Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "documents_unavailable",
                "the hub's document store cannot be reached; try again later",
            );
        }
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the hub could not complete the request; try again later",
        )
    }
}

impl From<crate::db::DbError> for ApiFailure {
    fn from(e: crate::db::DbError) -> Self {
        HubError::from(e).into()
    }
}

impl IntoResponse for ApiFailure {
    fn into_response(self) -> Response {
        let body = ApiError {
            code: self.code.to_string(),
            message: self.message,
        };
        (self.status, Json(body)).into_response()
    }
}

/// A JSON body whose every failure (syntax, shape, size, content type) is an
/// [`ApiError`] rather than axum's plain-text rejection.
struct JsonBody<T>(T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    S: Send + Sync,
    T: serde::de::DeserializeOwned,
{
    type Rejection = ApiFailure;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(match rejection.status() {
                StatusCode::PAYLOAD_TOO_LARGE => ApiFailure::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "too_large",
                    format!("a JSON body may be at most {MAX_JSON_BODY_BYTES} bytes"),
                ),
                StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiFailure::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "unsupported_media_type",
                    "send the body as application/json",
                ),
                _ => ApiFailure::new(StatusCode::BAD_REQUEST, "bad_json", rejection.body_text()),
            }),
        }
    }
}

/// The enrolled device a request comes from, and its member.
#[derive(Debug, Clone)]
struct Caller {
    device_id: DeviceId,
    member: Member,
    /// The key its ballots and delegations are signed with (hex).
    public_key: String,
}

impl FromRequestParts<Hub> for Caller {
    type Rejection = ApiFailure;

    async fn from_request_parts(parts: &mut Parts, hub: &Hub) -> Result<Self, Self::Rejection> {
        let address = client_address(hub, parts);
        check_throttle(hub, address)?;
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|token| !token.is_empty());
        let Some(token) = token else {
            return Err(ApiFailure::unauthorized());
        };
        let hash = token_hash(token);
        // Read beside the writer: a request does not queue behind the pushes being
        // applied just to learn who sent it.
        let found = hub
            .with_reader(move |conn, now| store::authenticate(conn, &hash, now))
            .await
            .map_err(ApiFailure::from)?;
        let Some((
            store::Authenticated {
                device_id,
                member,
                public_key,
            },
            unseen,
        )) = found
        else {
            // A wrong token is a guess (or a revoked laptop, which stops soon enough).
            count_failure(hub, address);
            return Err(ApiFailure::unauthorized());
        };
        if unseen {
            hub.with_store(move |store, now| store::note_seen(&store.conn, device_id, now))
                .await
                .map_err(ApiFailure::from)?;
        }
        Ok(Self {
            device_id,
            member,
            public_key,
        })
    }
}

/// The API's routes on `hub`. A request body that stalls for `body_timeout` between two
/// parts is cut off (a blob upload's partial file is then removed).
pub fn router(hub: Hub, body_timeout: std::time::Duration) -> Router {
    let v1 = Router::new()
        .route("/health", get(health))
        .route("/ready", get(ready))
        .route("/enroll", post(enroll))
        .route("/changes", get(changes))
        .route(
            "/blobs/{sha256}",
            // Blobs stream to disk with their own 1 GiB cap.
            get(get_blob).put(put_blob.layer(DefaultBodyLimit::disable())),
        )
        .route("/meetings/{id}", put(put_meeting))
        .route("/operations", post(push))
        .route("/device-status", post(device_status))
        .route("/events", get(events));
    Router::new()
        .nest(quorum_core::protocol::API_PREFIX, v1)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_JSON_BODY_BYTES))
        .layer(RequestBodyTimeoutLayer::new(body_timeout))
        .layer(TraceLayer::new_for_http())
        .with_state(hub)
}

/// What a serving hub does besides answering requests: announcing changes made by other
/// processes, closing revoked devices' channels, settling polls on time, and fetching
/// the signers' revocation lists.
pub(crate) fn spawn_background_work(hub: &Hub) {
    tokio::spawn(hub.clone().announce_outside_changes(OUTSIDE_CHANGES_PERIOD));
    tokio::spawn(hub.clone().hear_other_processes());
    tokio::spawn(hub.clone().settle_polls_periodically(SETTLE_POLLS_PERIOD));
    tokio::spawn(hub.clone().check_revocation_periodically(REVOCATION_PERIOD));
}

async fn not_found() -> ApiFailure {
    ApiFailure::not_found()
}

async fn method_not_allowed() -> ApiFailure {
    ApiFailure::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this path does not take that method",
    )
}

#[derive(Debug, Serialize)]
struct Health {
    ok: bool,
}

/// Whether the hub answers; it tells nothing else, to anyone.
async fn health() -> Json<Health> {
    Json(Health { ok: true })
}

/// Whether this hub process can serve laptops now, for a load balancer: its database
/// answers a read and its blob folder takes a file. Says which failed, nothing more.
async fn ready(State(hub): State<Hub>) -> Result<Json<Health>, ApiFailure> {
    let not_ready = |what: &str| {
        ApiFailure::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "not_ready",
            format!("the hub's {what} cannot be used"),
        )
    };
    hub.with_store(|store, _| store::feed_heads(&store.conn))
        .await
        .map_err(|error: HubError| {
            warn!(%error, "not ready: the database");
            not_ready("database")
        })?;
    hub.blobs().check_writable().await.map_err(|error| {
        warn!(%error, "not ready: the document store");
        not_ready("blob folder")
    })?;
    Ok(Json(Health { ok: true }))
}

fn fixed_hex<const N: usize>(
    text: &str,
    code: &'static str,
    what: &str,
) -> Result<[u8; N], ApiFailure> {
    hex::decode(text)
        .ok()
        .and_then(|bytes| <[u8; N]>::try_from(bytes).ok())
        .ok_or_else(|| {
            ApiFailure::new(
                StatusCode::BAD_REQUEST,
                code,
                format!("{what} must be {} hex characters", N * 2),
            )
        })
}

/// Longest one-time code taken (they are 14 characters; spaces and dashes may be added).
const MAX_CODE_CHARS: usize = 64;

#[instrument(skip_all, err(level = "warn"))]
async fn enroll(
    State(hub): State<Hub>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: axum::http::HeaderMap,
    JsonBody(request): JsonBody<EnrollRequest>,
) -> Result<Json<EnrollResponse>, ApiFailure> {
    let address = Some(forwarded_for(hub.trusted_proxies(), peer.ip(), &headers));
    check_throttle(&hub, address)?;
    let result = enroll_device(&hub, request).await;
    if result.is_err() {
        // Every refused enrollment counts: that is what guessing codes looks like.
        count_failure(&hub, address);
    }
    result.map(Json)
}

async fn enroll_device(hub: &Hub, request: EnrollRequest) -> Result<EnrollResponse, ApiFailure> {
    if request.code.chars().count() > MAX_CODE_CHARS {
        return Err(ApiFailure::enrollment_refused());
    }
    let key_bytes = fixed_hex::<32>(&request.public_key, "bad_public_key", "publicKey")?;
    let signature_bytes = fixed_hex::<64>(&request.signature, "bad_signature", "signature")?;
    let key = VerifyingKey::from_bytes(&key_bytes).map_err(|_| {
        ApiFailure::new(
            StatusCode::BAD_REQUEST,
            "bad_public_key",
            "publicKey is not an Ed25519 public key",
        )
    })?;
    let signature = Signature::from_bytes(&signature_bytes);
    // Strict: a weak key (the identity point, say) cannot prove possession of anything.
    key.verify_strict(request.code.as_bytes(), &signature)
        .map_err(|_| ApiFailure::enrollment_refused())?;

    let code_hash = enrollment_code_hash(&request.code);
    let (token, token_hash) = new_token()?;
    let public_key_hex = hex::encode(key_bytes);
    let device_name = request.device_name.trim().to_string();
    if device_name.chars().count() > MAX_DEVICE_NAME_CHARS {
        return Err(ApiFailure::new(
            StatusCode::BAD_REQUEST,
            "bad_device_name",
            format!("a device name may be at most {MAX_DEVICE_NAME_CHARS} characters"),
        ));
    }
    let response = hub
        .with_store(move |store, now| {
            let tx = store.conn.transaction()?;
            let member_id = match store::take_code(&tx, &code_hash, now)? {
                store::OfferedCode::Taken(member_id) => member_id,
                store::OfferedCode::Expired => return Err(ApiFailure::code_expired()),
                store::OfferedCode::Refused => return Err(ApiFailure::enrollment_refused()),
            };
            let member =
                store::member(&tx, member_id)?.ok_or(HubError::MemberNotFound(member_id))?;
            let committee = store::committee(&tx, member.committee_id)?
                .ok_or(HubError::CommitteeNotFound(member.committee_id))?;
            let device_id = DeviceId::new_v7();
            store::insert_device(
                &tx,
                &store::NewDevice {
                    id: device_id,
                    member_id,
                    public_key_hex: &public_key_hex,
                    name: &device_name,
                    token_hash: &token_hash,
                },
                now,
            )?;
            tx.commit()?;
            Ok(EnrollResponse {
                device_id,
                member,
                committee,
                token,
            })
        })
        .await?;
    tracing::info!(device = %response.device_id, "enrolled a device");
    Ok(response)
}

#[derive(Debug, Deserialize)]
struct ChangesQuery {
    since: Option<u64>,
    limit: Option<u32>,
}

/// What `viewer` receives of `record`: `None` for other committees' records, and a
/// withdrawal for a meeting of their committee they may not see. Annotations go to
/// their author, and when shared to those who may see the meeting (`meetings` are the
/// viewer's committee's); a private one never leaves its author. A poll goes to those
/// who may see its meeting, or for a written opinion to its committee; while a draft,
/// only to the chair and the secretary among them. A delegation goes to those who may
/// see its meeting. Trusted certificates go to the whole committee.
fn visible_to(viewer: &Member, record: Record, meetings: &[Meeting]) -> Option<Record> {
    let may_view = |meeting_id: MeetingId| {
        meetings
            .iter()
            .any(|m| m.id == meeting_id && decide(viewer, Action::ViewMeeting, m).is_ok())
    };
    let may_see_poll = |view: &PollView| {
        let sees_subject = match view.poll.subject {
            PollSubject::AgendaItem { meeting_id, .. } => may_view(meeting_id),
            PollSubject::WrittenOpinion { committee_id } => committee_id == viewer.committee_id,
        };
        let runs_polls = matches!(viewer.role, Role::Chair | Role::Secretary);
        sees_subject && (view.state != PollState::Draft || runs_polls)
    };
    match record {
        Record::Poll { poll } if may_see_poll(&poll) => Some(Record::Poll { poll }),
        Record::Delegation {
            meeting_id,
            member,
            delegate,
        } if may_view(meeting_id) => Some(Record::Delegation {
            meeting_id,
            member,
            delegate,
        }),
        Record::Annotation {
            meeting_id,
            annotation,
        } if annotation.author == viewer.id
            || (annotation.visibility == Visibility::Shared && may_view(meeting_id)) =>
        {
            Some(Record::Annotation {
                meeting_id,
                annotation,
            })
        }
        Record::Floor {
            meeting_id,
            agenda_item_id,
            queue,
        } if may_view(meeting_id) => Some(Record::Floor {
            meeting_id,
            agenda_item_id,
            queue,
        }),
        Record::Attendance {
            meeting_id,
            member_id,
            attendance,
            disputed_check_in,
        } if may_view(meeting_id) => Some(Record::Attendance {
            meeting_id,
            member_id,
            attendance,
            disputed_check_in,
        }),
        Record::Readiness {
            committee_id,
            readiness,
        } if committee_id == viewer.committee_id
            && matches!(viewer.role, Role::Chair | Role::Secretary) =>
        {
            Some(Record::Readiness {
                committee_id,
                readiness,
            })
        }
        Record::AnnotationWithdrawn {
            annotation_id,
            author,
        } if author != viewer.id => Some(Record::AnnotationWithdrawn {
            annotation_id,
            author,
        }),
        Record::Committee { committee } if committee.id == viewer.committee_id => {
            Some(Record::Committee { committee })
        }
        Record::Member { member } if member.committee_id == viewer.committee_id => {
            Some(Record::Member { member })
        }
        Record::Meeting { meeting } if meeting.committee_id == viewer.committee_id => {
            if decide(viewer, Action::ViewMeeting, &meeting).is_ok() {
                Some(Record::Meeting { meeting })
            } else {
                Some(Record::MeetingWithdrawn {
                    meeting_id: meeting.id,
                })
            }
        }
        anchor @ (Record::SignatureAnchor { committee_id, .. }
        | Record::SignatureAnchorRemoved { committee_id, .. }
        | Record::RevocationList { committee_id, .. })
            if committee_id == viewer.committee_id =>
        {
            Some(anchor)
        }
        Record::AnswerSheet {
            committee_id,
            poll_id,
            member_id,
            sheet,
        } if committee_id == viewer.committee_id
            && (member_id == viewer.id || matches!(viewer.role, Role::Chair | Role::Secretary)) =>
        {
            Some(Record::AnswerSheet {
                committee_id,
                poll_id,
                member_id,
                sheet,
            })
        }
        // Withdrawals are made per viewer above; a stored one names no committee to check.
        _ => None,
    }
}

#[instrument(skip_all, fields(member = %caller.member.id), err(level = "warn"))]
async fn changes(
    State(hub): State<Hub>,
    caller: Caller,
    query: Result<Query<ChangesQuery>, QueryRejection>,
) -> Result<Json<ChangesPage>, ApiFailure> {
    let Query(query) = query.map_err(|rejection| {
        ApiFailure::new(StatusCode::BAD_REQUEST, "bad_query", rejection.body_text())
    })?;
    let since = query.since.unwrap_or(0);
    let limit = query.limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE);
    let committee_id = caller.member.committee_id;
    let device_id = caller.device_id;
    // Read beside the writer; only a pull the late-ballot rule depends on is written down,
    // before the page is handed out.
    let (scanned, meetings, since, noted) = hub
        .with_reader(move |conn, now| {
            // A cursor ahead of the feed is not this feed's (a hub restored from a backup,
            // say): the whole feed again sets the laptop right, applying is idempotent.
            let since = if since > store::latest_seq(conn, committee_id)? {
                0
            } else {
                since
            };
            let scanned = store::changes_after(conn, committee_id, since, limit)?;
            let meetings = store::meetings_of_committee(conn, committee_id)?;
            let noted =
                crate::votes::pull_counts_for_late_ballots(conn, committee_id, device_id, now)?;
            Ok((scanned, meetings, since, noted))
        })
        .await
        .map_err(ApiFailure::from)?;
    if noted {
        // The time of writing, after the page was read: a close it showed is before it.
        hub.with_store(move |store, now| store::note_pulled(&store.conn, device_id, now))
            .await
            .map_err(ApiFailure::from)?;
    }
    let more = scanned.len() == limit as usize;
    let next_cursor = scanned.last().map_or(since, |(seq, _)| *seq);
    let changes = scanned
        .into_iter()
        .filter_map(|(seq, record)| {
            visible_to(&caller.member, record, &meetings).map(|record| Change { seq, record })
        })
        .collect();
    Ok(Json(ChangesPage {
        changes,
        next_cursor,
        more,
    }))
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct BlobStored {
    sha256: Sha256Hex,
    size_bytes: u64,
}

#[instrument(skip(hub, caller, request), fields(member = %caller.member.id), err(level = "warn"))]
async fn put_blob(
    State(hub): State<Hub>,
    caller: Caller,
    Path(sha256): Path<String>,
    request: Request,
) -> Result<Json<BlobStored>, ApiFailure> {
    if caller.member.role != Role::Secretary {
        return Err(ApiFailure::forbidden(
            "only the secretary may upload documents",
        ));
    }
    let sha256 = Sha256Hex::try_from(sha256)
        .map_err(|e| ApiFailure::new(StatusCode::BAD_REQUEST, "bad_hash", e.to_string()))?;
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > MAX_BLOB_BYTES) {
        return Err(UploadError::TooLarge.into());
    }
    let size = hub.blobs().receive(&sha256, request.into_body()).await?;
    let recorded = sha256.clone();
    let committee_id = caller.member.committee_id;
    hub.with_store(move |store, _| store::record_blob(&store.conn, committee_id, &recorded, size))
        .await
        .map_err(ApiFailure::from)?;
    Ok(Json(BlobStored {
        sha256,
        size_bytes: size,
    }))
}

impl From<UploadError> for ApiFailure {
    fn from(e: UploadError) -> Self {
        match e {
            UploadError::TooLarge => {
                Self::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", e.to_string())
            }
            UploadError::HashMismatch { .. } => {
                Self::new(StatusCode::BAD_REQUEST, "hash_mismatch", e.to_string())
            }
            UploadError::Body(_) => {
                Self::new(StatusCode::BAD_REQUEST, "upload_broken", e.to_string())
            }
            UploadError::Hub(e) => e.into(),
        }
    }
}

#[instrument(skip(hub, caller, request), fields(member = %caller.member.id), err(level = "warn"))]
async fn get_blob(
    State(hub): State<Hub>,
    caller: Caller,
    Path(sha256): Path<String>,
    request: Request,
) -> Result<Response, ApiFailure> {
    // A malformed address and a blob this member may not see answer alike.
    let sha256 = Sha256Hex::try_from(sha256).map_err(|_| ApiFailure::not_found())?;
    let lookup = sha256.clone();
    let committee_id = caller.member.committee_id;
    let meetings = hub
        .with_store(move |store, _| store::meetings_with_blob(&store.conn, committee_id, &lookup))
        .await
        .map_err(ApiFailure::from)?;
    let viewer = &caller.member;
    if !meetings
        .iter()
        .any(|meeting| decide(viewer, Action::ViewMeeting, meeting).is_ok())
    {
        return Err(ApiFailure::not_found());
    }
    match hub.blobs().serve(&sha256, request).await? {
        Some(response) => Ok(response),
        None => {
            warn!(%sha256, "a recorded blob is missing from the document store");
            Err(ApiFailure::not_found())
        }
    }
}

#[instrument(skip(hub, caller, meeting), fields(member = %caller.member.id), err(level = "warn"))]
async fn put_meeting(
    State(hub): State<Hub>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(meeting): JsonBody<Meeting>,
) -> Result<Json<Meeting>, ApiFailure> {
    let id: MeetingId = id
        .parse()
        .map_err(|_| ApiFailure::new(StatusCode::BAD_REQUEST, "bad_id", "not a meeting id"))?;
    if meeting.id != id {
        return Err(ApiFailure::new(
            StatusCode::BAD_REQUEST,
            "id_mismatch",
            "the meeting's id differs from the one in the path",
        ));
    }
    let member = caller.member;
    if member.role != Role::Secretary {
        return Err(ApiFailure::forbidden(
            quorum_core::Denied::SecretaryOnly.to_string(),
        ));
    }
    if member.committee_id != meeting.committee_id {
        return Err(ApiFailure::forbidden(
            quorum_core::Denied::OtherCommittee.to_string(),
        ));
    }
    meeting
        .validate()
        .map_err(|e| ApiFailure::new(StatusCode::BAD_REQUEST, "invalid_meeting", e.to_string()))?;
    let committee_id = meeting.committee_id;
    let (stored, seq) = hub
        .with_store(move |store, now| {
            let tx = store
                .conn
                .transaction()?;
            if let Some(previous) = store::meeting(&tx, meeting.id)? {
                decide(&member, Action::EditMeeting, &previous)
                    .map_err(|denied| ApiFailure::forbidden(denied.to_string()))?;
                // The same publication again (its answer was lost on the way back):
                // the meeting as it was stored, nothing published twice.
                let republished = Meeting {
                    version: previous.version,
                    ..meeting.clone()
                };
                if meeting.version + 1 == previous.version && republished == previous {
                    return Ok((previous, None));
                }
                // Two secretaries editing one meeting: the second to publish is told,
                // rather than silently replacing the first one's work.
                if meeting.version != previous.version {
                    return Err(ApiFailure::new(
                        StatusCode::CONFLICT,
                        "edited_meanwhile",
                        format!(
                            "the meeting was published as version {} while this edit was based on version {}",
                            previous.version, meeting.version
                        ),
                    ));
                }
            }
            meeting
                .check_versions(&store::published_versions(&tx, &meeting)?)
                .map_err(|conflict| {
                    let code = match conflict {
                        quorum_core::MeetingError::DocumentOfAnotherMeeting { .. } => {
                            "document_of_another_meeting"
                        }
                        _ => "document_version_reused",
                    };
                    ApiFailure::new(StatusCode::CONFLICT, code, conflict.to_string())
                })?;
            for invitee in &meeting.invitees {
                let known = store::member(&tx, *invitee)?;
                if known.is_none_or(|m| m.committee_id != meeting.committee_id) {
                    return Err(ApiFailure::new(
                        StatusCode::BAD_REQUEST,
                        "invalid_meeting",
                        format!("invitee {invitee} is not a member of the meeting's committee"),
                    ));
                }
            }
            if let Some(missing) = store::first_missing_blob(&tx, &meeting)? {
                return Err(ApiFailure::new(
                    StatusCode::CONFLICT,
                    "missing_blob",
                    format!("upload document {missing} before publishing the meeting"),
                ));
            }
            let (published, seq) = store::publish_meeting(&tx, &meeting, now)?;
            tx.commit()?;
            Ok((published, Some(seq)))
        })
        .await?;
    if let Some(seq) = seq {
        hub.notify(committee_id, seq);
    }
    Ok(Json(stored))
}

/// A laptop says what it holds; the chair and the secretary see it on their board.
#[instrument(skip(hub, caller, status), fields(member = %caller.member.id), err(level = "warn"))]
async fn device_status(
    State(hub): State<Hub>,
    caller: Caller,
    JsonBody(status): JsonBody<DeviceStatus>,
) -> Result<Json<StatusTaken>, ApiFailure> {
    let committee_id = caller.member.committee_id;
    let seq = hub
        .with_store(move |store, now| {
            store::report_device_status(&store.conn, caller.device_id, &caller.member, &status, now)
        })
        .await
        .map_err(ApiFailure::from)?;
    if let Some(seq) = seq {
        hub.notify(committee_id, seq);
    }
    Ok(Json(StatusTaken {
        changed: seq.is_some(),
    }))
}

#[instrument(skip(hub, caller, request), fields(member = %caller.member.id, operations = request.operations.len()), err(level = "warn"))]
async fn push(
    State(hub): State<Hub>,
    caller: Caller,
    JsonBody(request): JsonBody<PushRequest>,
) -> Result<Json<PushResponse>, ApiFailure> {
    if request.operations.len() > MAX_OPERATIONS_PER_PUSH {
        return Err(ApiFailure::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_many_operations",
            format!("send at most {MAX_OPERATIONS_PER_PUSH} operations at a time"),
        ));
    }
    let Caller {
        device_id,
        member,
        public_key,
    } = caller;
    let results = hub
        .push(device_id, member, public_key, request.operations)
        .await
        .map_err(ApiFailure::from)?;
    Ok(Json(PushResponse { results }))
}

fn notice_event(name: &str, notice: ChangeNotice) -> Result<Event, axum::Error> {
    Event::default().event(name).json_data(notice)
}

/// The live channel: a `ready` event with the committee's latest seq, then a `change`
/// event each time its feed moves. Only a hint to pull; it carries no records. A device
/// holds at most [`crate::live::MAX_CHANNELS_PER_DEVICE`] at once, and its channels end
/// when it is revoked.
#[instrument(skip_all, fields(member = %caller.member.id), err(level = "warn"))]
async fn events(
    State(hub): State<Hub>,
    caller: Caller,
) -> Result<Sse<impl Stream<Item = Result<Event, axum::Error>>>, ApiFailure> {
    let Some(slot) = hub.live().open(caller.device_id) else {
        return Err(ApiFailure::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_channels",
            "this device has too many live channels open; close one first",
        ));
    };
    // Subscribe before reading the latest seq, so no change falls between the two.
    let receiver = hub.subscribe();
    let committee_id = caller.member.committee_id;
    let latest = move |hub: Hub| async move {
        hub.with_reader(move |conn, _| store::latest_seq(conn, committee_id))
            .await
    };
    let latest_seq = latest(hub.clone()).await.map_err(ApiFailure::from)?;
    let ready = notice_event("ready", ChangeNotice { latest_seq });
    let listener = hub.clone();
    let later = stream::unfold(receiver, move |mut receiver| {
        let listener = listener.clone();
        async move {
            loop {
                match receiver.recv().await {
                    Ok((changed, notice)) if changed == committee_id => {
                        return Some((notice_event("change", notice), receiver));
                    }
                    Ok(_) => continue,
                    // Notices were dropped; one naming the newest seq makes up for all.
                    Err(RecvError::Lagged(_)) => {
                        let latest_seq = latest(listener.clone()).await.unwrap_or_default();
                        let notice = ChangeNotice { latest_seq };
                        return Some((notice_event("change", notice), receiver));
                    }
                    Err(RecvError::Closed) => return None,
                }
            }
        }
    });
    let revoked = slot.revoked.clone().cancelled_owned();
    let stream = stream::once(async move { ready })
        .chain(later)
        .take_until(hub.shutting_down())
        .take_until(revoked)
        // The slot lives as long as the stream, and frees its place when it ends.
        .map(move |event| {
            let _open = &slot;
            event
        });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use quorum_core::{Committee, CommitteeId, MeetingStatus, MemberId};

    fn member_of(committee_id: CommitteeId, role: Role) -> Member {
        Member {
            id: MemberId::new_v7(),
            committee_id,
            full_name: "Trần Thị B".into(),
            position: "Ủy viên".into(),
            role,
        }
    }

    fn meeting_of(committee_id: CommitteeId, invitees: Vec<MemberId>) -> Meeting {
        Meeting {
            id: MeetingId::new_v7(),
            committee_id,
            title: "Phiên họp".into(),
            starts_at: chrono::DateTime::UNIX_EPOCH,
            location: "Phòng 1".into(),
            status: MeetingStatus::Published,
            version: 1,
            invitees,
            agenda: vec![],
        }
    }

    #[test]
    fn the_feed_shows_own_committee_withdraws_hidden_meetings_and_skips_others() {
        let own = CommitteeId::new_v7();
        let other = CommitteeId::new_v7();
        let viewer = member_of(own, Role::Member);
        let invited = meeting_of(own, vec![viewer.id]);
        let uninvited = meeting_of(own, vec![]);
        let foreign = meeting_of(other, vec![viewer.id]);

        let committee = Committee {
            id: own,
            name: "UBND".into(),
            time_zone: quorum_core::DEFAULT_TIME_ZONE.into(),
        };
        assert!(
            visible_to(&viewer, Record::Committee { committee }, &[]).is_some(),
            "a member sees their own committee"
        );
        assert!(
            matches!(
                visible_to(&viewer, Record::Meeting { meeting: invited }, &[]),
                Some(Record::Meeting { .. })
            ),
            "an invitee sees a published meeting"
        );
        assert_eq!(
            visible_to(
                &viewer,
                Record::Meeting {
                    meeting: uninvited.clone()
                },
                &[]
            ),
            Some(Record::MeetingWithdrawn {
                meeting_id: uninvited.id
            }),
            "a meeting of the member's committee they may not see is withdrawn, not shown"
        );
        assert_eq!(
            visible_to(&viewer, Record::Meeting { meeting: foreign }, &[]),
            None,
            "another committee's meeting is not even mentioned"
        );
        assert_eq!(
            visible_to(
                &viewer,
                Record::Member {
                    member: member_of(other, Role::Chair)
                },
                &[]
            ),
            None,
            "another committee's members are not shown"
        );
    }

    #[test]
    fn a_private_annotation_reaches_only_its_author_and_a_shared_one_the_meeting() {
        let committee = CommitteeId::new_v7();
        let author = member_of(committee, Role::Member);
        let colleague = member_of(committee, Role::Member);
        let outsider = member_of(committee, Role::Member);
        let meeting = meeting_of(committee, vec![author.id, colleague.id]);
        let meetings = [meeting.clone()];
        let note = |visibility| Record::Annotation {
            meeting_id: meeting.id,
            annotation: quorum_core::Annotation {
                visibility,
                ..quorum_core::Annotation::private(
                    quorum_core::DocumentId::new_v7(),
                    Sha256Hex::try_from("ab".repeat(32)).expect("64 hex characters"),
                    0,
                    author.id,
                    quorum_core::Color::Yellow,
                    quorum_core::AnnotationShape::Note {
                        at: quorum_core::PagePoint { x: 1.0, y: 2.0 },
                        text: "Ghi chú".into(),
                    },
                    chrono::DateTime::UNIX_EPOCH,
                )
            },
        };
        let private = note(Visibility::Private);
        let shared = note(Visibility::Shared);
        let sees = |viewer: &Member, record: &Record| {
            visible_to(viewer, record.clone(), &meetings).is_some()
        };
        assert!(sees(&author, &private), "the author's other laptops get it");
        assert!(
            !sees(&colleague, &private),
            "nobody else gets a private one"
        );
        assert!(sees(&colleague, &shared), "an invitee gets a shared one");
        assert!(
            !sees(&outsider, &shared),
            "a member not invited to the meeting does not"
        );
        let withdrawal = Record::AnnotationWithdrawn {
            annotation_id: quorum_core::AnnotationId::new_v7(),
            author: author.id,
        };
        assert!(
            sees(&colleague, &withdrawal),
            "the others drop an unshared one"
        );
        assert!(
            !sees(&author, &withdrawal),
            "the author keeps their own, now private"
        );
    }

    #[test]
    fn polls_reach_those_who_see_their_meeting_or_committee_and_drafts_only_who_run_them() {
        let own = CommitteeId::new_v7();
        let chair = member_of(own, Role::Chair);
        let member = member_of(own, Role::Member);
        let uninvited = member_of(own, Role::Member);
        let stranger = member_of(CommitteeId::new_v7(), Role::Chair);
        let meeting = meeting_of(own, vec![chair.id, member.id]);
        let meetings = [meeting.clone()];
        let poll = |subject, state| Record::Poll {
            poll: PollView {
                poll: quorum_core::Poll {
                    id: quorum_core::PollId::new_v7(),
                    subject,
                    question: "Thông qua?".into(),
                    options: quorum_core::PollOption::standard(),
                    secrecy: quorum_core::BallotSecrecy::Secret,
                    opens_at: None,
                    closes_at: None,
                    quorum: quorum_core::QuorumRule::Percent { percent: 50 },
                    majority: quorum_core::MajorityRule::Simple,
                    majority_basis: quorum_core::MajorityBasis::AllMembers,
                    late_grace_seconds: 0,
                },
                state,
                eligible: vec![],
                voters: vec![],
                answered: 0,
                tally: None,
                late_until: None,
                audit: None,
            },
        };
        let in_meeting = PollSubject::AgendaItem {
            meeting_id: meeting.id,
            agenda_item_id: quorum_core::AgendaItemId::new_v7(),
        };
        let opinion = PollSubject::WrittenOpinion { committee_id: own };
        let open = PollState::Open {
            opened_at: chrono::DateTime::UNIX_EPOCH,
        };
        let sees = |viewer: &Member, record: &Record| {
            visible_to(viewer, record.clone(), &meetings).is_some()
        };
        let cases = [
            (
                &member,
                poll(in_meeting.clone(), open),
                true,
                "an invitee, an open poll",
            ),
            (
                &uninvited,
                poll(in_meeting.clone(), open),
                false,
                "not invited",
            ),
            (
                &member,
                poll(in_meeting.clone(), PollState::Draft),
                false,
                "a member, a draft",
            ),
            (
                &chair,
                poll(in_meeting, PollState::Draft),
                true,
                "the chair, a draft",
            ),
            (
                &uninvited,
                poll(opinion.clone(), open),
                true,
                "the committee, a written opinion",
            ),
            (
                &member,
                poll(opinion.clone(), PollState::Draft),
                false,
                "a member, a draft opinion",
            ),
            (
                &stranger,
                poll(opinion, open),
                false,
                "another committee's opinion",
            ),
        ];
        for (viewer, record, expected, case) in cases {
            assert_eq!(sees(viewer, &record), expected, "{case}");
        }
        let delegation = Record::Delegation {
            meeting_id: meeting.id,
            member: member.id,
            delegate: Some(chair.id),
        };
        assert!(
            sees(&chair, &delegation),
            "the meeting sees who votes for whom"
        );
        assert!(!sees(&uninvited, &delegation), "those outside it do not");
    }

    fn forwarded(value: &str) -> axum::http::HeaderMap {
        let mut headers = axum::http::HeaderMap::new();
        headers.insert("x-forwarded-for", value.parse().unwrap());
        headers
    }

    #[test]
    fn only_a_trusted_balancer_names_the_client_and_only_its_own_hop_counts() {
        let balancer: std::net::IpAddr = "10.0.0.5".parse().unwrap();
        let laptop: std::net::IpAddr = "203.0.113.7".parse().unwrap();
        let trusted = [balancer];
        assert_eq!(
            forwarded_for(&trusted, balancer, &forwarded("203.0.113.7")),
            laptop,
            "the balancer's word for whom it forwards"
        );
        assert_eq!(
            forwarded_for(&[], balancer, &forwarded("203.0.113.7")),
            balancer,
            "from a proxy nobody trusts, the header is ignored"
        );
        assert_eq!(
            forwarded_for(&trusted, laptop, &forwarded("198.51.100.1")),
            laptop,
            "a laptop cannot name another address for itself"
        );
        assert_eq!(
            forwarded_for(&trusted, balancer, &forwarded("198.51.100.1, 203.0.113.7")),
            laptop,
            "what the client wrote before the balancer's hop is not believed"
        );
        assert_eq!(
            forwarded_for(&trusted, balancer, &forwarded("not-an-address")),
            balancer,
            "a hop that does not parse leaves the balancer's own address"
        );
        assert_eq!(
            forwarded_for(&trusted, balancer, &axum::http::HeaderMap::new()),
            balancer
        );
    }
}
