//! Scalars of the API beyond GraphQL's own.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::NaiveDate;

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
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
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

#[cfg(test)]
mod tests {
    use super::*;

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
