//! The committee's clock: times typed and shown in the committee's zone, which the hub
//! sets, whatever zone this laptop is set to.

use chrono::{DateTime, Utc};

use crate::{Laptop, Result};

impl Laptop {
    /// The IANA name of the zone the committee's times are read and written in.
    pub fn time_zone(&self) -> Result<String> {
        self.with_store(|store| store.time_zone())
    }

    /// The instant a member means by `date` (dd/mm/yyyy) and `time` (HH:MM, 24-hour) on
    /// the committee's clock.
    pub fn committee_time(&self, date: &str, time: &str) -> Result<DateTime<Utc>> {
        let zone = self.time_zone()?;
        Ok(quorum_core::from_committee_time(date, time, &zone)?)
    }
}
