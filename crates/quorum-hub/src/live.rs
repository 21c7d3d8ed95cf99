//! The live channels open in this process, per device: capped, so one device cannot hold
//! the hub's connections, and closed at once when the device is revoked.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use quorum_core::DeviceId;
use tokio_util::sync::CancellationToken;

/// Live channels one device may hold open at once (a window and a `quorum` client, say,
/// with room for a reconnect racing the old channel's end).
pub const MAX_CHANNELS_PER_DEVICE: usize = 4;

#[derive(Default)]
pub struct LiveChannels {
    open: Arc<Mutex<HashMap<DeviceId, Device>>>,
}

struct Device {
    channels: usize,
    /// Cancelled when the device is revoked; every one of its channels ends with it.
    revoked: CancellationToken,
}

/// One open channel; dropping it frees its place.
pub struct ChannelSlot {
    open: Arc<Mutex<HashMap<DeviceId, Device>>>,
    device_id: DeviceId,
    pub revoked: CancellationToken,
}

fn lock(
    open: &Mutex<HashMap<DeviceId, Device>>,
) -> std::sync::MutexGuard<'_, HashMap<DeviceId, Device>> {
    // The map is only ever updated whole; a panic elsewhere leaves it consistent.
    open.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl LiveChannels {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<DeviceId, Device>> {
        lock(&self.open)
    }

    /// A place for a new channel of `device_id`, or `None` when it holds the most already.
    pub fn open(&self, device_id: DeviceId) -> Option<ChannelSlot> {
        let mut open = self.lock();
        let device = open.entry(device_id).or_insert_with(|| Device {
            channels: 0,
            revoked: CancellationToken::new(),
        });
        if device.channels >= MAX_CHANNELS_PER_DEVICE {
            return None;
        }
        device.channels += 1;
        Some(ChannelSlot {
            open: Arc::clone(&self.open),
            device_id,
            revoked: device.revoked.clone(),
        })
    }

    /// The devices holding a channel now.
    pub fn devices(&self) -> Vec<DeviceId> {
        self.lock().keys().copied().collect()
    }

    /// Ends every channel of a revoked device.
    pub fn close_device(&self, device_id: DeviceId) {
        if let Some(device) = self.lock().get(&device_id) {
            tracing::info!(%device_id, "closing a revoked device's live channels");
            device.revoked.cancel();
        }
    }
}

impl Drop for ChannelSlot {
    fn drop(&mut self) {
        let mut open = lock(&self.open);
        if let Some(device) = open.get_mut(&self.device_id) {
            device.channels -= 1;
            if device.channels == 0 {
                open.remove(&self.device_id);
            }
        }
    }
}
