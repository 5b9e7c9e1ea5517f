use std::{fmt, str::FromStr};

use rust_decimal::Decimal;
use serde::{Serialize, Serializer};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("amount must be a decimal number")]
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

    /// Parses the decimal text exactly, never through binary floating point.
    pub fn parse(text: &str) -> Result<Self, MoneyError> {
        let text = text.trim();
        let d = Decimal::from_str_exact(text)
            .or_else(|_| Decimal::from_scientific(text))
            .map_err(|_| MoneyError::NotANumber)?;
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
            Money::parse("1.5e3").map(|m| m.to_string()),
            Ok("1500.0000".into())
        );
    }

    #[test]
    fn enforces_bounds() {
        assert_eq!(Money::parse("0"), Err(MoneyError::NotPositive));
        assert_eq!(Money::parse("-1"), Err(MoneyError::NotPositive));
        assert_eq!(Money::parse("0.00001"), Err(MoneyError::TooPrecise));
        assert!(Money::parse("999999999999999.9999").is_ok());
        assert_eq!(
            Money::parse("1000000000000000"),
            Err(MoneyError::TooPrecise)
        );
        assert_eq!(Money::parse("abc"), Err(MoneyError::NotANumber));
        assert_eq!(
            Money::parse("1.10000").map(|m| m.to_string()),
            Ok("1.1000".into())
        );
    }
}
