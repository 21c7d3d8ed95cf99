//! Quorum's desktop window. This crate holds only start-up, state and command
//! registration; every command is a few lines over quorum-app-core's `Laptop`.

// No console window behind the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

#[macro_use]
mod commands_macro;

mod annotating;
mod background;
#[cfg(test)]
mod bindings;
mod commands;
mod error_mapping;
mod errors;
mod exports;
mod ipc;
mod membership;
mod pages;
mod profile;
mod reading;
mod room;
mod secretary;
mod syncing;
#[cfg(test)]
mod typescript;
mod voting;

use tauri::Manager;

fn main() {
    quorum_logging::to_stderr("info");
    profile::avoid_desktop_bus_waits();
    profile::paint_directly_without_a_gpu();
    // The profile holds the device's token and key, ballots and unpublished documents.
    quorum_sqlite::private::restrict_new_files();

    let result = tauri::Builder::default()
        .setup(|app| {
            let state = profile::open(app.handle());
            app.manage(state);
            background::after_documents_arrive(app.handle());
            background::watch_saved_folders(app.handle());
            Ok(())
        })
        .register_asynchronous_uri_scheme_protocol(pages::SCHEME, pages::handle)
        .invoke_handler(tauri::generate_handler![
            membership::membership,
            membership::try_demo,
            membership::join,
            membership::leave_committee,
            membership::nearby_hubs,
            commands::list_meetings,
            commands::get_meeting,
            commands::look_at_meeting,
            commands::get_language,
            commands::set_language,
            commands::time_zone,
            commands::committee_time,
            commands::sync_status,
            commands::rejected_operations,
            reading::document_pages,
            reading::page_problem,
            reading::unlock_document,
            commands::search,
            reading::find_in_page,
            reading::document_signatures,
            reading::pages_on_screen,
            annotating::annotations,
            annotating::unanchored_annotations,
            annotating::add_note,
            annotating::add_markup,
            annotating::add_ink,
            annotating::add_rectangle,
            annotating::edit_annotation,
            annotating::delete_annotation,
            exports::export_annotated_copy,
            exports::my_notes,
            exports::save_notes_list,
            voting::polls,
            voting::members,
            voting::create_poll,
            voting::run_poll,
            voting::cast_ballot,
            voting::delegate,
            voting::my_delegate,
            voting::me,
            voting::meeting_context,
            exports::save_results,
            exports::publish_export,
            room::readiness,
            room::attendance,
            room::check_in,
            room::mark_attendance,
            room::floor,
            room::request_floor,
            room::give_floor,
            room::end_floor,
            secretary::drafts,
            secretary::new_draft,
            secretary::edit_meeting,
            secretary::save_draft,
            secretary::add_item,
            secretary::move_item,
            secretary::attach_file,
            secretary::attach_path,
            secretary::publish,
            secretary::discard_draft,
            secretary::watch_folder,
            exports::decisions,
            exports::save_decision,
            exports::save_minutes,
            exports::token_certificates,
            exports::sign_export,
            exports::sign_export_with_key_file,
            exports::write_answer_sheet,
            exports::save_answer_sheet,
        ])
        .build(tauri::generate_context!())
        .map(|app| {
            app.run(|app, event| {
                if let tauri::RunEvent::Exit = event {
                    // Workers stuck inside pdfium never read their closed input: end them.
                    tracing::info!("closing: stopping the PDF readers");
                    profile::stop_pdf(app);
                    tracing::info!("closing: PDF readers stopped");
                }
            })
        });
    if let Err(error) = result {
        tracing::error!(%error, "Quorum could not start");
        std::process::exit(1);
    }
}
