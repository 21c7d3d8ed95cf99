//! The `page:` URI scheme: page images for the viewer, straight from the PDF worker to
//! the webview, with no base64 over IPC:
//! `page://localhost/<sha256>-<page>?width=<px>[&strip=<top>,<rows>]`; a page too large
//! for one bitmap is asked for strip by strip.

use std::path::PathBuf;

use quorum_core::Sha256Hex;
use quorum_pdf::Strip;
use tauri::http::{Response, StatusCode, header};
use tauri::{Manager, UriSchemeContext, UriSchemeResponder, Wry};
use tracing::warn;

use crate::ipc::{ErrorCode, IpcError};
use crate::profile::AppState;

pub const SCHEME: &str = "page";
/// Pixel widths a page may be asked for; the worker refuses more than ~16 megapixels.
const WIDTHS: std::ops::RangeInclusive<u32> = 64..=4096;

/// Pages rendered ahead of the one asked for, so the next page turn comes from memory.
const PREFETCH_AHEAD: u32 = 2;

pub fn handle(
    context: UriSchemeContext<'_, Wry>,
    request: tauri::http::Request<Vec<u8>>,
    responder: UriSchemeResponder,
) {
    let app = context.app_handle().clone();
    // Rendering waits on the worker: keep it off the webview's thread.
    tauri::async_runtime::spawn_blocking(move || {
        let state = app.state::<AppState>();
        let asked = PageRequest::parse(request.uri()).and_then(|asked| {
            let path = verified_blob(&state, &asked.sha256)?;
            let pdf = state.pdf.as_ref().map_err(Clone::clone)?;
            let bmp = pdf
                .render_strip(&path, asked.page, asked.width, asked.strip)?
                .to_bmp();
            Ok((asked, path, pdf, bmp))
        });
        let response = match &asked {
            Ok((.., bmp)) => Response::builder()
                .header(header::CONTENT_TYPE, "image/bmp")
                .header(header::CACHE_CONTROL, "max-age=31536000, immutable")
                .body(bmp.clone()),
            Err(error) => {
                warn!(uri = %request.uri(), ?error, "page not served");
                let status = match error.code {
                    ErrorCode::DocumentNotDownloaded => StatusCode::NOT_FOUND,
                    _ => StatusCode::INTERNAL_SERVER_ERROR,
                };
                Response::builder()
                    .status(status)
                    .body(error.detail.clone().into_bytes())
            }
        };
        match response {
            Ok(response) => responder.respond(response),
            Err(error) => warn!(%error, "a page response could not be built"),
        }
        if let Ok((asked, path, pdf, _)) = asked
            && asked.strip.is_none()
        {
            pdf.prefetch(&path, asked.page, asked.width, PREFETCH_AHEAD);
        }
    });
}

struct PageRequest {
    sha256: Sha256Hex,
    page: u32,
    width: u32,
    strip: Option<Strip>,
}

impl PageRequest {
    fn parse(uri: &tauri::http::Uri) -> Result<Self, IpcError> {
        let bad = || IpcError {
            code: ErrorCode::Internal,
            detail: format!("not a page address: {uri}"),
        };
        let (sha256, page) = uri
            .path()
            .trim_start_matches('/')
            .split_once('-')
            .ok_or_else(bad)?;
        let mut width = 1000;
        let mut strip = None;
        for (key, value) in uri
            .query()
            .unwrap_or("")
            .split('&')
            .filter_map(|pair| pair.split_once('='))
        {
            match key {
                "width" => width = value.parse().map_err(|_| bad())?,
                "strip" => {
                    let (top, height) = value.split_once(',').ok_or_else(bad)?;
                    let (top, height) = (
                        top.parse().map_err(|_| bad())?,
                        height.parse().map_err(|_| bad())?,
                    );
                    strip = Some(Strip { top, height });
                }
                _ => {}
            }
        }
        let width = u32::clamp(width, *WIDTHS.start(), *WIDTHS.end());
        Ok(Self {
            sha256: Sha256Hex::try_from(sha256.to_string()).map_err(|_| bad())?,
            page: page.parse().map_err(|_| bad())?,
            width,
            strip,
        })
    }
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
