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

/// The `amount` field of a request: a JSON number or a string holding one, parsed strictly.
/// Errors name the field, ready for the envelope's `errors`.
pub fn amount_field(raw: Option<&RawValue>) -> Result<crate::Money, String> {
    let raw = raw
        .filter(|r| r.get().trim() != "null")
        .ok_or_else(|| "amount is required".to_owned())?;
    let text = raw_decimal_text(raw).ok_or_else(|| {
        "amount must be a JSON number or a string holding one (booleans, arrays and objects are not amounts)"
            .to_owned()
    })?;
    crate::Money::parse(&text).map_err(|e| e.to_string())
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

    #[test]
    fn amount_fields_are_strict_and_name_the_field() {
        let raw = |s: &str| serde_json::from_str::<Box<RawValue>>(s).ok();
        let amount = |s: &str| amount_field(raw(s).as_deref()).map(|m| m.to_string());
        assert_eq!(amount("1500.25"), Ok("1500.2500".into()));
        assert_eq!(amount("\"1500\""), Ok("1500.0000".into()));
        for bad in [
            "1e3",
            "\"1e3\"",
            "\"1_000\"",
            "\" 1\"",
            "-5",
            "\"NaN\"",
            "\"0x10\"",
            "true",
            "[1]",
            "{\"v\":1}",
            "0",
            "\"\"",
            "1.00001",
        ] {
            let e = amount(bad).err().unwrap_or_default();
            assert!(e.starts_with("amount "), "{bad}: {e:?}");
        }
        assert_eq!(amount("null"), Err("amount is required".into()));
        assert_eq!(amount_field(None).err(), Some("amount is required".into()));
    }
}
