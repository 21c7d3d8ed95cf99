use std::time::Duration;

/// How long to wait before attempt number `failures` (1 after the first failure):
/// doubling from `base` up to `max`, with `jitter` in [0, 1) spreading the wait over its
/// upper half so that laptops cut off together do not all return at the same instant.
pub fn backoff_delay(failures: u32, base: Duration, max: Duration, jitter: f64) -> Duration {
    let exponent = failures.saturating_sub(1).min(16);
    let full = base.saturating_mul(1 << exponent).min(max);
    full.mul_f64(0.5 + 0.5 * jitter.clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_the_ceiling() {
        let base = Duration::from_secs(1);
        let max = Duration::from_secs(60);
        let table = [(1, 1), (2, 2), (3, 4), (6, 32), (7, 60), (100, 60)];
        for (failures, seconds) in table {
            assert_eq!(
                backoff_delay(failures, base, max, 1.0),
                Duration::from_secs(seconds),
                "after {failures} failures the longest wait is {seconds} s"
            );
        }
    }

    #[test]
    fn jitter_spreads_over_the_upper_half() {
        let base = Duration::from_secs(8);
        let max = Duration::from_secs(60);
        assert_eq!(
            backoff_delay(1, base, max, 0.0),
            Duration::from_secs(4),
            "shortest is half"
        );
        assert_eq!(
            backoff_delay(1, base, max, 0.5),
            Duration::from_secs(6),
            "middle"
        );
        assert_eq!(
            backoff_delay(1, base, max, 7.0),
            Duration::from_secs(8),
            "jitter is clamped"
        );
    }
}
