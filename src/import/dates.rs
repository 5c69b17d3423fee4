//! Dates in the shapes notes carry them, read into [`Timestamp`]s: the lenient readers'
//! `created`, `date`, `lastmod`... values, dates in file names, jrnl's entry times.
//!
//! Shapes read (FACTS.md lists where each comes from): a date alone (`2017-01-01`, midnight);
//! a date and a time with `T` or a space between, minutes, seconds and a fraction optional
//! (`2019-05-01 16:54`, `2011-05-16 09:58:57`, `2026-12-01T11:31`); then, optionally, a zone:
//! `Z`, or an offset with or without a colon, right after the time or after a space
//! (`2019-05-01 16:54-07:00`, Jekyll's `2013-05-06 02:12:52 +0200`); and a whole number of
//! seconds since 1970 (epoch seconds, from nine digits up, so that a year such as `2024` is not
//! taken for 1970). A date without a zone is read in the import's [`Zone`] and counted, so the
//! summary can say which zone was assumed.
//!
//! The shape is checked here, by hand, because no one format string covers them all; the
//! calendar (days in a month, leap years) is jiff's.

use jiff::civil::{Date, DateTime, Time};
use serde_json::Value;

use super::zone::Zone;
use crate::model::{TimeProblem, Timestamp, quote};

/// A date read: the instant, and whether it gave no zone (so one was assumed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Read {
    pub at: Timestamp,
    pub zoneless: bool,
}

/// The smallest number read as epoch seconds: 100,000,000 (March 1973). Smaller numbers are
/// years, counts or ids far more often than moments of the early 1970s.
const EPOCH_MIN: i64 = 100_000_000;

/// Texts longer than this are no date; they are not echoed whole either.
const MAX_LEN: usize = 64;

/// What a date may look like, for messages.
pub(super) const SHAPES: &str = "2017-01-01, 2019-05-01 16:54, 2013-05-06 02:12:52 +0200, 2026-11-24T09:30:00Z or epoch seconds";

/// Reads a date from a front matter value: a string of one of the shapes, or a number of
/// epoch seconds.
pub(super) fn from_value(value: &Value, zone: &Zone) -> Result<Read, String> {
    match value {
        Value::String(text) => parse(text, zone),
        Value::Number(n) => match n.as_i64() {
            Some(seconds) => epoch(seconds),
            None => Err(format!(
                "{n} is not a date (epoch seconds are whole numbers)"
            )),
        },
        other => Err(format!(
            "{} is not a date (a date looks like {SHAPES})",
            kind(other)
        )),
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "an empty value",
        Value::Bool(_) => "true or false",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a map",
    }
}

/// Reads a date written as text.
pub(super) fn parse(text: &str, zone: &Zone) -> Result<Read, String> {
    let t = text.trim();
    let fail = || {
        format!(
            "{} is not a date smartnotes reads (like {SHAPES})",
            quote(text)
        )
    };
    if t.len() > MAX_LEN || t.is_empty() {
        return Err(fail());
    }
    if t.bytes().all(|b| b.is_ascii_digit()) && t.len() >= 9 {
        return t.parse::<i64>().map_err(|_| fail()).and_then(epoch);
    }
    let mut s = Scanner {
        b: t.as_bytes(),
        i: 0,
    };
    let (date, time, offset) = s.date_time().ok_or_else(fail)?;
    if time.is_some_and(|(_, _, second, _)| second == 60) {
        return Err(format!("{} {}", quote(text), TimeProblem::LeapSecond));
    }
    let date = Date::new(date.0, date.1, date.2).map_err(|_| fail())?;
    let (h, m, sec, nanos) = time.unwrap_or((0, 0, 0, 0));
    let time = Time::new(h, m, sec, nanos).map_err(|_| fail())?;
    let civil = DateTime::from_parts(date, time);
    let read = match offset {
        Some(seconds) => {
            // The instant by arithmetic on the wall clock (chrono's calendar spans every year
            // a note may carry; jiff's instants stop a day short of 9999-12-31).
            let wall = chrono::NaiveDate::from_ymd_opt(
                i32::from(date.year()),
                date.month() as u32,
                date.day() as u32,
            )
            .and_then(|d| d.and_hms_nano_opt(h as u32, m as u32, sec as u32, nanos as u32))
            .map(|t| t.and_utc().timestamp_micros());
            let utc = wall
                .and_then(|w| w.checked_sub(seconds * 1_000_000))
                .and_then(Timestamp::from_micros);
            Read {
                at: utc.ok_or_else(fail)?,
                zoneless: false,
            }
        }
        None => Read {
            at: zone
                .resolve(civil)
                .ok_or_else(|| format!("{} {}", quote(text), TimeProblem::OutOfRange))?,
            zoneless: true,
        },
    };
    match read.at.problem() {
        Some(problem) => Err(format!("{} {problem}", quote(text))),
        None => Ok(read),
    }
}

fn epoch(seconds: i64) -> Result<Read, String> {
    let fail = || {
        format!(
            "{seconds} is not a date: epoch seconds are read from {EPOCH_MIN} (1973) to the end of 9999"
        )
    };
    if seconds < EPOCH_MIN {
        return Err(fail());
    }
    let at = seconds
        .checked_mul(1_000_000)
        .and_then(Timestamp::from_micros)
        .filter(|t| t.problem().is_none())
        .ok_or_else(fail)?;
    Ok(Read {
        at,
        zoneless: false,
    })
}

/// A date at the start of a file name: Jekyll's `2013-05-06-title` (or Obsidian's daily
/// `2023-01-15`), or a zk id of twelve or fourteen digits, `202110031652` (YYYYMMDDHHMM[SS]).
pub(super) fn from_file_name(stem: &str, zone: &Zone) -> Option<Read> {
    let b = stem.as_bytes();
    let ends_at = |n: usize, ok: fn(u8) -> bool| b.len() == n || b.get(n).copied().is_some_and(ok);
    if b.len() >= 10 && ends_at(10, |c| matches!(c, b'-' | b'_' | b' ' | b'.')) {
        let mut s = Scanner { b: &b[..10], i: 0 };
        if let Some((y, m, d)) = s.date().filter(|_| s.i == 10) {
            return local(zone, Date::new(y, m, d).ok()?, Time::midnight());
        }
    }
    for n in [14, 12] {
        let digits = b.len() >= n && b[..n].iter().all(u8::is_ascii_digit);
        if digits && ends_at(n, |c| !c.is_ascii_digit()) {
            let num = |from: usize, len: usize| stem[from..from + len].parse::<i16>().ok();
            let date = Date::new(num(0, 4)?, num(4, 2)? as i8, num(6, 2)? as i8).ok()?;
            let sec = if n == 14 { num(12, 2)? as i8 } else { 0 };
            let time = Time::new(num(8, 2)? as i8, num(10, 2)? as i8, sec, 0).ok()?;
            return local(zone, date, time);
        }
    }
    None
}

fn local(zone: &Zone, date: Date, time: Time) -> Option<Read> {
    let at = zone.resolve(DateTime::from_parts(date, time))?;
    at.problem()
        .is_none()
        .then_some(Read { at, zoneless: true })
}

/// A cursor over the bytes of a date.
struct Scanner<'a> {
    b: &'a [u8],
    i: usize,
}

type Clock = (i8, i8, i8, i32);

/// A date's year, month and day, its clock if it has one, and its offset in seconds if it has
/// one.
type Parts = ((i16, i8, i8), Option<Clock>, Option<i64>);

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        let hit = self.peek() == Some(c);
        self.i += usize::from(hit);
        hit
    }

    fn digits(&mut self, n: usize) -> Option<i32> {
        let end = self.i.checked_add(n).filter(|&e| e <= self.b.len())?;
        let part = &self.b[self.i..end];
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        self.i = end;
        part.iter()
            .try_fold(0i32, |acc, &d| Some(acc * 10 + i32::from(d - b'0')))
    }

    fn date(&mut self) -> Option<(i16, i8, i8)> {
        let y = self.digits(4)?;
        self.eat(b'-').then_some(())?;
        let m = self.digits(2)?;
        self.eat(b'-').then_some(())?;
        let d = self.digits(2)?;
        Some((y as i16, m as i8, d as i8))
    }

    /// `date [(T|space) time [space* zone]]`, and nothing after.
    fn date_time(&mut self) -> Option<Parts> {
        let date = self.date()?;
        if self.i == self.b.len() {
            return Some((date, None, None));
        }
        if !(self.eat(b'T') || self.eat(b't') || self.eat(b' ')) {
            return None;
        }
        let time = self.time()?;
        while self.eat(b' ') {}
        let offset = if self.i == self.b.len() {
            None
        } else {
            Some(self.offset()?)
        };
        (self.i == self.b.len()).then_some((date, Some(time), offset))
    }

    fn time(&mut self) -> Option<Clock> {
        let h = self.digits(2)?;
        self.eat(b':').then_some(())?;
        let m = self.digits(2)?;
        let mut s = 0;
        let mut nanos = 0;
        if self.eat(b':') {
            s = self.digits(2)?;
            if self.eat(b'.') || self.eat(b',') {
                let start = self.i;
                while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                    self.i += 1;
                }
                let frac = &self.b[start..self.i];
                if frac.is_empty() || frac.len() > 9 {
                    return None;
                }
                nanos = frac
                    .iter()
                    .chain(std::iter::repeat_n(&b'0', 9 - frac.len()))
                    .fold(0i32, |acc, &d| acc * 10 + i32::from(d - b'0'));
            }
        }
        Some((h as i8, m as i8, s as i8, nanos))
    }

    /// `Z`, `UTC`, `+hh:mm`, `+hhmm`, `+hh`: seconds east of UTC.
    fn offset(&mut self) -> Option<i64> {
        let rest = &self.b[self.i..];
        if rest.eq_ignore_ascii_case(b"z") || rest == b"UTC" || rest == b"GMT" {
            self.i = self.b.len();
            return Some(0);
        }
        let sign = match self.peek()? {
            b'+' => 1,
            b'-' => -1,
            _ => return None,
        };
        self.i += 1;
        let h = self.digits(2)?;
        let m = if self.i == self.b.len() {
            0
        } else {
            self.eat(b':');
            self.digits(2)?
        };
        (h < 24 && m < 60).then_some(sign * i64::from(h * 3600 + m * 60))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str, zone: &str) -> Result<(String, bool), String> {
        let zone: Zone = zone.parse().unwrap();
        parse(text, &zone).map(|r| (r.at.to_string(), r.zoneless))
    }

    /// Every shape of FACTS.md and issue 12, with and without a zone.
    #[test]
    fn every_shape_of_the_issue_is_read() {
        let ok = |text: &str, want: &str, zoneless: bool| {
            assert_eq!(
                at(text, "Europe/Paris"),
                Ok((want.to_owned(), zoneless)),
                "{text}"
            );
        };
        ok("2017-01-01", "2016-12-31T23:00:00Z", true);
        ok("2019-05-01 16:54", "2019-05-01T14:54:00Z", true);
        ok("2019-05-01 16:54-07:00", "2019-05-01T23:54:00Z", false);
        ok("2011-05-16 09:58:57", "2011-05-16T07:58:57Z", true);
        ok("2021-03-04T10:00:00", "2021-03-04T09:00:00Z", true);
        ok("2026-12-01T11:31", "2026-12-01T10:31:00Z", true);
        ok("2013-05-06 02:12:52 +0200", "2013-05-06T00:12:52Z", false);
        ok("2026-11-24T09:30:00Z", "2026-11-24T09:30:00Z", false);
        ok(
            "2026-11-24T09:30:00.250+01:00",
            "2026-11-24T08:30:00.250Z",
            false,
        );
        ok("2026-11-24 09:30:00 UTC", "2026-11-24T09:30:00Z", false);
        ok("2026-11-24T09:30:00+05", "2026-11-24T04:30:00Z", false);
        ok("1700000000", "2023-11-14T22:13:20Z", false);
        ok("  2017-01-01  ", "2016-12-31T23:00:00Z", true);
    }

    #[test]
    fn numbers_are_epoch_seconds_from_1973_on() {
        let zone = Zone::utc();
        let read = from_value(&Value::from(1_368_000_000), &zone).unwrap();
        assert_eq!(read.at.to_string(), "2013-05-08T08:00:00Z");
        for small in [2024, 0, -5] {
            let e = from_value(&Value::from(small), &zone).unwrap_err();
            assert!(e.contains("epoch seconds are read from"), "{e}");
        }
        let e = from_value(&Value::from(1.5), &zone).unwrap_err();
        assert!(e.contains("whole numbers"), "{e}");
        let e = from_value(&Value::from(vec![1, 2]), &zone).unwrap_err();
        assert!(e.contains("a list is not a date"), "{e}");
    }

    #[test]
    fn what_is_no_date_is_refused_with_the_shapes() {
        for bad in [
            "yesterday",
            "2017-13-01",
            "2017-02-30",
            "2017-01-01T25:00",
            "2017-01-01 10:00 +2500",
            "2017-01-01 10:00 junk",
            "17-01-01",
            "",
            "2017-01-01T",
            "2017-01-01T10:00:00.",
        ] {
            let e = at(bad, "UTC").unwrap_err();
            assert!(e.contains("is not a date smartnotes reads"), "{bad}: {e}");
        }
        let e = at("2016-12-31T23:59:60Z", "UTC").unwrap_err();
        assert!(e.contains("leap second"), "{e}");
        let e = at("0001-01-01T00:00:00+01:00", "UTC").unwrap_err();
        assert!(e.contains("out of range"), "{e}");
        let e = at("9999-12-31T23:59:59.999999-23:59", "UTC").unwrap_err();
        assert!(e.contains("out of range"), "{e}");
        assert_eq!(
            at("9999-12-31T23:59:59.999999Z", "UTC"),
            Ok(("9999-12-31T23:59:59.999999Z".to_owned(), false))
        );
        let e = at(&"9".repeat(100_000), "UTC").unwrap_err();
        assert!(e.len() < 300, "{e}");
    }

    #[test]
    fn file_names_give_jekyll_and_zk_dates() {
        let zone: Zone = "UTC".parse().unwrap();
        let date = |stem: &str| from_file_name(stem, &zone).map(|r| r.at.to_string());
        assert_eq!(
            date("2013-05-06-welcome-to-jekyll").as_deref(),
            Some("2013-05-06T00:00:00Z")
        );
        assert_eq!(date("2023-01-15").as_deref(), Some("2023-01-15T00:00:00Z"));
        assert_eq!(
            date("202110031652").as_deref(),
            Some("2021-10-03T16:52:00Z")
        );
        assert_eq!(
            date("20211003165207 title").as_deref(),
            Some("2021-10-03T16:52:07Z")
        );
        for none in [
            "2013-05-06x",
            "2013-13-06-x",
            "1234567890123",
            "notes",
            "20211303165",
        ] {
            assert_eq!(date(none), None, "{none}");
        }
    }
}
