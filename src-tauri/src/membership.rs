//! The commands of belonging to a committee: the demo, joining with a code, leaving.

use std::time::Duration;

use quorum_app_core::{JoinRequest, Membership};
use quorum_lan::NearbyHub;
use tauri::{AppHandle, State};
use tracing::{instrument, warn};

use crate::errors::IpcError;
use crate::profile::{AppState, sample_dir};

laptop_commands! {
    /// Whether the laptop belongs to a committee, holds the demo, or neither yet.
    fn membership() -> Membership = |laptop| laptop.membership();

    /// Loads the sample meeting into a laptop not joined yet, to try Quorum on.
    fn try_demo() -> Membership = |laptop, app| {
        let membership = laptop.try_demo(&sample_dir(&app))?;
        crate::background::after_documents_arrive(&app);
        Ok::<_, IpcError>(membership)
    };
}

/// Joins the committee whose hub gave the one-time code; the pack starts downloading.
#[tauri::command]
// The code is a secret until used: it stays out of the log.
#[instrument(skip_all, err(Debug))]
pub async fn join(
    app: AppHandle,
    state: State<'_, AppState>,
    request: JoinRequest,
) -> Result<Membership, IpcError> {
    let laptop = state.laptop()?.clone();
    let engine = laptop.join(&request).await?;
    state.syncing.start(&app, engine);
    Ok(laptop.membership()?)
}

/// Leaves the committee: sync stops, and everything the laptop held is forgotten.
#[tauri::command]
#[instrument(skip_all, err(Debug))]
pub async fn leave_committee(state: State<'_, AppState>) -> Result<Membership, IpcError> {
    state.syncing.stop().await;
    Ok(state.laptop()?.leave()?)
}

/// How long the join screen listens for hubs announcing themselves on the room's network.
const LISTENING: Duration = Duration::from_secs(2);

/// The hubs heard on the room's network, for the join screen to offer their addresses;
/// none when the network carries no announcements.
#[tauri::command]
#[instrument(skip_all)]
pub async fn nearby_hubs() -> Vec<NearbyHub> {
    match tokio::task::spawn_blocking(|| quorum_lan::nearby_hubs(LISTENING)).await {
        Ok(Ok(hubs)) => hubs,
        Ok(Err(error)) => {
            warn!(%error, "no hub can be heard on this network");
            Vec::new()
        }
        Err(error) => {
            warn!(%error, "listening for hubs stopped");
            Vec::new()
        }
    }
}
