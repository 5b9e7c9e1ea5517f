//! Client secrets are 256 random bits, so a fast hash is enough: brute force over 2^256 is not
//! made easier by SHA-256 being fast, and a slow password hash would only add latency to every
//! token request. Comparison is constant-time.

use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::{b64, secret::Secret};

const PREFIX: &str = "sha256:";

/// 32 random bytes, base64url without padding (43 characters).
pub fn generate_secret() -> Secret<String> {
    let mut raw = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut raw);
    Secret::new(b64::encode(&raw))
}

pub fn hash_secret(secret: &str) -> String {
    format!("{PREFIX}{}", hex::encode(Sha256::digest(secret.as_bytes())))
}

pub fn verify_secret(secret: &str, stored: &str) -> bool {
    let Some(hex_digest) = stored.strip_prefix(PREFIX) else {
        return false;
    };
    let Ok(expected) = hex::decode(hex_digest) else {
        return false;
    };
    let actual = Sha256::digest(secret.as_bytes());
    actual[..].ct_eq(&expected).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ() {
        let s = generate_secret();
        assert_eq!(s.expose().len(), 43);
        let h = hash_secret(s.expose());
        assert!(h.starts_with("sha256:"));
        assert!(verify_secret(s.expose(), &h));
        assert!(!verify_secret("wrong", &h));
        assert!(!verify_secret(s.expose(), "md5:abc"));
        assert!(!verify_secret(s.expose(), "sha256:zz"));
        assert_ne!(generate_secret().expose(), s.expose());
    }
}
