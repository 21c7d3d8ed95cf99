//! A room with no internet: the hub announces itself on the room's network by multicast
//! DNS (`_quorum._tcp.local.`, its certificate fingerprint in the TXT record), and the join
//! screen offers the hubs it hears. An announcement proves nothing — anyone on the network
//! can make one — so it only saves typing the address: the fingerprint a laptop pins still
//! comes from the member's sheet, and a hub that shows another certificate is refused.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use mdns_sd::{ServiceDaemon, ServiceEvent, ServiceInfo};
use serde::Serialize;
use ts_rs::TS;

const SERVICE: &str = "_quorum._tcp.local.";
const FINGERPRINT_KEY: &str = "fp";

#[derive(Debug, thiserror::Error)]
#[error("the room's network cannot be used for announcements: {0}")]
pub struct LanError(#[from] mdns_sd::Error);

/// A hub heard on the room's network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NearbyHub {
    /// How the hub names itself (the machine it runs on).
    pub name: String,
    /// `https://IP:PORT`, ready for the join screen's address field.
    pub url: String,
    /// The fingerprint it claims; to compare, never to trust.
    pub fingerprint: String,
}

/// The hub's announcement, withdrawn when dropped.
pub struct Announcement {
    daemon: ServiceDaemon,
    fullname: String,
}

/// Announces a hub serving HTTPS at `listen`, whose certificate has `fingerprint`. A hub
/// listening on every address (`0.0.0.0`) is announced at each of the machine's addresses.
pub fn announce(listen: SocketAddr, fingerprint: &str) -> Result<Announcement, LanError> {
    let machine = machine_name();
    let daemon = ServiceDaemon::new()?;
    let properties = [(FINGERPRINT_KEY, fingerprint)];
    let host = format!("{machine}.local.");
    let info = if listen.ip().is_unspecified() {
        ServiceInfo::new(SERVICE, &machine, &host, "", listen.port(), &properties[..])?
            .enable_addr_auto()
    } else {
        ServiceInfo::new(
            SERVICE,
            &machine,
            &host,
            listen.ip(),
            listen.port(),
            &properties[..],
        )?
    };
    let fullname = info.get_fullname().to_string();
    daemon.register(info)?;
    tracing::info!(%listen, "announced on the room's network");
    Ok(Announcement { daemon, fullname })
}

impl Drop for Announcement {
    fn drop(&mut self) {
        // Say goodbye so the join screens forget this hub; do not wait long for it.
        if let Ok(done) = self.daemon.unregister(&self.fullname) {
            let _ = done.recv_timeout(Duration::from_secs(1));
        }
        if let Ok(done) = self.daemon.shutdown() {
            let _ = done.recv_timeout(Duration::from_secs(1));
        }
    }
}

/// The hubs heard on the room's network within `wait`, by name. A hub heard at several
/// addresses is offered at one a laptop elsewhere in the room can reach: an IPv4 address
/// other than loopback when it has one.
pub fn nearby_hubs(wait: Duration) -> Result<Vec<NearbyHub>, LanError> {
    let daemon = ServiceDaemon::new()?;
    let events = daemon.browse(SERVICE)?;
    let deadline = Instant::now() + wait;
    let mut found = BTreeMap::new();
    while let Ok(event) = events.recv_deadline(deadline) {
        let ServiceEvent::ServiceResolved(service) = event else {
            continue;
        };
        let addresses: Vec<IpAddr> = service
            .get_addresses()
            .iter()
            .map(|address| address.to_ip_addr())
            .collect();
        let (Some(address), Some(fingerprint)) = (
            reachable_address(&addresses),
            service.get_property_val_str(FINGERPRINT_KEY),
        ) else {
            continue;
        };
        let name = service
            .get_fullname()
            .trim_end_matches(SERVICE)
            .trim_end_matches('.')
            .to_string();
        let url = format!("https://{}", SocketAddr::new(address, service.get_port()));
        found.insert(
            service.get_fullname().to_string(),
            NearbyHub {
                name,
                url,
                fingerprint: fingerprint.to_string(),
            },
        );
    }
    let _ = daemon.stop_browse(SERVICE);
    if let Ok(done) = daemon.shutdown() {
        let _ = done.recv_timeout(Duration::from_secs(1));
    }
    Ok(found.into_values().collect())
}

/// The address to offer: IPv4 beyond this machine first, then other addresses beyond it,
/// then loopback (a hub on this very laptop). IPv6 link-local ones need an interface a
/// URL cannot carry.
fn reachable_address(addresses: &[IpAddr]) -> Option<IpAddr> {
    let usable = |address: &&IpAddr| match address {
        IpAddr::V4(_) => true,
        IpAddr::V6(v6) => !v6.is_unicast_link_local(),
    };
    let rank = |address: &IpAddr| (address.is_loopback(), address.is_ipv6());
    addresses
        .iter()
        .filter(usable)
        .min_by_key(|a| rank(a))
        .copied()
}

/// This machine's name, as the hub announces itself.
fn machine_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|name| name.trim().to_string())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "quorum-hub".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hub_is_offered_where_the_rest_of_the_room_can_reach_it() {
        let lan: IpAddr = "192.168.1.20".parse().unwrap();
        let loopback: IpAddr = "127.0.0.1".parse().unwrap();
        let global_v6: IpAddr = "fd00::2".parse().unwrap();
        let link_local: IpAddr = "fe80::1".parse().unwrap();
        assert_eq!(
            reachable_address(&[loopback, link_local, global_v6, lan]),
            Some(lan)
        );
        assert_eq!(reachable_address(&[loopback, global_v6]), Some(global_v6));
        assert_eq!(reachable_address(&[link_local, loopback]), Some(loopback));
        assert_eq!(reachable_address(&[link_local]), None);
    }
}
