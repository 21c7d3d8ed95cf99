//! The `page:` URI scheme: page images for the viewer, straight from the PDF worker to
//! the webview, with no base64 over IPC. `page://localhost/<sha256>-<page>?width=<px>`.

use std::path::PathBuf;

use quorum_core::Sha256Hex;
use tauri::http::{Response, StatusCode, header};
use tauri::{AppHandle, Manager, UriSchemeContext, UriSchemeResponder, Wry};
use tracing::warn;

use crate::ipc::{ErrorCode, IpcError};
use crate::profile::AppState;

pub const SCHEME: &str = "page";
/// Pixel widths a page may be asked for; the worker refuses more than ~16 megapixels.
const WIDTHS: std::ops::RangeInclusive<u32> = 64..=4096;

pub fn handle(
    context: UriSchemeContext<'_, Wry>,
    request: tauri::http::Request<Vec<u8>>,
    responder: UriSchemeResponder,
) {
    let app = context.app_handle().clone();
    // Rendering waits on the worker: keep it off the webview's thread.
    tauri::async_runtime::spawn_blocking(move || {
        let response = match render(&app, request.uri()) {
            Ok(bmp) => Response::builder()
                .header(header::CONTENT_TYPE, "image/bmp")
                .header(header::CACHE_CONTROL, "max-age=31536000, immutable")
                .body(bmp),
            Err(error) => {
                warn!(uri = %request.uri(), ?error, "page not served");
                let status = match error.code {
                    ErrorCode::DocumentNotDownloaded => StatusCode::NOT_FOUND,
                    _ => StatusCode::INTERNAL_SERVER_ERROR,
                };
                Response::builder()
                    .status(status)
                    .body(error.detail.into_bytes())
            }
        };
        match response {
            Ok(response) => responder.respond(response),
            Err(error) => warn!(%error, "a page response could not be built"),
        }
    });
}

fn render(app: &AppHandle, uri: &tauri::http::Uri) -> Result<Vec<u8>, IpcError> {
    let bad = || IpcError {
        code: ErrorCode::Internal,
        detail: format!("not a page address: {uri}"),
    };
    let (sha256, page) = uri
        .path()
        .trim_start_matches('/')
        .split_once('-')
        .ok_or_else(bad)?;
    let sha256 = Sha256Hex::try_from(sha256.to_string()).map_err(|_| bad())?;
    let page: u32 = page.parse().map_err(|_| bad())?;
    let width = uri
        .query()
        .and_then(|query| query.strip_prefix("width="))
        .and_then(|width| width.parse::<u32>().ok())
        .unwrap_or(1000)
        .clamp(*WIDTHS.start(), *WIDTHS.end());
    let state = app.state::<AppState>();
    let path = verified_blob(&state, &sha256)?;
    let pdf = state.pdf.as_ref().map_err(Clone::clone)?;
    Ok(pdf.render(&path, page, width)?.to_bmp())
}

/// The file of a document whose bytes are here and matched their hash; never any other.
pub fn verified_blob(state: &AppState, sha256: &Sha256Hex) -> Result<PathBuf, IpcError> {
    let store = state.store.as_ref().map_err(Clone::clone)?;
    let verified = store
        .lock()
        .map_err(IpcError::internal)?
        .blob_is_verified(sha256)?;
    if !verified {
        return Err(IpcError {
            code: ErrorCode::DocumentNotDownloaded,
            detail: sha256.to_string(),
        });
    }
    Ok(state
        .profile
        .as_ref()
        .map_err(Clone::clone)?
        .blob_path(sha256))
}
