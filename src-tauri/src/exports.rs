//! The commands that write files for the member, in Documents/Quorum: results, minutes,
//! the notes list, an annotated copy, an answer sheet, a signed copy of any of these;
//! and the minutes' decisions kept on this laptop.

use std::path::PathBuf;

use quorum_app_core::{ExportedFile, Laptop, ResultFiles, SignedFor, export_dir};
use quorum_core::{AgendaItemId, AgendaNotes, DocumentId, Meeting, MeetingId, MemberId, PollId};
use quorum_pdf::Report;
use quorum_token::TokenCertificate;
use tauri::{AppHandle, Manager};

use crate::errors::IpcError;

/// The member's Documents/Quorum, or the profile's exports folder without one.
fn exports(app: &AppHandle, laptop: &Laptop) -> Result<PathBuf, IpcError> {
    Ok(export_dir(laptop, app.path().document_dir().ok())?)
}

laptop_commands! {
    /// Saves a poll's results as the window laid them out in the member's language: a PDF
    /// report and a CSV table of `rows`.
    fn save_results(title: String, report: Report, rows: Vec<Vec<String>>) -> ResultFiles
        = |laptop, app| laptop.save_results(&exports(&app, laptop)?, &title, &report, &rows);

    /// "My annotated copy": the document's newest version with the member's annotations
    /// written in as PDF annotations other readers show.
    fn export_annotated_copy(document_id: DocumentId, title: String) -> ExportedFile
        = |laptop, app| laptop.export_annotated_copy(&exports(&app, laptop)?, document_id, &title);

    /// The member's annotations on a meeting's documents, per agenda item.
    fn my_notes(meeting_id: MeetingId) -> Vec<AgendaNotes>
        = |laptop| laptop.my_notes(meeting_id);

    /// Saves the list of notes the window laid out (in the member's language) as a text file.
    fn save_notes_list(title: String, text: String) -> ExportedFile
        = |laptop, app| laptop.save_notes_list(&exports(&app, laptop)?, &title, &text);

    /// The decision written so far for each item of a meeting, in agenda order.
    fn decisions(meeting_id: MeetingId) -> Vec<String>
        = |laptop| laptop.decisions(meeting_id);

    /// Keeps the decision written for one agenda item, for the minutes.
    fn save_decision(meeting_id: MeetingId, item_id: AgendaItemId, decision: String) -> ()
        = |laptop| laptop.save_decision(meeting_id, item_id, &decision);

    /// Prints the minutes the window laid out in the member's language.
    fn save_minutes(title: String, report: Report) -> ExportedFile
        = |laptop, app| laptop.save_minutes(&exports(&app, laptop)?, &title, &report);

    /// Lays out the member's answer sheet for a written opinion (as the window composed
    /// it), to be signed.
    fn write_answer_sheet(poll_id: PollId, title: String, report: Report) -> ExportedFile
        = |laptop, app| laptop.write_answer_sheet(&exports(&app, laptop)?, poll_id, &title, &report);

    /// Saves a copy of a member's signed answer sheet, for the chair or secretary.
    fn save_answer_sheet(poll_id: PollId, member_id: MemberId, title: String) -> ExportedFile
        = |laptop, app| laptop.save_answer_sheet(&exports(&app, laptop)?, poll_id, member_id, &title);

    /// The certificates on the tokens plugged in (no PIN needed to list them).
    fn token_certificates() -> Vec<TokenCertificate> = |laptop| laptop.token_certificates();

    /// Signs an exported PDF (results, minutes) with the token certificate picked and the
    /// PIN typed; the signed copy is written beside it as "… (ký số).pdf".
    fn sign_export(
        path: String,
        fingerprint: String,
        pin: String,
        reason: String,
        purpose: Option<SignedFor>,
    ) -> ExportedFile
        = |laptop, app| laptop.sign_export(
            &exports(&app, laptop)?,
            std::path::Path::new(&path),
            &fingerprint,
            &pin,
            &reason,
            purpose,
        );

    /// Puts an exported file (a signed copy) on an agenda item of its meeting and queues
    /// the meeting's publication.
    fn publish_export(meeting_id: MeetingId, item_id: AgendaItemId, path: String) -> Meeting
        = |laptop, app| laptop.publish_export(
            &exports(&app, laptop)?,
            meeting_id,
            item_id,
            std::path::Path::new(&path),
        );

    /// As `sign_export`, with the key of a PKCS#12 file (.p12, .pfx) and its password.
    fn sign_export_with_key_file(
        path: String,
        key_file: String,
        password: String,
        reason: String,
        purpose: Option<SignedFor>,
    ) -> ExportedFile
        = |laptop, app| laptop.sign_export_with_key_file(
            &exports(&app, laptop)?,
            std::path::Path::new(&path),
            std::path::Path::new(&key_file),
            &password,
            &reason,
            purpose,
        );
}
