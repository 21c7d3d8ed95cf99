//! The sync engine's loop in the background of the window, from start-up or from the
//! moment the laptop joins a committee until it leaves or the app closes; its status is
//! forwarded to the window as it changes.

use std::sync::{Arc, Mutex, PoisonError};

use quorum_sync::SyncEngine;
use tauri::async_runtime::JoinHandle;
use tauri::{AppHandle, Emitter};
use tokio::sync::watch;
use tracing::warn;

/// The event the window hears whenever the sync status changes.
pub const SYNC_STATUS_EVENT: &str = "sync-status";

/// The running loop, if any.
#[derive(Default)]
pub struct Syncing(Mutex<Option<Running>>);

struct Running {
    /// Turned true, it ends the loop after the round under way.
    stop: watch::Sender<bool>,
    ended: JoinHandle<()>,
}

impl Syncing {
    /// Runs `engine` until [`Syncing::stop`], telling the window of every status.
    pub fn start(&self, app: &AppHandle, engine: Arc<SyncEngine>) {
        let (stop, stopped) = watch::channel(false);
        let ended = tauri::async_runtime::spawn(engine.clone().run(stopped));
        let mut status = engine.status();
        let app = app.clone();
        tauri::async_runtime::spawn(async move {
            let mut last_synced = None;
            while status.changed().await.is_ok() {
                let current = status.borrow_and_update().clone();
                if current.last_synced_at != last_synced {
                    // A finished sync may have brought documents: make them searchable.
                    last_synced = current.last_synced_at;
                    crate::background::after_documents_arrive(&app);
                }
                if let Err(error) = app.emit(SYNC_STATUS_EVENT, current) {
                    warn!(%error, "the window missed a sync status");
                }
            }
        });
        let replaced = self
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .replace(Running { stop, ended });
        if let Some(old) = replaced {
            old.stop.send_replace(true);
        }
    }

    /// Ends the loop and waits for the round under way, so that nothing it brings
    /// lands after the caller goes on.
    pub async fn stop(&self) {
        let running = self.0.lock().unwrap_or_else(PoisonError::into_inner).take();
        if let Some(running) = running {
            running.stop.send_replace(true);
            if let Err(error) = running.ended.await {
                warn!(%error, "the sync loop ended badly");
            }
        }
    }
}
