//! The time zone that import reads a date without one in: the local zone of the machine, or
//! the one named by `--timezone ZONE`.
//!
//! Notes written by people and other tools often give a date without a zone (`2019-05-01
//! 16:54`, Obsidian's `2026-12-01T11:31`, jrnl's `[2013-06-09 15:39]`, a Jekyll file name).
//! Such a date means a moment of the writer's own clock, so import reads it in a zone and the
//! summary says which one, so that nobody is surprised by an hour's shift. jiff resolves the
//! zone (it reads the system's tz database and the `TZ` variable, and picks the earlier time
//! of a repeated hour and the later of a skipped one, as RFC 5545 does).

use std::fmt;
use std::str::FromStr;

use jiff::civil::DateTime;
use jiff::tz::{Offset, TimeZone};

use crate::model::Timestamp;

/// A time zone for dates that do not give one.
#[derive(Clone, Debug)]
pub struct Zone {
    tz: TimeZone,
    name: String,
    local: bool,
}

impl Zone {
    /// The machine's own zone (the `TZ` variable, else `/etc/localtime`); UTC when neither
    /// says.
    pub fn local() -> Zone {
        let tz = TimeZone::try_system().unwrap_or(TimeZone::UTC);
        let name = tz.iana_name().unwrap_or("UTC").to_owned();
        Zone {
            tz,
            name,
            local: true,
        }
    }

    /// UTC.
    pub fn utc() -> Zone {
        Zone {
            tz: TimeZone::UTC,
            name: "UTC".into(),
            local: false,
        }
    }

    /// Its name: an IANA name (`Europe/Paris`), `UTC`, or an offset (`+02:00`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// True for the machine's own zone (no `--timezone` given).
    pub fn is_local(&self) -> bool {
        self.local
    }

    /// The instant that the wall-clock time `at` shows in this zone.
    pub(super) fn resolve(&self, at: DateTime) -> Option<Timestamp> {
        let instant = self.tz.to_timestamp(at).ok()?;
        Timestamp::from_micros(instant.as_microsecond())
    }
}

impl PartialEq for Zone {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.local == other.local
    }
}

impl Eq for Zone {}

impl Default for Zone {
    fn default() -> Self {
        Zone::local()
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.local {
            write!(f, "the local time zone ({})", self.name)
        } else {
            write!(f, "{}", self.name)
        }
    }
}

impl FromStr for Zone {
    type Err = String;

    /// An IANA name (`Europe/Paris`, `America/New_York`), `UTC`, `local`, or a fixed offset
    /// (`+02:00`, `-0700`).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("local") {
            return Ok(Zone::local());
        }
        if let Some(seconds) = fixed_offset(text) {
            let offset = Offset::from_seconds(seconds).map_err(|e| e.to_string())?;
            return Ok(Zone {
                tz: TimeZone::fixed(offset),
                name: text.to_owned(),
                local: false,
            });
        }
        let tz = TimeZone::get(text).map_err(|_| {
            format!(
                "unknown time zone {}: give an IANA name (Europe/Paris, America/New_York), UTC, local, or an offset (+02:00)",
                crate::model::quote(text)
            )
        })?;
        Ok(Zone {
            tz,
            name: text.to_owned(),
            local: false,
        })
    }
}

/// `+02:00`, `-0700`, `+05` as seconds east of UTC.
fn fixed_offset(text: &str) -> Option<i32> {
    let sign = match text.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digits: String = text[1..].chars().filter(|&c| c != ':').collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) || !matches!(digits.len(), 2 | 4) {
        return None;
    }
    let hours: i32 = digits[..2].parse().ok()?;
    let minutes: i32 = digits.get(2..).map_or(Some(0), |m| m.parse().ok())?;
    (hours <= 25 && minutes < 60).then_some(sign * (hours * 3600 + minutes * 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_by_name_offset_and_utc() {
        let paris: Zone = "Europe/Paris".parse().unwrap();
        let winter = jiff::civil::date(2026, 1, 15).at(12, 0, 0, 0);
        assert_eq!(
            paris.resolve(winter).unwrap().to_string(),
            "2026-01-15T11:00:00Z"
        );
        let summer = jiff::civil::date(2026, 7, 15).at(12, 0, 0, 0);
        assert_eq!(
            paris.resolve(summer).unwrap().to_string(),
            "2026-07-15T10:00:00Z"
        );
        let fixed: Zone = "-07:00".parse().unwrap();
        assert_eq!(
            fixed.resolve(winter).unwrap().to_string(),
            "2026-01-15T19:00:00Z"
        );
        assert_eq!("UTC".parse::<Zone>().unwrap().name(), "UTC");
        let e = "Mars/Olympus".parse::<Zone>().unwrap_err();
        assert!(e.contains("unknown time zone \"Mars/Olympus\""), "{e}");
    }

    #[test]
    fn a_skipped_hour_reads_as_the_later_time_and_a_repeated_one_as_the_earlier() {
        let ny: Zone = "America/New_York".parse().unwrap();
        let gap = jiff::civil::date(2024, 3, 10).at(2, 30, 0, 0);
        assert_eq!(ny.resolve(gap).unwrap().to_string(), "2024-03-10T07:30:00Z");
        let fold = jiff::civil::date(2024, 11, 3).at(1, 30, 0, 0);
        assert_eq!(
            ny.resolve(fold).unwrap().to_string(),
            "2024-11-03T05:30:00Z"
        );
    }
}
