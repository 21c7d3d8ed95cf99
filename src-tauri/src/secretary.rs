//! The secretary's commands: prepare a meeting on this laptop, attach documents, and
//! queue it for publication (the sync engine publishes it when the hub is reachable).

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use quorum_app_core::Attached;
use quorum_core::{AgendaItemId, DocumentId, Meeting, MeetingId};
use quorum_store::Draft;

laptop_commands! {
    /// The meetings being prepared on this laptop.
    fn drafts() -> Vec<Draft> = |laptop| laptop.drafts();

    /// A new meeting to prepare, with no items yet.
    fn new_draft(title: String, starts_at: DateTime<Utc>, location: String) -> Meeting
        = |laptop| laptop.new_draft(&title, starts_at, &location);

    /// Starts editing a published meeting, to publish it again.
    fn edit_meeting(meeting_id: MeetingId) -> Meeting = |laptop| laptop.edit_meeting(meeting_id);

    /// Saves the secretary's edit of a draft: title, time, place, invitees, items,
    /// documents removed.
    fn save_draft(meeting: Meeting, removed_documents: Vec<DocumentId>) -> Meeting
        = |laptop| laptop.save_draft(&meeting, &removed_documents);

    /// Adds an agenda item at the end of a draft.
    fn add_item(meeting_id: MeetingId, title: String, presenter: String, planned_minutes: u32)
        -> Meeting = |laptop| laptop.add_item(meeting_id, &title, &presenter, planned_minutes);

    /// Moves an agenda item of a draft to position `to`.
    fn move_item(meeting_id: MeetingId, item_id: AgendaItemId, to: usize) -> Meeting
        = |laptop| laptop.move_item(meeting_id, item_id, to);

    /// Attaches a PDF the secretary picked (its bytes, read by the window).
    fn attach_file(meeting_id: MeetingId, item_id: AgendaItemId, file_name: String, bytes: Vec<u8>)
        -> Attached = |laptop| laptop.attach_file(meeting_id, item_id, &file_name, &bytes);

    /// Attaches a PDF dropped on an agenda item (its path on this laptop).
    fn attach_path(meeting_id: MeetingId, item_id: AgendaItemId, path: PathBuf) -> Attached
        = |laptop| laptop.attach_path(meeting_id, item_id, &path);

    /// Drops a draft; the published meeting stays as it is.
    fn discard_draft(meeting_id: MeetingId) -> () = |laptop| laptop.discard_draft(meeting_id);

    /// Queues the draft for publication; it goes out with the next sync.
    fn publish(meeting_id: MeetingId) -> () = |laptop| laptop.publish(meeting_id);

    /// Ties a folder on disk to a meeting: PDFs put in it are imported and published.
    fn watch_folder(meeting_id: MeetingId, folder: String) -> ()
        = |laptop| laptop.watch_folder(meeting_id, PathBuf::from(folder.trim()));
}
