//! Amounts cross JSON as numbers with exactly four decimals (`1500.0000`), as the guide shows,
//! and are read back from the exact text of the number, never through `f64`.

use rust_decimal::Decimal;
use serde::{ser::Error as _, Serialize, Serializer};
use serde_json::value::RawValue;

/// `#[serde(serialize_with = "idaas_domain::decimal_json::four_places")]`
pub fn four_places<S: Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    let raw = RawValue::from_string(format!("{d:.4}")).map_err(S::Error::custom)?;
    raw.serialize(s)
}

/// The decimal text of a JSON number or of a JSON string holding one; `None` for other JSON.
pub fn raw_decimal_text(raw: &RawValue) -> Option<String> {
    let text = raw.get().trim();
    if let Some(inner) = text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        return Some(inner.to_owned());
    }
    let first = text.chars().next()?;
    (first == '-' || first.is_ascii_digit()).then(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Wrap {
        #[serde(serialize_with = "four_places")]
        amount: Decimal,
    }

    #[test]
    fn writes_numbers_with_four_places() {
        let w = Wrap {
            amount: Decimal::new(15, 1),
        };
        assert_eq!(
            serde_json::to_string(&w).unwrap_or_default(),
            r#"{"amount":1.5000}"#
        );
    }

    #[test]
    fn reads_numbers_and_strings_exactly() {
        let raw = |s: &str| serde_json::from_str::<Box<RawValue>>(s).ok();
        assert_eq!(
            raw("0.1").as_deref().and_then(raw_decimal_text).as_deref(),
            Some("0.1")
        );
        assert_eq!(
            raw("\"12.34\"")
                .as_deref()
                .and_then(raw_decimal_text)
                .as_deref(),
            Some("12.34")
        );
        assert_eq!(
            raw("1e2").as_deref().and_then(raw_decimal_text).as_deref(),
            Some("1e2")
        );
        assert_eq!(raw("true").as_deref().and_then(raw_decimal_text), None);
        assert_eq!(raw("null").as_deref().and_then(raw_decimal_text), None);
    }
}
