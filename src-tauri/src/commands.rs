//! The commands the window calls. Each one: take the arguments, call a crate, map the error.

use quorum_core::search::find_folded;
use quorum_core::{Clock, Meeting, MeetingId, MeetingSummary, PageRect, Sha256Hex};
use quorum_pdf::{Page, Password};
use quorum_store::{SearchHit, SinceLastLook};
use quorum_sync::SyncStatus;
use tauri::State;
use tracing::instrument;

use crate::ipc::{IpcError, Language, PinnedHub, RejectedOperation, SyncView};
use crate::profile::AppState;

const LANGUAGE_KEY: &str = "ui.language";

pub(crate) fn with_store<T>(
    state: &AppState,
    read: impl FnOnce(&mut quorum_store::Store) -> quorum_store::Result<T>,
) -> Result<T, IpcError> {
    let store = state.store.as_ref().map_err(Clone::clone)?;
    let mut store = store.lock().map_err(IpcError::internal)?;
    Ok(read(&mut store)?)
}

#[tauri::command(async)]
#[instrument(skip_all, err(Debug))]
pub fn list_meetings(state: State<'_, AppState>) -> Result<Vec<MeetingSummary>, IpcError> {
    with_store(&state, |store| store.meetings(state.clock.now()))
}

#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn get_meeting(state: State<'_, AppState>, id: MeetingId) -> Result<Meeting, IpcError> {
    with_store(&state, |store| store.meeting(id))
}

/// The language chosen on this laptop; Vietnamese until the member switches.
#[tauri::command(async)]
#[instrument(skip_all, err(Debug))]
pub fn get_language(state: State<'_, AppState>) -> Result<Language, IpcError> {
    let saved = with_store(&state, |store| store.setting(LANGUAGE_KEY)).unwrap_or(None);
    Ok(saved
        .and_then(|code| Language::from_code(&code))
        .unwrap_or_default())
}

#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn set_language(state: State<'_, AppState>, language: Language) -> Result<(), IpcError> {
    with_store(&state, |store| {
        store.set_setting(LANGUAGE_KEY, language.code())
    })
}

/// Whether this laptop syncs with a hub, and how that stands right now.
#[tauri::command(async)]
#[instrument(skip_all, err(Debug))]
pub fn sync_status(state: State<'_, AppState>) -> Result<SyncView, IpcError> {
    let status = match &state.sync {
        Some(sync) => sync.engine.status().borrow().clone(),
        None => with_store(&state, |store| SyncStatus::from_store(store))?,
    };
    let hub = with_store(&state, |store| store.enrollment())?.map(|enrollment| PinnedHub {
        url: enrollment.hub_url,
        certificate: enrollment.hub_certificate,
    });
    Ok(SyncView {
        enrolled: state.sync.is_some(),
        status,
        hub,
    })
}

/// Operations the hub refused, with its reasons, so the member sees what did not count.
#[tauri::command(async)]
#[instrument(skip_all, err(Debug))]
pub fn rejected_operations(state: State<'_, AppState>) -> Result<Vec<RejectedOperation>, IpcError> {
    let rejected = with_store(&state, |store| store.rejected_operations())?;
    Ok(rejected.into_iter().map(RejectedOperation::from).collect())
}

/// A document's pages as the viewer lays them out: sizes in PDF points, and which pages
/// cannot be shown and why.
#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn document_pages(
    state: State<'_, AppState>,
    sha256: Sha256Hex,
) -> Result<Vec<Page>, IpcError> {
    let path = crate::pages::verified_blob(&state, &sha256)?;
    let pdf = state.pdf.as_ref().map_err(Clone::clone)?;
    Ok(pdf.info(&path)?.pages)
}

/// Why a page's image did not arrive, when the reader knows: the viewer says it on the page.
#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn page_problem(
    state: State<'_, AppState>,
    sha256: Sha256Hex,
    page: u32,
) -> Result<Option<IpcError>, IpcError> {
    let path = crate::pages::verified_blob(&state, &sha256)?;
    let pdf = state.pdf.as_ref().map_err(Clone::clone)?;
    Ok(pdf.page_failure(&path, page).map(IpcError::from))
}

/// Opens a protected document with the password the member typed; it is kept in memory
/// only, until Quorum closes. Returns the pages as [`document_pages`] does.
#[tauri::command(async)]
#[instrument(skip(state, password), err(Debug))]
pub fn unlock_document(
    state: State<'_, AppState>,
    sha256: Sha256Hex,
    password: String,
) -> Result<Vec<Page>, IpcError> {
    let path = crate::pages::verified_blob(&state, &sha256)?;
    let pdf = state.pdf.as_ref().map_err(Clone::clone)?;
    Ok(pdf.unlock(&path, Password(password))?.pages)
}

/// Pages where `query` occurs, ignoring case and diacritics: in one meeting's pack, or
/// in every document on this laptop.
#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn search(
    state: State<'_, AppState>,
    query: String,
    meeting_id: Option<MeetingId>,
) -> Result<Vec<SearchHit>, IpcError> {
    with_store(&state, |store| store.search(&query, meeting_id))
}

/// Where `query` occurs on one page, as boxes in PDF points, to mark it in the viewer.
#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn find_in_page(
    state: State<'_, AppState>,
    sha256: Sha256Hex,
    page: u32,
    query: String,
) -> Result<Vec<PageRect>, IpcError> {
    let chars = crate::reanchoring::page_chars(&state, &sha256, page)?;
    let text: String = chars.iter().map(|(c, _)| *c).collect();
    Ok(find_folded(&text, &query)
        .into_iter()
        .filter_map(|found| {
            let matched = chars.get(found)?;
            Some(matched.iter().fold(
                PageRect {
                    left: f32::MAX,
                    bottom: f32::MAX,
                    right: f32::MIN,
                    top: f32::MIN,
                },
                |rect, (_, c)| PageRect {
                    left: rect.left.min(c.left),
                    bottom: rect.bottom.min(c.bottom),
                    right: rect.right.max(c.right),
                    top: rect.top.max(c.top),
                },
            ))
        })
        .collect())
}

/// The viewer says which pages of a document are on screen (zero-based, inclusive).
#[tauri::command(async)]
pub fn pages_on_screen(state: State<'_, AppState>, sha256: Sha256Hex, first: u32, last: u32) {
    state.on_screen.set(sha256, first, last);
}

/// What changed in a meeting since the member last looked; records this look.
#[tauri::command(async)]
#[instrument(skip(state), err(Debug))]
pub fn look_at_meeting(
    state: State<'_, AppState>,
    meeting_id: MeetingId,
) -> Result<SinceLastLook, IpcError> {
    with_store(&state, |store| store.look_at_meeting(meeting_id))
}
