//! Slows down guessing: failed enrollments and failed authentications are counted per
//! address, and an address past the limit is refused until its window ends. A brute
//! force of one-time codes (32^12 of them) is slowed to a crawl, and logged.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures an address may have within one window.
pub const MAX_FAILURES: u32 = 10;
/// The window: an address past the limit waits until it ends.
pub const WINDOW: Duration = Duration::from_secs(60);

#[derive(Default)]
pub struct Throttle {
    failures: Mutex<HashMap<IpAddr, Window>>,
}

struct Window {
    started: Instant,
    failures: u32,
}

impl Throttle {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<IpAddr, Window>> {
        self.failures
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// How long `address` must wait before it may try again, if it must.
    pub fn wait_for(&self, address: IpAddr) -> Option<Duration> {
        let now = Instant::now();
        let mut failures = self.lock();
        let window = failures.get(&address)?;
        let ends = window.started + WINDOW;
        if now >= ends {
            failures.remove(&address);
            return None;
        }
        (window.failures >= MAX_FAILURES).then(|| ends - now)
    }

    /// Counts one failure of `address`.
    pub fn failed(&self, address: IpAddr) {
        let now = Instant::now();
        let mut failures = self.lock();
        // Forget addresses whose window ended, so the map stays as small as the attack.
        failures.retain(|_, window| now < window.started + WINDOW);
        let window = failures.entry(address).or_insert(Window {
            started: now,
            failures: 0,
        });
        window.failures += 1;
        if window.failures == MAX_FAILURES {
            tracing::warn!(%address, "too many failed attempts; this address waits");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_held_back_after_ten_failures_and_others_are_not() {
        let throttle = Throttle::default();
        let guesser: IpAddr = [192, 0, 2, 7].into();
        let colleague: IpAddr = [192, 0, 2, 8].into();
        for _ in 0..MAX_FAILURES - 1 {
            throttle.failed(guesser);
        }
        assert_eq!(
            throttle.wait_for(guesser),
            None,
            "nine failures still may try"
        );
        throttle.failed(guesser);
        let wait = throttle
            .wait_for(guesser)
            .expect("the tenth failure holds it back");
        assert!(wait <= WINDOW, "for at most one window");
        assert_eq!(
            throttle.wait_for(colleague),
            None,
            "another address on the LAN is not punished for it"
        );
    }
}
