//! The window's command table, generated from the Tauri commands themselves: each one
//! becomes a typed function in ui/src/lib/commands.ts, so a renamed command or argument
//! fails the UI's type check instead of failing at run time.

use crate::background::{ANNOTATIONS_MOVED_EVENT, TEXTS_EXTRACTED_EVENT};
use crate::bindings::{BINDINGS, render_bindings, ts_type};
use crate::syncing::SYNC_STATUS_EVENT;

const COMMANDS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../ui/src/lib/commands.ts");

/// The events the window hears: its listener's name, the event, what it carries.
const EVENTS: &[(&str, &str, &str)] = &[
    ("onSyncStatus", SYNC_STATUS_EVENT, "SyncStatus"),
    ("onTextsExtracted", TEXTS_EXTRACTED_EVENT, "null"),
    ("onAnnotationsMoved", ANNOTATIONS_MOVED_EVENT, "null"),
];

/// Tauri's own arguments, which the window does not pass.
const INJECTED: &[&str] = &["State", "AppHandle"];

/// One `#[tauri::command]` as written in src/.
pub(crate) struct Command {
    pub name: String,
    pub arguments: Vec<(String, String)>,
    pub returns: Option<String>,
}

/// Splits `text` at the commas outside any `<…>`.
pub(crate) fn top_level(text: &str) -> Vec<&str> {
    let (mut depth, mut start, mut parts) = (0, 0, Vec::new());
    for (at, c) in text.char_indices() {
        match c {
            '<' => depth += 1,
            '>' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(text[start..at].trim());
                start = at + 1;
            }
            _ => {}
        }
    }
    parts.push(text[start..].trim());
    parts.into_iter().filter(|part| !part.is_empty()).collect()
}

/// Reads a command's signature from the text after its `fn `, ending before `end`.
fn signature(text: &str, end: char) -> Command {
    let (name, rest) = text.split_once('(').unwrap();
    let (arguments, rest) = rest.split_once(')').unwrap();
    let head = rest.split_once(end).unwrap().0;
    let returns = head.split_once("->").map(|(_, ty)| ty.trim().to_string());
    let arguments = top_level(arguments)
        .into_iter()
        .map(|argument| {
            let (name, ty) = argument.split_once(':').unwrap();
            (name.trim().to_string(), ty.trim().to_string())
        })
        .filter(|(_, ty)| !INJECTED.iter().any(|injected| ty.starts_with(injected)))
        .collect();
    Command {
        name: name.trim().to_string(),
        arguments,
        returns,
    }
}

/// Every command in the crate's sources, in file and source order: those written out
/// with `#[tauri::command]`, then those in `laptop_commands!`.
pub(crate) fn commands() -> Vec<Command> {
    let mut files: Vec<_> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/src"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| !path.ends_with("commands_macro.rs"))
        .collect();
    files.sort();
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(file).unwrap();
        for command in text.split("\n#[tauri::command").skip(1) {
            let (_, rest) = command
                .split_once(" fn ")
                .expect("a command is a pub fn or a pub async fn");
            found.push(signature(rest, '{'));
        }
        for block in text.split("\nlaptop_commands! {\n").skip(1) {
            let block = format!("\n{}", block.split_once("\n}\n").expect("the block ends").0);
            for entry in block.split("\n    fn ").skip(1) {
                found.push(signature(entry, '='));
            }
        }
    }
    found
}

fn camel(snake: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn render_commands() -> String {
    let commands = commands();
    let bindings = render_bindings();
    let mut used: Vec<String> = Vec::new();
    let mut body = String::new();
    for command in &commands {
        let parameters: Vec<String> = command
            .arguments
            .iter()
            .map(|(name, ty)| format!("{}: {}", camel(name), ts_type(ty)))
            .collect();
        let names: Vec<String> = command.arguments.iter().map(|(n, _)| camel(n)).collect();
        let returns = command.returns.as_deref().map_or("null".into(), ts_type);
        let passed = if names.is_empty() {
            String::new()
        } else {
            format!(", {{ {} }}", names.join(", "))
        };
        body.push_str(&format!(
            "  {}: ({}) => invoke<{returns}>('{}'{passed}),\n",
            camel(&command.name),
            parameters.join(", "),
            command.name,
        ));
        let types = parameters.join(" ") + " " + &returns;
        for word in types.split(|c: char| !c.is_alphanumeric()) {
            let declared = bindings.contains(&format!("export type {word} "));
            if word.starts_with(char::is_uppercase) && declared && !used.iter().any(|u| u == word) {
                used.push(word.to_string());
            }
        }
    }
    let mut listeners = String::new();
    for (listener, event, payload) in EVENTS {
        listeners.push_str(&format!(
            "  {listener}: (handler: (payload: {payload}) => void): Promise<UnlistenFn> =>\n    \
             listen<{payload}>('{event}', (event) => handler(event.payload)),\n"
        ));
        if payload.starts_with(char::is_uppercase) && !used.iter().any(|u| u == payload) {
            used.push(payload.to_string());
        }
    }
    used.sort();
    format!(
        "// Generated from the Tauri commands and events in src-tauri/src. Do not edit: run\n\
         // `cargo test -p quorum-app write_bindings -- --ignored` instead.\n\
         import {{ invoke }} from '@tauri-apps/api/core';\n\
         import {{ listen, type UnlistenFn }} from '@tauri-apps/api/event';\n\
         import type {{ {} }} from './bindings';\n\n\
         export const commands = {{\n{body}}};\n\n\
         export const events = {{\n{listeners}}};\n",
        used.join(", ")
    )
}

#[test]
fn the_bindings_and_the_command_table_are_fresh() {
    for (path, rendered) in [(BINDINGS, render_bindings()), (COMMANDS, render_commands())] {
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            committed == rendered,
            "{path} is stale: run `cargo test -p quorum-app write_bindings -- --ignored`"
        );
    }
}

/// Rewrites ui/src/lib/bindings.ts and commands.ts; not a check, so only run when asked.
#[test]
#[ignore = "rewrites the UI's bindings: cargo test -p quorum-app write_bindings -- --ignored"]
fn write_bindings() {
    std::fs::write(BINDINGS, render_bindings()).expect("bindings written");
    std::fs::write(COMMANDS, render_commands()).expect("commands written");
}
