//! Times as a committee reads and writes them: dd/mm/yyyy and 24-hour, on the clock of
//! the committee's time zone (set on the hub), whatever zone the laptop is set to.

use chrono::{DateTime, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

/// The zone of a committee that was given none: Vietnam keeps UTC+7 all year.
pub const DEFAULT_TIME_ZONE: &str = "Asia/Ho_Chi_Minh";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommitteeTimeError {
    #[error("{0} is not a time zone of the IANA database (such as Asia/Ho_Chi_Minh)")]
    UnknownZone(String),
    #[error("{0:?} is not a date written dd/mm/yyyy")]
    BadDate(String),
    #[error("{0:?} is not a time written HH:MM on a 24-hour clock")]
    BadTime(String),
    #[error("{date} {time} does not exist in {zone}: the clocks skip it")]
    Skipped {
        date: String,
        time: String,
        zone: String,
    },
}

/// The zone named `name`, checked against the time zone database.
pub fn committee_zone(name: &str) -> Result<Tz, CommitteeTimeError> {
    name.parse::<Tz>()
        .map_err(|_| CommitteeTimeError::UnknownZone(name.to_string()))
}

/// The instant a member means by `date` (dd/mm/yyyy; `/`, `.` or `-` between the parts)
/// and `time` (HH:MM, 24-hour; `8:30`, `08.30` and `8h30` too) on the clock of `zone`.
/// At a time the clocks pass twice (a zone leaving summer time), the first one.
pub fn from_committee_time(
    date: &str,
    time: &str,
    zone: &str,
) -> Result<DateTime<Utc>, CommitteeTimeError> {
    let tz = committee_zone(zone)?;
    let local = NaiveDateTime::new(parse_date(date)?, parse_time(time)?);
    match tz.from_local_datetime(&local) {
        LocalResult::Single(at) | LocalResult::Ambiguous(at, _) => Ok(at.with_timezone(&Utc)),
        LocalResult::None => Err(CommitteeTimeError::Skipped {
            date: date.trim().to_string(),
            time: time.trim().to_string(),
            zone: zone.to_string(),
        }),
    }
}

fn parse_date(date: &str) -> Result<NaiveDate, CommitteeTimeError> {
    let bad = || CommitteeTimeError::BadDate(date.to_string());
    let parts: Vec<&str> = date.trim().split(['/', '.', '-']).collect();
    let [day, month, year] = parts.as_slice() else {
        return Err(bad());
    };
    if year.len() != 4 || day.is_empty() || day.len() > 2 || month.is_empty() || month.len() > 2 {
        return Err(bad());
    }
    let number = |part: &str| part.parse::<u32>().map_err(|_| bad());
    let year = i32::try_from(number(year)?).map_err(|_| bad())?;
    NaiveDate::from_ymd_opt(year, number(month)?, number(day)?).ok_or_else(bad)
}

fn parse_time(time: &str) -> Result<NaiveTime, CommitteeTimeError> {
    let bad = || CommitteeTimeError::BadTime(time.to_string());
    let trimmed = time.trim();
    let (hours, minutes) = trimmed.split_once([':', '.', 'h', 'H']).ok_or_else(bad)?;
    if hours.is_empty() || hours.len() > 2 || minutes.len() != 2 {
        return Err(bad());
    }
    let number = |part: &str| part.parse::<u32>().map_err(|_| bad());
    NaiveTime::from_hms_opt(number(hours)?, number(minutes)?, 0).ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn a_vietnamese_date_and_time_mean_that_hour_in_hanoi_whatever_the_laptop_says() {
        assert_eq!(
            from_committee_time("15/12/2026", "08:30", DEFAULT_TIME_ZONE),
            Ok(utc("2026-12-15T01:30:00Z"))
        );
        for (date, time) in [
            ("5/1/2027", "7:05"),
            ("05.01.2027", "07h05"),
            ("05-01-2027", " 07.05 "),
        ] {
            assert_eq!(
                from_committee_time(date, time, DEFAULT_TIME_ZONE),
                Ok(utc("2027-01-05T00:05:00Z")),
                "{date} {time}"
            );
        }
        assert_eq!(
            from_committee_time("31/12/2026", "23:59", "Europe/Paris"),
            Ok(utc("2026-12-31T22:59:00Z")),
            "another committee's zone"
        );
    }

    #[test]
    fn month_first_twelve_hour_and_impossible_dates_are_refused() {
        for date in [
            "12/31/2026",
            "31/02/2026",
            "2026-12-15",
            "15/12/26",
            "15/12",
            "",
            "mười lăm",
        ] {
            assert_eq!(
                from_committee_time(date, "08:30", DEFAULT_TIME_ZONE),
                Err(CommitteeTimeError::BadDate(date.to_string())),
                "{date:?}"
            );
        }
        for time in ["8:30 PM", "24:00", "08:60", "0830", "8:5", ""] {
            assert_eq!(
                from_committee_time("15/12/2026", time, DEFAULT_TIME_ZONE),
                Err(CommitteeTimeError::BadTime(time.to_string())),
                "{time:?}"
            );
        }
    }

    #[test]
    fn zones_are_checked_and_a_skipped_hour_is_named() {
        assert_eq!(
            from_committee_time("15/12/2026", "08:30", "Asia/Saigon_City"),
            Err(CommitteeTimeError::UnknownZone("Asia/Saigon_City".into()))
        );
        assert!(committee_zone("Asia/Ho_Chi_Minh").is_ok());
        assert!(matches!(
            from_committee_time("29/03/2026", "02:30", "Europe/Paris"),
            Err(CommitteeTimeError::Skipped { .. })
        ));
        assert_eq!(
            from_committee_time("25/10/2026", "02:30", "Europe/Paris"),
            Ok(utc("2026-10-25T00:30:00Z")),
            "a time passed twice is the first one"
        );
    }
}
