//! Dates as people type them on the command line (`--since`, `--until`, `add --date`), turned
//! into the instants a [`Query`](super::Query) compares: the one place they are parsed.
//!
//! A [`DateSpec`] is a day (`2026-11-24`, and the words `today`, `yesterday`, `tomorrow`,
//! `monday`, `last monday`), an instant (RFC 3339, or `2026-11-24 08:00`), or an age (`7d`,
//! `2w`, `12h`, `2 weeks`, `3 days ago`). A day is read in a time zone given when it is
//! resolved (the user's, or UTC): `--since 2026-11-24` starts at that day's midnight where
//! the user is. Words go through `parse_datetime`, the grammar of GNU `date -d` as uutils
//! implements it, so what `date -d "last monday"` understands, smartnotes understands too.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use chrono::{NaiveDate, TimeDelta};
use jiff::Zoned;
use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;

use super::query::QueryError;
use crate::model::Timestamp;

/// A date as given on the command line: a day, an instant, an age, or words resolved against
/// the time of the command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DateSpec {
    /// A whole day: `2026-11-24`.
    Day(NaiveDate),
    /// An instant: `2026-11-24T08:00:00+01:00`.
    Instant(Timestamp),
    /// So long before now: `7d`, `2w`, `12h`, `2 weeks`.
    Ago(Duration),
    /// Words, resolved when the query is made: `yesterday`, `last monday`, `3 days ago`,
    /// `2026-11-24 08:00`. Checked when parsed, so resolving them cannot fail.
    Words(String),
}

/// What a [`DateSpec`] stands for once `now` and the zone are known.
enum Resolved {
    Day(NaiveDate),
    Instant(Timestamp),
}

impl FromStr for DateSpec {
    type Err = QueryError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let error = || QueryError::Date {
            text: text.to_owned(),
        };
        if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            return Ok(DateSpec::Day(day));
        }
        if let Ok(instant) = text.parse::<Timestamp>() {
            return Ok(DateSpec::Instant(instant));
        }
        // `7d`, `2w`, `2 weeks`: an age. (`date -d "2 weeks"` means two weeks from now,
        // which as a --since would match nothing: an age without `ago` is still an age.)
        if text.starts_with(|c: char| c.is_ascii_digit())
            && let Ok(age) = humantime::parse_duration(text)
        {
            return Ok(DateSpec::Ago(age));
        }
        // A lone number is a year to `date -d` but far more likely a typo here.
        if text.is_empty() || text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(error());
        }
        let words = DateSpec::Words(text.to_owned());
        // Checked now, against the present, so that a later resolution cannot fail.
        match words.resolve(Timestamp::now(), &TimeZone::UTC) {
            Some(_) => Ok(words),
            None => Err(error()),
        }
    }
}

impl DateSpec {
    /// The first instant this date covers in UTC: the start of a day. See
    /// [`DateSpec::start_in`] for a day in another time zone.
    pub fn start(&self, now: Timestamp) -> Timestamp {
        self.start_in(now, &TimeZone::UTC)
    }

    /// The last instant this date covers in UTC: `--until 2026-11-24` includes the whole day.
    pub fn end(&self, now: Timestamp) -> Timestamp {
        self.end_in(now, &TimeZone::UTC)
    }

    /// The first instant this date covers, a day being the day in `zone`.
    pub fn start_in(&self, now: Timestamp, zone: &TimeZone) -> Timestamp {
        match self.resolve(now, zone) {
            Some(Resolved::Day(day)) => day_start(day, zone),
            Some(Resolved::Instant(t)) => t,
            None => now,
        }
    }

    /// The last instant this date covers, a day being the day in `zone` (to its last
    /// microsecond).
    pub fn end_in(&self, now: Timestamp, zone: &TimeZone) -> Timestamp {
        match self.resolve(now, zone) {
            Some(Resolved::Day(day)) => match day.succ_opt() {
                Some(next) => Timestamp::from(
                    day_start(next, zone).as_datetime() - TimeDelta::microseconds(1),
                ),
                None => Timestamp::MAX,
            },
            Some(Resolved::Instant(t)) => t,
            None => now,
        }
    }

    /// A day, or an instant; `None` only for words that do not parse (which `from_str` never
    /// lets through).
    fn resolve(&self, now: Timestamp, zone: &TimeZone) -> Option<Resolved> {
        match self {
            DateSpec::Day(day) => Some(Resolved::Day(*day)),
            DateSpec::Instant(t) => Some(Resolved::Instant(*t)),
            DateSpec::Ago(age) => Some(Resolved::Instant(ago(now, *age))),
            DateSpec::Words(text) => words(text, now, zone),
        }
    }
}

/// `today`, `yesterday` and `tomorrow` are days; other words are a day when they set the
/// time to midnight themselves (`monday`, `last monday`, `2026-11-24`: `date -d` does so for
/// a weekday or a date without a time), and an instant otherwise (`3 days ago`, `last week`).
fn words(text: &str, now: Timestamp, zone: &TimeZone) -> Option<Resolved> {
    let now = jiff::Timestamp::from_microsecond(now.as_micros())
        .ok()?
        .to_zoned(zone.clone());
    let offset = match text.to_ascii_lowercase().as_str() {
        "today" => Some(0),
        "yesterday" => Some(-1),
        "tomorrow" => Some(1),
        _ => None,
    };
    if let Some(days) = offset {
        return naive(now.date().checked_add(jiff::Span::new().days(days)).ok()?)
            .map(Resolved::Day);
    }
    let parsed = parse_at(&now, text)?;
    // The same words at noon of the same day: a result at midnight means the words named
    // a day, not a time relative to now.
    let noon = now
        .with()
        .time(Time::constant(12, 0, 0, 500_000_000))
        .build()
        .ok()?;
    let at_noon = parse_at(&noon, text)?;
    let explicit_time = text.contains(':');
    if at_noon.time() == Time::midnight() && !explicit_time {
        return naive(parsed.date()).map(Resolved::Day);
    }
    let micros = parsed.timestamp().as_microsecond();
    Timestamp::from_micros(micros).map(Resolved::Instant)
}

fn parse_at(base: &Zoned, text: &str) -> Option<Zoned> {
    match parse_datetime::parse_datetime_at_date(base.clone(), text).ok()? {
        parse_datetime::ParsedDateTime::InRange(zoned) => Some(zoned),
        _ => None,
    }
}

fn naive(date: Date) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(
        i32::from(date.year()),
        u32::try_from(date.month()).ok()?,
        u32::try_from(date.day()).ok()?,
    )
}

/// The first instant of `day` in `zone` (the first that exists, on a day that starts with a
/// daylight-saving gap).
fn day_start(day: NaiveDate, zone: &TimeZone) -> Timestamp {
    let utc_midnight = || Timestamp::from(day.and_time(chrono::NaiveTime::MIN).and_utc());
    let Ok(civil) = jiff::civil::Date::new(
        i16::try_from(chrono::Datelike::year(&day)).unwrap_or(i16::MAX),
        i8::try_from(chrono::Datelike::month(&day)).unwrap_or(1),
        i8::try_from(chrono::Datelike::day(&day)).unwrap_or(1),
    ) else {
        return utc_midnight();
    };
    match civil.to_zoned(zone.clone()) {
        Ok(start) => {
            Timestamp::from_micros(start.timestamp().as_microsecond()).unwrap_or_else(utc_midnight)
        }
        Err(_) => utc_midnight(),
    }
}

fn ago(now: Timestamp, age: Duration) -> Timestamp {
    let age = TimeDelta::from_std(age).unwrap_or(TimeDelta::MAX);
    now.as_datetime()
        .checked_sub_signed(age)
        .map(Timestamp::from)
        .unwrap_or_else(|| Timestamp::from(chrono::DateTime::<chrono::Utc>::MIN_UTC))
}

impl fmt::Display for DateSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DateSpec::Day(day) => write!(f, "{day}"),
            DateSpec::Instant(t) => write!(f, "{t}"),
            DateSpec::Ago(age) => write!(f, "{} ago", humantime::format_duration(*age)),
            DateSpec::Words(text) => f.write_str(text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn dates_parse_as_days_instants_and_ages() {
        let now = at("2026-11-24T12:00:00Z");
        let day: DateSpec = "2026-11-20".parse().unwrap();
        assert_eq!(day.start(now).to_string(), "2026-11-20T00:00:00Z");
        assert_eq!(day.end(now).to_string(), "2026-11-20T23:59:59.999999Z");
        let instant: DateSpec = "2026-11-20T08:00:00+01:00".parse().unwrap();
        assert_eq!(instant.start(now).to_string(), "2026-11-20T07:00:00Z");
        let week: DateSpec = "1w".parse().unwrap();
        assert_eq!(week.start(now).to_string(), "2026-11-17T12:00:00Z");
        let days: DateSpec = "7d".parse().unwrap();
        assert_eq!(days.start(now), week.start(now));
        for bad in [
            "2026-13-01",
            "",
            "-3d",
            "7 parsecs",
            "2026",
            "next blursday",
        ] {
            assert!(bad.parse::<DateSpec>().is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn words_people_type_are_days_or_instants() {
        // A Tuesday.
        let now = at("2026-11-24T15:30:00Z");
        let utc = TimeZone::UTC;
        let range = |text: &str| {
            let spec: DateSpec = text.parse().unwrap();
            (
                spec.start_in(now, &utc).to_string(),
                spec.end_in(now, &utc).to_string(),
            )
        };
        let whole = |day: &str| {
            (
                format!("{day}T00:00:00Z"),
                format!("{day}T23:59:59.999999Z"),
            )
        };
        assert_eq!(range("yesterday"), whole("2026-11-23"));
        assert_eq!(range("Today"), whole("2026-11-24"));
        assert_eq!(range("last monday"), whole("2026-11-23"));
        assert_eq!(
            range("monday"),
            whole("2026-11-30"),
            "date -d: the next one"
        );
        let instant = |text: &str, want: &str| {
            assert_eq!(range(text), (want.to_owned(), want.to_owned()), "{text}");
        };
        instant("3 days ago", "2026-11-21T15:30:00Z");
        instant("2 weeks", "2026-11-10T15:30:00Z");
        instant("2 weeks ago", "2026-11-10T15:30:00Z");
        instant("1 hour ago", "2026-11-24T14:30:00Z");
        instant("2026-11-20 08:00", "2026-11-20T08:00:00Z");
    }

    #[test]
    fn a_bare_day_is_the_day_in_the_zone_given() {
        let now = at("2026-11-24T12:00:00Z");
        let tokyo = TimeZone::get("Asia/Tokyo").unwrap();
        let day: DateSpec = "2026-11-20".parse().unwrap();
        assert_eq!(
            day.start_in(now, &tokyo).to_string(),
            "2026-11-19T15:00:00Z"
        );
        assert_eq!(
            day.end_in(now, &tokyo).to_string(),
            "2026-11-20T14:59:59.999999Z"
        );
        // At 23:00 UTC it is already the 25th in Tokyo: "yesterday" is the 24th there.
        let late = at("2026-11-24T23:00:00Z");
        let yesterday: DateSpec = "yesterday".parse().unwrap();
        assert_eq!(
            yesterday.start_in(late, &tokyo).to_string(),
            "2026-11-23T15:00:00Z"
        );
    }
}
