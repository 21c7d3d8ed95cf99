//! Where a laptop keeps its bearer token and signing key: in the OS keyring (the Secret
//! Service of the desktop session) when one answers, else in the profile's database,
//! which only its owner may read (see [`crate::private`]).

use quorum_core::DeviceId;
use serde::{Deserialize, Serialize};

/// The keyring's name for Quorum's entries; one entry per enrolled device.
const SERVICE: &str = "vn.quorum.desktop";

/// What the keyring entry holds.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DeviceSecrets {
    token: String,
    signing_key: String,
}

fn entry(device_id: DeviceId) -> keyring::Result<keyring::Entry> {
    keyring::Entry::new(SERVICE, &device_id.to_string())
}

/// Keeps the secrets in the keyring; `false` when no keyring answers (no session bus, no
/// Secret Service), or it did not give them back the same.
pub(crate) fn keep(device_id: DeviceId, token: &str, signing_key: &str) -> bool {
    let secrets = DeviceSecrets {
        token: token.to_string(),
        signing_key: signing_key.to_string(),
    };
    let Ok(json) = serde_json::to_string(&secrets) else {
        return false;
    };
    let kept = entry(device_id)
        .and_then(|entry| entry.set_password(&json).map(|()| entry))
        .and_then(|entry| entry.get_password());
    match kept {
        Ok(read_back) if read_back == json => true,
        Ok(_) => false,
        Err(error) => {
            tracing::info!(%error, "no keyring answers; the device's secrets stay in the private profile");
            false
        }
    }
}

/// Removes the secrets kept for `device_id`, if any keyring holds them.
pub(crate) fn forget(device_id: DeviceId) {
    let forgotten = entry(device_id).and_then(|entry| entry.delete_credential());
    if let Err(error) = forgotten
        && !matches!(error, keyring::Error::NoEntry)
    {
        tracing::warn!(%error, "the keyring kept the device's secrets");
    }
}

/// The token and signing key kept for `device_id`.
pub(crate) fn fetch(device_id: DeviceId) -> crate::Result<(String, String)> {
    let json = entry(device_id)
        .and_then(|entry| entry.get_password())
        .map_err(|e| crate::StoreError::Keyring(e.to_string()))?;
    let secrets: DeviceSecrets = serde_json::from_str(&json)?;
    Ok((secrets.token, secrets.signing_key))
}
