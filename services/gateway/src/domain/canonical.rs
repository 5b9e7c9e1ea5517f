//! The one canonical form of a request path. Everything the gateway decides (the route, whether
//! a token is needed, the rate-limit bucket) and the URL it sends to a backend come from it, so
//! no later decoder or HTTP client can see a different path than the one that was checked.
//!
//! A path is decoded exactly once. Any segment that could mean something else to another parser
//! is refused rather than repaired: dot segments in any spelling, encoded separators, backslashes,
//! `;` parameters, empty segments, leftover `%` (double encoding), and every character outside
//! RFC 3986's `pchar` set. What survives needs no escaping, so it is forwarded byte for byte.

use std::fmt;

/// The longest raw path accepted; real paths are far shorter.
const MAX_RAW_LEN: usize = 2048;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    #[error("path is not under /api/v1")]
    OutsideApi,
    #[error("path is too long")]
    TooLong,
    #[error("path has an empty segment")]
    EmptySegment,
    #[error("path has a '.' or '..' segment")]
    DotSegment,
    #[error("path has an encoded '/' or '\\' or a backslash")]
    Separator,
    #[error("path has a ';' parameter")]
    Parameter,
    #[error("path has a malformed or double percent-encoding")]
    Encoding,
    #[error("path has a character that is not allowed")]
    Character,
}

/// A validated path under `/v1`, without the public `/api` prefix (e.g. `/v1/tags/alice`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CanonicalPath {
    segments: Vec<String>,
    text: String,
}

impl CanonicalPath {
    /// Parses the raw request path, as received (`/api/v1/...`, still percent-encoded).
    pub fn parse(raw: &str) -> Result<Self, PathError> {
        if raw.len() > MAX_RAW_LEN {
            return Err(PathError::TooLong);
        }
        let rest = raw.strip_prefix("/api/").ok_or(PathError::OutsideApi)?;
        let segments = rest
            .split('/')
            .map(decode_segment)
            .collect::<Result<Vec<_>, _>>()?;
        if segments.first().map(String::as_str) != Some("v1") {
            return Err(PathError::OutsideApi);
        }
        let text = format!("/{}", segments.join("/"));
        Ok(Self { segments, text })
    }

    pub fn segments(&self) -> impl Iterator<Item = &str> {
        self.segments.iter().map(String::as_str)
    }

    /// `/v1/...`: safe to append to a backend's base URL as it is.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for CanonicalPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// RFC 3986 `pchar` without `;` (a parameter to some servers) and `%` (handled by decoding).
fn allowed(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            '-' | '.'
                | '_'
                | '~'
                | '!'
                | '$'
                | '&'
                | '\''
                | '('
                | ')'
                | '*'
                | '+'
                | ','
                | '='
                | ':'
                | '@'
        )
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

fn percent_decode(raw: &str) -> Result<Vec<u8>, PathError> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hi = bytes.get(i + 1).copied().and_then(hex);
            let lo = bytes.get(i + 2).copied().and_then(hex);
            match (hi, lo) {
                (Some(h), Some(l)) => out.push(h << 4 | l),
                _ => return Err(PathError::Encoding),
            }
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Ok(out)
}

fn decode_segment(raw: &str) -> Result<String, PathError> {
    if raw.is_empty() {
        return Err(PathError::EmptySegment);
    }
    if raw.contains('\\') {
        return Err(PathError::Separator);
    }
    let decoded = String::from_utf8(percent_decode(raw)?).map_err(|_| PathError::Encoding)?;
    if decoded == "." || decoded == ".." {
        return Err(PathError::DotSegment);
    }
    for c in decoded.chars() {
        match c {
            '/' | '\\' => return Err(PathError::Separator),
            ';' => return Err(PathError::Parameter),
            // A '%' left after one decoding was encoded twice: another decoder would see more.
            '%' => return Err(PathError::Encoding),
            c if !allowed(c) => return Err(PathError::Character),
            _ => {}
        }
    }
    Ok(decoded)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(raw: &str) -> String {
        match CanonicalPath::parse(raw) {
            Ok(p) => p.as_str().to_owned(),
            Err(e) => panic!("{raw}: {e}"),
        }
    }

    #[test]
    fn plain_paths_are_kept() {
        assert_eq!(
            ok("/api/v1/tags/alice@walletapp"),
            "/v1/tags/alice@walletapp"
        );
        assert_eq!(
            ok("/api/v1/tags/alice%40walletapp"),
            "/v1/tags/alice@walletapp"
        );
        assert_eq!(ok("/api/v1/wallet/statement"), "/v1/wallet/statement");
        assert_eq!(ok("/api/v1/tags/a.b"), "/v1/tags/a.b");
        assert_eq!(ok("/api/v1/tags/..."), "/v1/tags/...");
        assert_eq!(
            ok("/api/v1/settlement/date/2025-03-04"),
            "/v1/settlement/date/2025-03-04"
        );
    }

    #[test]
    fn every_spelling_of_a_trick_is_refused() {
        use PathError::*;
        let cases: &[(&str, PathError)] = &[
            ("/api/v1/wallet/../../internal/v1/postings", DotSegment),
            (
                "/api/v1/wallet/%2e%2e/%2e%2e/internal/v1/postings",
                DotSegment,
            ),
            (
                "/api/v1/wallet/%2E%2E/%2E%2E/internal/v1/postings",
                DotSegment,
            ),
            ("/api/v1/wallet/.%2e/.%2e/internal/v1/postings", DotSegment),
            ("/api/v1/wallet/%2e./internal", DotSegment),
            ("/api/v1/wallet/%2E%2e/internal", DotSegment),
            ("/api/v1/wallet/./statement", DotSegment),
            ("/api/v1/wallet/%2e/statement", DotSegment),
            ("/api/v1/wallet/%252e%252e/internal", Encoding),
            ("/api/v1/wallet/%25/internal", Encoding),
            ("/api/v1/wallet/%2f..%2finternal", Separator),
            ("/api/v1/wallet/%2F", Separator),
            ("/api/v1/wallet/%5c..%5cinternal", Separator),
            ("/api/v1/wallet/%5C", Separator),
            ("/api/v1/wallet\\..\\internal", Separator),
            ("/api/v1/wallet/..\\internal", Separator),
            ("/api/v1/wallet;x=1/statement", Parameter),
            ("/api/v1/wallet/%3b", Parameter),
            ("/api/v1//wallet", EmptySegment),
            ("/api//v1/wallet", EmptySegment),
            ("/api/v1/wallet/", EmptySegment),
            ("/api/v1/wallet/%zz", Encoding),
            ("/api/v1/wallet/%2", Encoding),
            ("/api/v1/wallet/%c0%ae%c0%ae", Encoding),
            ("/api/v1/wallet/%ef%bc%8e%ef%bc%8e", Character),
            ("/api/v1/wallet/%00", Character),
            ("/api/v1/wallet/a%20b", Character),
            ("/api/v1/wallet/%0d%0aX:1", Character),
            ("/api/internal/v1/postings", OutsideApi),
            ("/api/%2e%2e/internal/v1/postings", DotSegment),
            ("/internal/v1/postings", OutsideApi),
            ("/api/v2/tags", OutsideApi),
            ("/api", OutsideApi),
            ("/apiv1/tags", OutsideApi),
        ];
        for (raw, want) in cases {
            assert_eq!(
                CanonicalPath::parse(raw).as_ref().err(),
                Some(want),
                "{raw}"
            );
        }
        assert_eq!(
            CanonicalPath::parse(&format!("/api/v1/{}", "a".repeat(3000))),
            Err(TooLong)
        );
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    /// Segments built from the characters that matter to path parsers, raw or escaped.
    fn segment() -> impl Strategy<Value = String> {
        let atom = prop_oneof![
            Just(".".to_owned()),
            Just("..".to_owned()),
            Just("%2e".to_owned()),
            Just("%2E".to_owned()),
            Just("%252e".to_owned()),
            Just("%2f".to_owned()),
            Just("%5c".to_owned()),
            Just("\\".to_owned()),
            Just(";".to_owned()),
            Just("%3b".to_owned()),
            Just("%".to_owned()),
            Just("%25".to_owned()),
            Just("internal".to_owned()),
            Just("v1".to_owned()),
            "[a-z0-9@_-]{1,4}",
        ];
        prop::collection::vec(atom, 0..4).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        #[test]
        fn accepted_paths_stay_in_v1_without_dot_segments(
            segs in prop::collection::vec(segment(), 0..6)
        ) {
            let raw = format!("/api/v1/{}", segs.join("/"));
            if let Ok(p) = CanonicalPath::parse(&raw) {
                let parts: Vec<&str> = p.segments().collect();
                prop_assert_eq!(parts.first().copied(), Some("v1"));
                for s in &parts {
                    prop_assert!(*s != "." && *s != ".." && !s.is_empty());
                    prop_assert!(!s.contains(['/', '\\', '%', ';']));
                }
                // What is forwarded parses back to itself: nothing is left to decode.
                let again = CanonicalPath::parse(&format!("/api{}", p.as_str()));
                prop_assert_eq!(again, Ok(p.clone()));
                // And a URL library that removes dot segments leaves it unchanged.
                let url = url::Url::parse(&format!("http://backend{}", p.as_str()));
                prop_assert!(url.is_ok());
                if let Ok(url) = url {
                    prop_assert_eq!(url.path(), p.as_str());
                }
            }
        }
    }
}
