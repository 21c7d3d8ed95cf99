//! The commands of the document viewer: pages, their problems, the password, find,
//! signatures.

use quorum_core::{PageRect, Sha256Hex};
use quorum_pdf::{Page, Password};
use quorum_signatures::DocumentSignatures;
use tauri::State;

use crate::errors::IpcError;
use crate::profile::AppState;

laptop_commands! {
    /// A document's pages as the viewer lays them out: sizes in PDF points, and which pages
    /// cannot be shown and why.
    fn document_pages(sha256: Sha256Hex) -> Vec<Page>
        = |laptop| laptop.document_pages(&sha256);

    /// Why a page's image did not arrive, when the reader knows: the viewer says it on the
    /// page.
    fn page_problem(sha256: Sha256Hex, page: u32) -> Option<IpcError>
        = |laptop| laptop.page_failure(&sha256, page).map(|failure| failure.map(IpcError::from));

    /// Opens a protected document with the password the member typed; it is kept in memory
    /// only, until Quorum closes. Returns the pages as `document_pages` does.
    fn unlock_document(sha256: Sha256Hex, password: String) -> Vec<Page>
        = |laptop| laptop.unlock_document(&sha256, Password(password));

    /// The document's signatures (ký số), checked on this laptop against the certificates
    /// the hub's admin trusts: the badge on the meeting page, the viewer's panel.
    fn document_signatures(sha256: Sha256Hex) -> DocumentSignatures
        = |laptop| laptop.document_signatures(&sha256);

    /// Where `query` occurs on one page, as boxes in PDF points, to mark it in the viewer.
    fn find_in_page(sha256: Sha256Hex, page: u32, query: String) -> Vec<PageRect>
        = |laptop| laptop.find_in_page(&sha256, page, &query);
}

/// The viewer says which pages of a document are on screen (zero-based, inclusive).
#[tauri::command(async)]
pub fn pages_on_screen(state: State<'_, AppState>, sha256: Sha256Hex, first: u32, last: u32) {
    state.on_screen.set(sha256, first, last);
}
