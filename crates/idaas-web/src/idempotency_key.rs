//! The `Idempotency-Key` header, as every service reads it: 1–255 printable ASCII characters,
//! and the fingerprint of the request it guards (operation and exact body).

use idaas_api::ApiError;
use sha2::{Digest, Sha256};

pub const HEADER: &str = "idempotency-key";
/// On a replayed answer: `true`.
pub const REPLAYED_HEADER: &str = "Idempotency-Replayed";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey {
    pub key: String,
    /// SHA-256 of the operation and the body, hex: the same key with another request is a
    /// conflict, never a replay.
    pub request_hash: String,
}

/// The key the request carries (`None` when it carries none), or `400` naming the header.
pub fn parse(
    header: Option<&[u8]>,
    operation: &str,
    body: &[u8],
) -> Result<Option<IdempotencyKey>, ApiError> {
    let Some(raw) = header else {
        return Ok(None);
    };
    let key = std::str::from_utf8(raw)
        .ok()
        .filter(|k| {
            !k.is_empty() && k.len() <= 255 && k.bytes().all(|b| (0x20..=0x7e).contains(&b))
        })
        .ok_or_else(|| {
            ApiError::validation(vec![
                "Idempotency-Key must be 1-255 printable ASCII characters".into(),
            ])
        })?;
    let mut h = Sha256::new();
    h.update(operation.as_bytes());
    h.update([0]);
    h.update(body);
    Ok(Some(IdempotencyKey {
        key: key.to_owned(),
        request_hash: hex::encode(h.finalize()),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_printable_and_bounded_and_fingerprint_the_request() {
        assert!(matches!(parse(None, "op", b"{}"), Ok(None)));
        for bad in [&b""[..], b"\x00", "é".as_bytes(), &[b'k'; 256]] {
            assert!(parse(Some(bad), "op", b"{}").is_err());
        }
        let a = parse(Some(b"k1"), "op", b"{}").ok().flatten();
        let b = parse(Some(b"k1"), "op", b"{ }").ok().flatten();
        let c = parse(Some(b"k1"), "other", b"{}").ok().flatten();
        let hash = |k: Option<IdempotencyKey>| k.map(|k| k.request_hash).unwrap_or_default();
        let (a, b, c) = (hash(a), hash(b), hash(c));
        assert_ne!(a, b);
        assert_ne!(a, c);
    }
}
