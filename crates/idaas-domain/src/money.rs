use std::{fmt, str::FromStr};

use rust_decimal::Decimal;
use serde::{Serialize, Serializer};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("amount must be a plain decimal number such as 1500 or 1500.25 (digits, at most one '.', no sign, exponent, spaces or separators)")]
    NotANumber,
    #[error("amount must be greater than zero")]
    NotPositive,
    #[error("amount allows at most 15 integer digits and 4 decimal places")]
    TooPrecise,
}

/// A positive amount with at most 15 integer and 4 fractional digits (`NUMERIC(19,4)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(Decimal);

impl Money {
    pub const SCALE: u32 = 4;
    pub const MAX_INTEGER_DIGITS: u32 = 15;

    /// Parses the decimal text exactly, never through binary floating point. Only
    /// `^[0-9]{1,15}(\.[0-9]{1,4})?$` is an amount: anything a lenient parser would reinterpret
    /// (exponents, `_`, whitespace, signs, `NaN`, hex) is refused, not repaired.
    pub fn parse(text: &str) -> Result<Self, MoneyError> {
        let (int, frac) = match text.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (text, None),
        };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(int) || frac.is_some_and(|f| !digits(f)) {
            return Err(MoneyError::NotANumber);
        }
        if int.len() > Self::MAX_INTEGER_DIGITS as usize
            || frac.is_some_and(|f| f.len() > Self::SCALE as usize)
        {
            return Err(MoneyError::TooPrecise);
        }
        let d = Decimal::from_str_exact(text).map_err(|_| MoneyError::NotANumber)?;
        Self::from_decimal(d)
    }

    pub fn from_decimal(d: Decimal) -> Result<Self, MoneyError> {
        if d <= Decimal::ZERO {
            return Err(MoneyError::NotPositive);
        }
        let normalized = d.normalize();
        if normalized.scale() > Self::SCALE {
            return Err(MoneyError::TooPrecise);
        }
        let limit = Decimal::from(10_i64.pow(Self::MAX_INTEGER_DIGITS));
        if normalized.trunc() >= limit {
            return Err(MoneyError::TooPrecise);
        }
        let mut fixed = normalized;
        fixed.rescale(Self::SCALE);
        Ok(Self(fixed))
    }

    pub fn amount(&self) -> Decimal {
        self.0
    }
}

impl FromStr for Money {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// Rendered with exactly four decimals, as the guide shows (`1500.0000`).
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.4}", self.0)
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_exactly_and_renders_four_decimals() {
        let m = Money::parse("0.1").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(m.to_string(), "0.1000");
        let three = m.amount() + m.amount() + m.amount();
        assert_eq!(three, Decimal::from_str_exact("0.3").unwrap_or_default());
        assert_eq!(
            Money::parse("1500").map(|m| m.to_string()),
            Ok("1500.0000".into())
        );
        assert_eq!(
            Money::parse("0001.5").map(|m| m.to_string()),
            Ok("1.5000".into())
        );
    }

    #[test]
    fn refuses_what_a_lenient_parser_would_reinterpret() {
        for text in [
            "0.99999999999999999999999999999e0",
            "1.5e3",
            "1E2",
            "1_000",
            " 1",
            "1 ",
            "\t1",
            "+1",
            "-1",
            "NaN",
            "nan",
            "Infinity",
            "-Infinity",
            "0x10",
            "1,000",
            ".5",
            "5.",
            "1..2",
            "1.2.3",
            "",
            "١٢",
            "１",
        ] {
            assert!(Money::parse(text).is_err(), "{text:?} must be refused");
        }
    }

    #[test]
    fn enforces_bounds() {
        assert_eq!(Money::parse("0"), Err(MoneyError::NotPositive));
        assert_eq!(Money::parse("0.0000"), Err(MoneyError::NotPositive));
        assert_eq!(Money::parse("-1"), Err(MoneyError::NotANumber));
        assert_eq!(Money::parse("0.00001"), Err(MoneyError::TooPrecise));
        assert!(Money::parse("999999999999999.9999").is_ok());
        assert_eq!(
            Money::parse("1000000000000000"),
            Err(MoneyError::TooPrecise)
        );
        assert_eq!(Money::parse("abc"), Err(MoneyError::NotANumber));
        assert_eq!(Money::parse("1.10000"), Err(MoneyError::TooPrecise));
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn every_well_formed_amount_round_trips(int in "[0-9]{1,15}", frac in proptest::option::of("[0-9]{1,4}")) {
            let text = match &frac { Some(f) => format!("{int}.{f}"), None => int.clone() };
            let exact = Decimal::from_str_exact(&text).unwrap_or_default();
            match Money::parse(&text) {
                Ok(m) => {
                    prop_assert_eq!(m.amount(), exact);
                    prop_assert_eq!(m.amount().scale(), Money::SCALE);
                }
                Err(e) => prop_assert!(exact.is_zero() && e == MoneyError::NotPositive),
            }
        }

        #[test]
        fn anything_else_is_refused(text in "\\PC{0,24}") {
            let well_formed = {
                let (i, f) = text.split_once('.').map_or((text.as_str(), None), |(i, f)| (i, Some(f)));
                let d = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
                d(i) && i.len() <= 15 && f.is_none_or(|f| d(f) && f.len() <= 4)
            };
            if !well_formed {
                prop_assert!(Money::parse(&text).is_err());
            }
        }

        #[test]
        fn numbers_with_exponents_or_signs_are_refused(m in 1u32..1000, e in -5i32..5) {
            for text in [format!("{m}e{e}"), format!("-{m}"), format!("+{m}")] {
                prop_assert!(Money::parse(&text).is_err(), "{}", text);
            }
        }
    }
}
