//! Secrets that must be recoverable (webhook signing secrets) are sealed with AES-256-GCM under
//! a platform key. The stored form names its key, so old rows still open after a rotation, and
//! the caller's AAD (e.g. the row id) stops a ciphertext from being replayed onto another row.

use aes_gcm::{
    aead::{Aead, Payload},
    Aes256Gcm, KeyInit, Nonce,
};
use base64::{engine::general_purpose::STANDARD, Engine};
use rand::RngCore;

use crate::{b64, secret::Secret};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AtRestError {
    #[error("at-rest key {0:?} must be 32 bytes")]
    KeyLength(String),
    #[error("at-rest key is not valid base64")]
    KeyEncoding,
    #[error("no at-rest key {0:?}")]
    UnknownKey(String),
    #[error("active at-rest key {0:?} is not in the keyring")]
    NoActiveKey(String),
    #[error("stored value is malformed")]
    Malformed,
    #[error("stored value could not be decrypted")]
    DecryptionFailed,
}

pub struct AtRestCipher {
    active: String,
    keys: Vec<(String, Aes256Gcm)>,
}

impl std::fmt::Debug for AtRestCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AtRestCipher(active={}, keys=***)", self.active)
    }
}

impl AtRestCipher {
    pub fn new(
        active_key_id: &str,
        keys: Vec<(String, Secret<Vec<u8>>)>,
    ) -> Result<Self, AtRestError> {
        let mut ring = Vec::with_capacity(keys.len());
        for (id, key) in keys {
            if key.expose().len() != 32 {
                return Err(AtRestError::KeyLength(id));
            }
            let cipher = Aes256Gcm::new_from_slice(key.expose())
                .map_err(|_| AtRestError::KeyLength(id.clone()))?;
            ring.push((id, cipher));
        }
        if !ring.iter().any(|(id, _)| id == active_key_id) {
            return Err(AtRestError::NoActiveKey(active_key_id.to_owned()));
        }
        Ok(Self {
            active: active_key_id.to_owned(),
            keys: ring,
        })
    }

    /// One key given as standard base64 (how it sits in settings).
    pub fn from_base64(key_id: &str, key_b64: &str) -> Result<Self, AtRestError> {
        let raw = STANDARD
            .decode(key_b64.trim())
            .map_err(|_| AtRestError::KeyEncoding)?;
        Self::new(key_id, vec![(key_id.to_owned(), Secret::new(raw))])
    }

    fn key(&self, id: &str) -> Result<&Aes256Gcm, AtRestError> {
        self.keys
            .iter()
            .find(|(k, _)| k == id)
            .map(|(_, c)| c)
            .ok_or_else(|| AtRestError::UnknownKey(id.to_owned()))
    }

    /// `v1:<key id>:<base64url(nonce || ciphertext || tag)>`
    pub fn encrypt(&self, plaintext: &[u8], aad: &[u8]) -> Result<String, AtRestError> {
        let mut nonce = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let sealed = self
            .key(&self.active)?
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: plaintext,
                    aad,
                },
            )
            .map_err(|_| AtRestError::DecryptionFailed)?;
        let mut blob = nonce.to_vec();
        blob.extend_from_slice(&sealed);
        Ok(format!("v1:{}:{}", self.active, b64::encode(&blob)))
    }

    pub fn decrypt(&self, stored: &str, aad: &[u8]) -> Result<Secret<Vec<u8>>, AtRestError> {
        let mut parts = stored.splitn(3, ':');
        let (Some("v1"), Some(key_id), Some(body)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(AtRestError::Malformed);
        };
        let blob = b64::decode(body).ok_or(AtRestError::Malformed)?;
        if blob.len() < 12 + 16 {
            return Err(AtRestError::Malformed);
        }
        let (nonce, sealed) = blob.split_at(12);
        let nonce: [u8; 12] = nonce.try_into().map_err(|_| AtRestError::Malformed)?;
        self.key(key_id)?
            .decrypt(&Nonce::from(nonce), Payload { msg: sealed, aad })
            .map(Secret::new)
            .map_err(|_| AtRestError::DecryptionFailed)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn key(b: u8) -> Secret<Vec<u8>> {
        Secret::new(vec![b; 32])
    }

    #[test]
    fn round_trip_and_aad_binding() {
        let c = AtRestCipher::new("k1", vec![("k1".into(), key(1))]).unwrap();
        let stored = c.encrypt(b"whsec", b"app-1").unwrap();
        assert!(stored.starts_with("v1:k1:"));
        assert_eq!(c.decrypt(&stored, b"app-1").unwrap().expose(), b"whsec");
        assert_eq!(
            c.decrypt(&stored, b"app-2").err(),
            Some(AtRestError::DecryptionFailed)
        );
        assert_eq!(
            c.decrypt("v1:k9:AAAA", b"").err(),
            Some(AtRestError::Malformed)
        );
        assert!(c.decrypt("garbage", b"").is_err());
    }

    #[test]
    fn rotation_keeps_old_rows_readable() {
        let old = AtRestCipher::new("k1", vec![("k1".into(), key(1))]).unwrap();
        let stored = old.encrypt(b"s", b"a").unwrap();
        let rotated =
            AtRestCipher::new("k2", vec![("k1".into(), key(1)), ("k2".into(), key(2))]).unwrap();
        assert_eq!(rotated.decrypt(&stored, b"a").unwrap().expose(), b"s");
        assert!(rotated.encrypt(b"s", b"a").unwrap().starts_with("v1:k2:"));
        let without = AtRestCipher::new("k2", vec![("k2".into(), key(2))]).unwrap();
        assert_eq!(
            without.decrypt(&stored, b"a").err(),
            Some(AtRestError::UnknownKey("k1".into()))
        );
    }

    #[test]
    fn rejects_bad_keys() {
        assert!(AtRestCipher::new("k1", vec![("k1".into(), Secret::new(vec![0; 16]))]).is_err());
        assert!(AtRestCipher::new("k2", vec![("k1".into(), key(1))]).is_err());
        assert!(AtRestCipher::from_base64("k1", "not base64!").is_err());
    }
}
