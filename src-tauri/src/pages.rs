//! The `page:` URI scheme: page images for the viewer, straight from the PDF worker to
//! the webview, with no base64 over IPC:
//! `page://localhost/<sha256>-<page>?width=<px>[&strip=<top>,<rows>][&thumbnail=1]`; a
//! page too large for one bitmap is asked for strip by strip.

use std::collections::HashMap;
use std::ops::RangeInclusive;
use std::sync::Mutex;

use quorum_core::Sha256Hex;
use quorum_pdf::{Priority, Strip};
use tauri::http::{Response, StatusCode, header};
use tauri::{Manager, UriSchemeContext, UriSchemeResponder, Wry};
use tracing::warn;

use crate::errors::{ErrorCode, IpcError};
use crate::profile::AppState;

pub const SCHEME: &str = "page";
/// Pages before and after those on screen that are still worth rendering.
const NEAR: u32 = 2;

/// Which pages of each document the viewer shows now, so a request for a page the
/// reader has scrolled away from is dropped instead of rendered.
#[derive(Default)]
pub struct OnScreen(Mutex<HashMap<Sha256Hex, RangeInclusive<u32>>>);

impl OnScreen {
    pub fn set(&self, sha256: Sha256Hex, first: u32, last: u32) {
        if let Ok(mut shown) = self.0.lock() {
            shown.insert(sha256, first..=last);
        }
    }

    /// Whether a page is on screen or near it; pages of a document not shown are wanted.
    fn wants(&self, sha256: &Sha256Hex, page: u32) -> bool {
        let Ok(shown) = self.0.lock() else {
            return true;
        };
        shown.get(sha256).is_none_or(|range| {
            page + NEAR >= *range.start() && page <= range.end().saturating_add(NEAR)
        })
    }

    /// Pages on screen come before those near it (and those of a document not shown).
    fn priority(&self, sha256: &Sha256Hex, page: u32) -> Priority {
        let on_screen = self
            .0
            .lock()
            .is_ok_and(|shown| shown.get(sha256).is_some_and(|range| range.contains(&page)));
        if on_screen {
            Priority::Shown
        } else {
            Priority::Near
        }
    }
}
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
            let laptop = state.laptop()?;
            let path = laptop.verified_blob(&asked.sha256)?;
            let pdf = laptop.pdf()?.clone();
            // Thumbnails are wanted wherever the reader is.
            let wanted = || asked.thumbnail || state.on_screen.wants(&asked.sha256, asked.page);
            let priority = if asked.thumbnail {
                Priority::Thumbnail
            } else {
                state.on_screen.priority(&asked.sha256, asked.page)
            };
            let page = pdf.render_strip(
                &path,
                asked.page,
                asked.width,
                asked.strip,
                priority,
                &wanted,
            )?;
            Ok((asked, path, pdf, page.png()?))
        });
        let (response, rendered) = match asked {
            Ok((asked, path, pdf, png)) => (
                Response::builder()
                    .header(header::CONTENT_TYPE, "image/png")
                    .header(header::CACHE_CONTROL, "max-age=31536000, immutable")
                    .body(png),
                Some((asked, path, pdf)),
            ),
            Err(error) => {
                warn!(uri = %request.uri(), ?error, "page not served");
                let status = match error.code {
                    ErrorCode::DocumentNotDownloaded => StatusCode::NOT_FOUND,
                    ErrorCode::PageNotOnScreen => StatusCode::GONE,
                    _ => StatusCode::INTERNAL_SERVER_ERROR,
                };
                let response = Response::builder()
                    .status(status)
                    .body(error.detail.into_bytes());
                (response, None)
            }
        };
        match response {
            Ok(response) => responder.respond(response),
            Err(error) => warn!(%error, "a page response could not be built"),
        }
        if let Some((asked, path, pdf)) = rendered
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
    thumbnail: bool,
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
        let mut thumbnail = false;
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
                "thumbnail" => thumbnail = value == "1",
                _ => {}
            }
        }
        let width = u32::clamp(width, *WIDTHS.start(), *WIDTHS.end());
        Ok(Self {
            sha256: Sha256Hex::try_from(sha256.to_string()).map_err(|_| bad())?,
            page: page.parse().map_err(|_| bad())?,
            width,
            strip,
            thumbnail,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_on_or_near_the_screen_are_wanted_the_rest_dropped() {
        let shown = OnScreen::default();
        let report = Sha256Hex::from_digest(&[2; 32]);
        assert!(
            shown.wants(&report, 40),
            "before the viewer reports, every page is wanted"
        );
        shown.set(report.clone(), 9, 10);
        for page in [7, 9, 10, 12] {
            assert!(
                shown.wants(&report, page),
                "page {page} is on screen or two pages from it"
            );
        }
        for page in [0, 6, 13] {
            assert!(
                !shown.wants(&report, page),
                "page {page} was scrolled away from"
            );
        }
        let other = Sha256Hex::from_digest(&[3; 32]);
        assert!(
            shown.wants(&other, 0),
            "another document's pages are not affected"
        );
        assert_eq!(shown.priority(&report, 10), Priority::Shown, "on screen");
        assert_eq!(
            shown.priority(&report, 12),
            Priority::Near,
            "two pages past it"
        );
    }
}
