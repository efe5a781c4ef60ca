//! Scalars of the API beyond GraphQL's own.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::{Datelike, NaiveDate, Utc};

/// A calendar date without a time or zone, as ISO 8601 writes it: `YYYY-MM-DD`
/// (e.g. `2021-08-31`, the as-of date of a T2 follow-up). Anything else — another
/// format, a day that does not exist such as `2021-02-30` — is refused with
/// `BAD_USER_INPUT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub NaiveDate);

/// A calendar date, ISO 8601 `YYYY-MM-DD` (e.g. `2021-08-31`); no time, no zone.
#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .ok()
                .filter(|d| d.format("%Y-%m-%d").to_string() == *s)
                .map(Date)
                .ok_or_else(|| {
                    InputValueError::custom(format!(
                        "{s:?} is not a date: write it as YYYY-MM-DD, e.g. 2021-08-31"
                    ))
                }),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn is_valid(value: &Value) -> bool {
        matches!(value, Value::String(s)
            if NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok_and(|d| d.format("%Y-%m-%d").to_string() == *s))
    }

    fn to_value(&self) -> Value {
        Value::String(iso_day(self.0))
    }
}

/// `date` as `%Y-%m-%d` writes it, without parsing the pattern for every date (a large
/// dashboard writes hundreds): digits by hand for the years 0–9999, else `%Y-%m-%d`.
fn iso_day(date: NaiveDate) -> String {
    let year = date.year();
    if !(0..=9999).contains(&year) {
        return date.format("%Y-%m-%d").to_string();
    }
    let digit = |n: u32| char::from(b'0' + (n % 10) as u8);
    let year = year.unsigned_abs();
    let (month, day) = (date.month(), date.day());
    [
        digit(year / 1000),
        digit(year / 100),
        digit(year / 10),
        digit(year),
        '-',
        digit(month / 10),
        digit(month),
        '-',
        digit(day / 10),
        digit(day),
    ]
    .into_iter()
    .collect()
}

impl From<NaiveDate> for Date {
    fn from(date: NaiveDate) -> Self {
        Date(date)
    }
}

impl From<Date> for NaiveDate {
    fn from(date: Date) -> Self {
        date.0
    }
}

/// An instant, as RFC 3339 writes it in UTC with nanoseconds where there are any
/// (e.g. `2026-11-30T13:46:55.611501824+00:00`). Output only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime(pub chrono::DateTime<Utc>);

/// An instant in UTC, RFC 3339 (e.g. `2026-11-30T13:46:55.611501824+00:00`).
#[Scalar(name = "DateTime")]
impl ScalarType for DateTime {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => chrono::DateTime::parse_from_rfc3339(s)
                .map(|d| DateTime(d.with_timezone(&Utc)))
                .map_err(|_| {
                    InputValueError::custom(format!(
                        "{s:?} is not an RFC 3339 instant, e.g. 2026-11-30T13:46:55Z"
                    ))
                }),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_rfc3339())
    }
}

impl From<chrono::DateTime<Utc>> for DateTime {
    fn from(instant: chrono::DateTime<Utc>) -> Self {
        DateTime(instant)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_written_as_the_iso_pattern_writes_them() {
        let mut day = NaiveDate::from_ymd_opt(-3, 12, 25).unwrap();
        let last = NaiveDate::from_ymd_opt(10_002, 1, 1).unwrap();
        while day <= last {
            assert_eq!(iso_day(day), day.format("%Y-%m-%d").to_string(), "{day:?}");
            day += chrono::Duration::days(13);
        }
        let first = NaiveDate::from_ymd_opt(0, 1, 1).unwrap();
        assert_eq!(iso_day(first), "0000-01-01");
        assert_eq!(Date(first).to_value(), Value::String("0000-01-01".into()));
    }

    #[test]
    fn dates_are_iso_8601_days_that_exist() {
        let ok = Date::parse(Value::String("2021-08-31".into()));
        assert_eq!(
            ok.ok().map(|d| d.0.to_string()).as_deref(),
            Some("2021-08-31")
        );
        for bad in ["2021-13-45", "2021-02-30", "31/8 2021", "2021-8-31", ""] {
            assert!(Date::parse(Value::String(bad.into())).is_err(), "{bad}");
            assert!(!Date::is_valid(&Value::String(bad.into())), "{bad}");
        }
    }
}
