use std::sync::Mutex;

use ed25519_dalek::{Signer, SigningKey};
use quorum_core::protocol::{EnrollRequest, EnrollResponse};
use quorum_core::{Clock, Committee, Member};
use quorum_store::{DeviceIdentity, Store};
use tracing::{info, instrument};

use crate::engine::lock;
use crate::hub::HubClient;
use crate::{Profile, Result, SyncError};

/// Who this laptop now belongs to.
#[derive(Debug, Clone)]
pub struct Enrolled {
    pub member: Member,
    pub committee: Committee,
}

/// Binds the profile to the member whose one-time `code` the hub issued, pinning the
/// hub's certificate `fingerprint` (printed beside the code; none for plain HTTP on this
/// machine). The device makes its Ed25519 key here; the secret never leaves the profile.
#[instrument(skip(profile, code, clock), err)]
pub async fn enroll(
    profile: &Profile,
    hub_url: &str,
    code: &str,
    fingerprint: Option<&str>,
    device_name: &str,
    clock: &dyn Clock,
) -> Result<Enrolled> {
    let store = Mutex::new(profile.open_store()?);
    let request = Enrollment {
        hub_url,
        code,
        fingerprint,
        device_name,
    };
    enroll_into(&store, &request, clock, |_| Ok(())).await
}

/// What a laptop asks a hub to be bound to it with.
#[derive(Debug, Clone, Copy)]
pub struct Enrollment<'a> {
    pub hub_url: &'a str,
    pub code: &'a str,
    pub fingerprint: Option<&'a str>,
    pub device_name: &'a str,
}

/// As [`enroll`], into an open store, which is locked only around its own reads and
/// writes. `before_binding` runs once the hub took the code, just before the binding is
/// kept: a code the hub refuses leaves the store as it was.
pub async fn enroll_into(
    store: &Mutex<Store>,
    enrollment: &Enrollment<'_>,
    clock: &dyn Clock,
    before_binding: impl FnOnce(&mut Store) -> quorum_store::Result<()>,
) -> Result<Enrolled> {
    let Enrollment {
        hub_url,
        code,
        fingerprint,
        device_name,
    } = *enrollment;
    let pin = fingerprint.map(crate::tls::parse_fingerprint).transpose()?;
    if let Some(existing) = lock(store)?.enrollment()? {
        return Err(SyncError::AlreadyEnrolled {
            hub_url: existing.hub_url,
        });
    }
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).map_err(|e| SyncError::Protocol(format!("no randomness: {e}")))?;
    let key = SigningKey::from_bytes(&secret);
    let request = EnrollRequest {
        code: code.trim().to_string(),
        public_key: hex::encode(key.verifying_key().as_bytes()),
        signature: hex::encode(key.sign(code.trim().as_bytes()).to_bytes()),
        device_name: device_name.to_string(),
    };
    let hub = HubClient::new(hub_url, None, pin)?;
    let response: EnrollResponse = hub.post_json("/enroll", &request).await?;
    let identity = DeviceIdentity {
        device_id: response.device_id,
        member_id: response.member.id,
        hub_url: hub_url.trim_end_matches('/').to_string(),
        hub_certificate: pin.map(hex::encode),
        signing_key: hex::encode(secret),
        token: response.token,
        enrolled_at: clock.now(),
    };
    {
        let mut store = lock(store)?;
        before_binding(&mut store)?;
        store.enroll_device(&identity, &response.committee, &response.member)?;
    }
    info!(member = %response.member.full_name, device = %identity.device_id, "enrolled");
    Ok(Enrolled {
        member: response.member,
        committee: response.committee,
    })
}
