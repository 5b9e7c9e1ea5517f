use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HandleError {
    #[error("{field} must be {min}-{max} characters")]
    Length {
        field: &'static str,
        min: usize,
        max: usize,
    },
    #[error("{field} may contain only lowercase letters, digits and hyphens")]
    Charset { field: &'static str },
    #[error("{field} must not start or end with a hyphen")]
    EdgeHyphen { field: &'static str },
}

/// Shared rule of the guide for both slugs: lowercase alphanumerics and hyphens, no edge hyphen.
fn check_slug(field: &'static str, s: &str, min: usize, max: usize) -> Result<(), HandleError> {
    let len = s.chars().count();
    if len < min || len > max {
        return Err(HandleError::Length { field, min, max });
    }
    if !s
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(HandleError::Charset { field });
    }
    if s.starts_with('-') || s.ends_with('-') {
        return Err(HandleError::EdgeHyphen { field });
    }
    Ok(())
}

macro_rules! slug_type {
    ($(#[$doc:meta])* $name:ident, $field:literal, $min:literal, $max:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn parse(s: &str) -> Result<Self, HandleError> {
                check_slug($field, s, $min, $max)?;
                Ok(Self(s.to_owned()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = HandleError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                check_slug($field, &s, $min, $max)?;
                Ok(Self(s))
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

slug_type!(
    /// An application's immutable namespace slug (`walletapp`): 3–30 characters.
    AppHandle, "appHandle", 3, 30
);
slug_type!(
    /// A tag's local part (`alice`): 3–64 characters.
    LocalTag, "tag", 3, 64
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_valid_slugs() {
        assert!(AppHandle::parse("walletapp").is_ok());
        assert!(AppHandle::parse("shop-app-2").is_ok());
        assert!(LocalTag::parse("abc").is_ok());
        assert!(LocalTag::parse(&"a".repeat(64)).is_ok());
    }

    #[test]
    fn rejects_bad_lengths() {
        assert!(matches!(
            AppHandle::parse("ab"),
            Err(HandleError::Length { .. })
        ));
        assert!(AppHandle::parse(&"a".repeat(31)).is_err());
        assert!(LocalTag::parse(&"a".repeat(65)).is_err());
        assert!(LocalTag::parse("").is_err());
    }

    #[test]
    fn rejects_bad_characters_and_edges() {
        assert!(matches!(
            LocalTag::parse("Alice"),
            Err(HandleError::Charset { .. })
        ));
        assert!(LocalTag::parse("al_ice").is_err());
        assert!(LocalTag::parse("al ice").is_err());
        assert!(LocalTag::parse("alicé").is_err());
        assert!(matches!(
            LocalTag::parse("-alice"),
            Err(HandleError::EdgeHyphen { .. })
        ));
        assert!(LocalTag::parse("alice-").is_err());
    }

    #[test]
    fn deserializes_only_valid_values() {
        let ok: Result<LocalTag, _> = serde_json::from_str("\"bob\"");
        assert!(ok.is_ok());
        let bad: Result<LocalTag, _> = serde_json::from_str("\"B\"");
        assert!(bad.is_err());
    }
}
