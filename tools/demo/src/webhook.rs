//! What an integrator's webhook endpoint does before it trusts a request (sections 14.2 and 15):
//! the signature over the raw body, checked in constant time within five minutes, then the
//! JWE opened with the application's own private key.

use josekit::{
    jwe::{self, JweHeader, ECDH_ES_A256KW},
    jwk::Jwk,
};
use serde_json::Value;

/// Section 15's replay window.
pub const TOLERANCE_SECONDS: i64 = 300;

/// Why a request was not accepted as coming from IDaaS.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("X-IDaaS-Timestamp is missing or not a number")]
    BadTimestamp,
    #[error("X-IDaaS-Timestamp is {0} s away from now, outside the 5-minute window")]
    Stale(i64),
    #[error("X-IDaaS-Signature does not match the body")]
    BadSignature,
}

/// `v0=hex(HMAC-SHA256(webhookSecret, "v0:" + timestamp + ":" + raw body))`, compared in
/// constant time by ring, with `timestamp` as sent (never re-formatted).
pub fn verify(
    secret: &[u8],
    timestamp: &str,
    signature: &str,
    raw_body: &[u8],
    now: i64,
) -> Result<(), Refusal> {
    let sent: i64 = timestamp.parse().map_err(|_| Refusal::BadTimestamp)?;
    let skew = now.saturating_sub(sent);
    if skew.unsigned_abs() > TOLERANCE_SECONDS.unsigned_abs() {
        return Err(Refusal::Stale(skew));
    }
    let tag = signature
        .strip_prefix("v0=")
        .and_then(|hex| hex::decode(hex).ok())
        .ok_or(Refusal::BadSignature)?;
    let message = [b"v0:", timestamp.as_bytes(), b":", raw_body].concat();
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret);
    ring::hmac::verify(&key, &message, &tag).map_err(|_| Refusal::BadSignature)
}

/// An encrypted body could not be opened.
#[derive(Debug, thiserror::Error)]
#[error("the JWE body could not be decrypted with the application's key: {0}")]
pub struct OpenError(String);

/// Opens a compact JWE (`ECDH-ES+A256KW` / `A256GCM`) with the application's private JWK;
/// its protected header and plaintext.
pub fn open(compact: &str, private_jwk: &Jwk) -> Result<(Value, Vec<u8>), OpenError> {
    let decrypter = ECDH_ES_A256KW
        .decrypter_from_jwk(private_jwk)
        .map_err(|e| OpenError(e.to_string()))?;
    let (plain, header) =
        jwe::deserialize_compact(compact, &decrypter).map_err(|e| OpenError(e.to_string()))?;
    Ok((Value::Object(header.into_map()), plain))
}

/// Seals `body` to `public_jwk` as a compact JWE, as every request body of an application with
/// encryption on must be (section 14.1).
pub fn seal(body: &Value, public_jwk: &Jwk) -> Result<String, OpenError> {
    let encrypter = ECDH_ES_A256KW
        .encrypter_from_jwk(public_jwk)
        .map_err(|e| OpenError(e.to_string()))?;
    let mut header = JweHeader::new();
    header.set_content_encryption("A256GCM");
    header.set_content_type("application/json");
    jwe::serialize_compact(body.to_string().as_bytes(), &header, &encrypter)
        .map_err(|e| OpenError(e.to_string()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"whsec_demo";
    const NOW: i64 = 1_741_082_580;

    fn sign(timestamp: &str, body: &[u8]) -> String {
        let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, SECRET);
        let message = [b"v0:", timestamp.as_bytes(), b":", body].concat();
        format!("v0={}", hex::encode(ring::hmac::sign(&key, &message)))
    }

    #[test]
    fn a_fresh_signature_over_the_raw_body_verifies() {
        let body = br#"{"event":"TRANSACTION_INITIATED"}"#;
        let sig = sign("1741082580", body);
        assert_eq!(verify(SECRET, "1741082580", &sig, body, NOW), Ok(()));
        // Within the window either side.
        assert_eq!(verify(SECRET, "1741082580", &sig, body, NOW + 300), Ok(()));
        assert_eq!(verify(SECRET, "1741082580", &sig, body, NOW - 300), Ok(()));
    }

    #[test]
    fn a_changed_body_secret_or_timestamp_is_refused() {
        let body = br#"{"amount":500}"#;
        let sig = sign("1741082580", body);
        assert_eq!(
            verify(SECRET, "1741082580", &sig, br#"{"amount":900}"#, NOW),
            Err(Refusal::BadSignature)
        );
        assert_eq!(
            verify(b"another", "1741082580", &sig, body, NOW),
            Err(Refusal::BadSignature)
        );
        // The timestamp is signed: moving it into the window does not help a replay.
        assert_eq!(
            verify(SECRET, "1741082581", &sig, body, NOW),
            Err(Refusal::BadSignature)
        );
    }

    #[test]
    fn a_request_outside_the_window_is_refused_before_any_hmac() {
        let body = b"{}";
        let sig = sign("1741082580", body);
        assert_eq!(
            verify(SECRET, "1741082580", &sig, body, NOW + 301),
            Err(Refusal::Stale(301))
        );
        assert_eq!(
            verify(SECRET, "1741082580", &sig, body, NOW - 301),
            Err(Refusal::Stale(-301))
        );
        assert_eq!(
            verify(SECRET, "-9223372036854775808", &sig, body, NOW),
            Err(Refusal::Stale(i64::MAX))
        );
    }

    #[test]
    fn malformed_headers_are_refused() {
        let body = b"{}";
        let sig = sign("1741082580", body);
        assert_eq!(
            verify(SECRET, "", &sig, body, NOW),
            Err(Refusal::BadTimestamp)
        );
        assert_eq!(
            verify(SECRET, "1741082580.0", &sig, body, NOW),
            Err(Refusal::BadTimestamp)
        );
        let bare = sig.trim_start_matches("v0=");
        assert_eq!(
            verify(SECRET, "1741082580", bare, body, NOW),
            Err(Refusal::BadSignature)
        );
        assert_eq!(
            verify(SECRET, "1741082580", "v0=zz", body, NOW),
            Err(Refusal::BadSignature)
        );
        assert_eq!(
            verify(SECRET, "1741082580", "", body, NOW),
            Err(Refusal::BadSignature)
        );
    }

    #[test]
    fn a_sealed_body_opens_with_the_matching_key_only() {
        let pair = ECDH_ES_A256KW
            .generate_ec_key_pair(josekit::jwk::alg::ec::EcCurve::P256)
            .unwrap();
        let (private, public) = (pair.to_jwk_private_key(), pair.to_jwk_public_key());
        let body = serde_json::json!({"event": "TRANSACTION_COMPLETED"});
        let compact = seal(&body, &public).unwrap();
        let (header, plain) = open(&compact, &private).unwrap();
        assert_eq!(header["alg"], "ECDH-ES+A256KW");
        assert_eq!(header["enc"], "A256GCM");
        assert_eq!(serde_json::from_slice::<Value>(&plain).unwrap(), body);

        let other = ECDH_ES_A256KW
            .generate_ec_key_pair(josekit::jwk::alg::ec::EcCurve::P256)
            .unwrap()
            .to_jwk_private_key();
        assert!(open(&compact, &other).is_err());
        assert!(open("not.a.jwe", &private).is_err());
    }
}
