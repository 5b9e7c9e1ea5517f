use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

use crate::{AppHandle, HandleError, LocalTag};

/// The globally unique address of a tag: `localTag@appHandle`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct QualifiedAddress {
    pub tag: LocalTag,
    pub app: AppHandle,
}

impl QualifiedAddress {
    pub fn new(tag: LocalTag, app: AppHandle) -> Self {
        Self { tag, app }
    }
}

impl fmt::Display for QualifiedAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.tag, self.app)
    }
}

impl FromStr for QualifiedAddress {
    type Err = HandleError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.split_once('@') {
            Some((tag, app)) => Ok(Self {
                tag: LocalTag::parse(tag)?,
                app: AppHandle::parse(app)?,
            }),
            None => Err(HandleError::Charset {
                field: "qualifiedAddress",
            }),
        }
    }
}

impl TryFrom<String> for QualifiedAddress {
    type Error = HandleError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<QualifiedAddress> for String {
    fn from(v: QualifiedAddress) -> String {
        v.to_string()
    }
}

/// What a caller may send to name a tag: a bare local name or a qualified address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagAddress {
    Bare(LocalTag),
    Qualified(QualifiedAddress),
}

impl FromStr for TagAddress {
    type Err = HandleError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.contains('@') {
            Ok(Self::Qualified(s.parse()?))
        } else {
            Ok(Self::Bare(LocalTag::parse(s)?))
        }
    }
}

impl fmt::Display for TagAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Bare(t) => t.fmt(f),
            Self::Qualified(q) => q.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_renders_qualified() {
        let q: QualifiedAddress = "alice@walletapp".parse().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(q.tag.as_str(), "alice");
        assert_eq!(q.app.as_str(), "walletapp");
        assert_eq!(q.to_string(), "alice@walletapp");
    }

    #[test]
    fn rejects_malformed_qualified() {
        for bad in [
            "alice@",
            "@walletapp",
            "al@walletapp",
            "alice@wa",
            "a@b@c",
            "alice@Wallet",
        ] {
            assert!(bad.parse::<QualifiedAddress>().is_err(), "{bad}");
        }
    }

    #[test]
    fn tag_address_distinguishes_forms() {
        assert!(matches!(
            "alice".parse::<TagAddress>(),
            Ok(TagAddress::Bare(_))
        ));
        assert!(matches!(
            "alice@shopapp".parse::<TagAddress>(),
            Ok(TagAddress::Qualified(_))
        ));
        assert!("ALICE".parse::<TagAddress>().is_err());
    }
}
