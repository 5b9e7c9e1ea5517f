//! Webhook signature `v0` (section 15 of the guide):
//! `v0=hex(HMAC-SHA256(secret, "v0:" + timestamp + ":" + raw_body))`.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

type HmacSha256 = Hmac<Sha256>;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("signature header is malformed")]
    Malformed,
    #[error("timestamp outside the tolerance window")]
    Expired,
    #[error("no signature matches")]
    Invalid,
}

fn mac(secret: &[u8], timestamp: i64, body: &[u8]) -> Vec<u8> {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut m = <HmacSha256 as Mac>::new_from_slice(secret).unwrap_or_else(|_| unreachable_hmac());
    m.update(b"v0:");
    m.update(timestamp.to_string().as_bytes());
    m.update(b":");
    m.update(body);
    m.finalize().into_bytes().to_vec()
}

#[allow(clippy::panic)]
fn unreachable_hmac() -> HmacSha256 {
    panic!("HMAC-SHA256 accepts keys of every length")
}

/// The Standard Webhooks signature (`webhook-signature`), for receivers that verify with a
/// Standard Webhooks library: `v1,` + base64(HMAC-SHA256(secret, id + "." + timestamp + "." +
/// body)). We key it with the raw webhook secret, the same one `v0` uses.
pub fn sign_standard(secret: &[u8], id: &str, timestamp: i64, body: &[u8]) -> String {
    use base64::Engine;
    let mut m = <HmacSha256 as Mac>::new_from_slice(secret).unwrap_or_else(|_| unreachable_hmac());
    m.update(id.as_bytes());
    m.update(b".");
    m.update(timestamp.to_string().as_bytes());
    m.update(b".");
    m.update(body);
    let tag = m.finalize().into_bytes();
    format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(tag)
    )
}

/// The header value for one secret.
pub fn sign_v0(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    format!("v0={}", hex::encode(mac(secret, timestamp, body)))
}

/// Verifies a header that may carry several space-separated `v0=` signatures (rotation),
/// against several candidate secrets, in constant time per comparison.
pub fn verify_v0(
    secrets: &[&[u8]],
    timestamp: i64,
    body: &[u8],
    header: &str,
    now: i64,
    tolerance_secs: i64,
) -> Result<(), SignatureError> {
    if (now - timestamp).abs() > tolerance_secs {
        return Err(SignatureError::Expired);
    }
    let mut candidates = Vec::new();
    for part in header.split_whitespace() {
        let hex_sig = part.strip_prefix("v0=").ok_or(SignatureError::Malformed)?;
        candidates.push(hex::decode(hex_sig).map_err(|_| SignatureError::Malformed)?);
    }
    if candidates.is_empty() {
        return Err(SignatureError::Malformed);
    }
    let matched = secrets.iter().any(|secret| {
        let expected = mac(secret, timestamp, body);
        candidates
            .iter()
            .any(|c| bool::from(expected.as_slice().ct_eq(c.as_slice())))
    });
    if matched {
        Ok(())
    } else {
        Err(SignatureError::Invalid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // python3 -c 'import hmac,hashlib;print(hmac.new(b"whsec",b"v0:1741082580:{\"a\":1}",hashlib.sha256).hexdigest())'
    const KNOWN: &str = "v0=f6bacc94ffd92a95ebc1140b4095666350f22dfbb8a67418ba06ebc3f29184df";

    // python3 -c 'import hmac,hashlib,base64;print(base64.b64encode(hmac.new(b"whsec",b"msg_1.1741082580.{\"a\":1}",hashlib.sha256).digest()).decode())'
    #[test]
    fn standard_webhooks_signature_matches_an_independent_hmac() {
        assert_eq!(
            sign_standard(b"whsec", "msg_1", 1_741_082_580, br#"{"a":1}"#),
            "v1,6HZj5r6hCTn0/JPKJEvbiYHCQeFUvadHQeDGz7ADeIM="
        );
    }

    #[test]
    fn round_trips_and_rejects_tampering() {
        let sig = sign_v0(b"whsec", 100, b"{}");
        assert!(verify_v0(&[b"whsec"], 100, b"{}", &sig, 120, 300).is_ok());
        assert_eq!(
            verify_v0(&[b"whsec"], 100, b"{ }", &sig, 120, 300),
            Err(SignatureError::Invalid)
        );
        assert_eq!(
            verify_v0(&[b"other"], 100, b"{}", &sig, 120, 300),
            Err(SignatureError::Invalid)
        );
        assert_eq!(
            verify_v0(&[b"whsec"], 100, b"{}", &sig, 1000, 300),
            Err(SignatureError::Expired)
        );
        assert_eq!(
            verify_v0(&[b"whsec"], 100, b"{}", "v1=zz", 100, 300),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify_v0(&[b"whsec"], 100, b"{}", "", 100, 300),
            Err(SignatureError::Malformed)
        );
    }

    #[test]
    fn accepts_any_of_several_signatures_and_secrets() {
        let old = sign_v0(b"old", 5, b"x");
        let new = sign_v0(b"new", 5, b"x");
        let header = format!("{old} {new}");
        assert!(verify_v0(&[b"new"], 5, b"x", &header, 5, 300).is_ok());
        assert!(verify_v0(&[b"gone", b"old"], 5, b"x", &old, 5, 300).is_ok());
    }

    #[test]
    fn matches_known_answer() {
        assert_eq!(sign_v0(b"whsec", 1741082580, b"{\"a\":1}"), KNOWN);
    }
}
