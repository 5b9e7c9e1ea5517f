//! EC P-256 key material and its JWK / PEM / X.509 forms.

use base64::{engine::general_purpose::STANDARD, Engine};
use p256::{
    elliptic_curve::sec1::ToEncodedPoint,
    pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey, LineEnding},
    PublicKey, SecretKey,
};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::{b64, secret::Secret};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("invalid PEM key: {0}")]
    Pem(String),
    #[error("invalid JWK: {0}")]
    Jwk(String),
    #[error("invalid DER key: {0}")]
    Der(String),
}

/// A P-256 key pair; the private half stays inside and leaves only as a `Secret`.
#[derive(Clone)]
pub struct EcKeyPair {
    secret: SecretKey,
}

impl std::fmt::Debug for EcKeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EcKeyPair(***)")
    }
}

/// The affine x and y, base64url. Only the identity point lacks them, and a `PublicKey` is
/// never the identity (p256 refuses to build one), so neither is ever empty.
fn coordinates(key: &PublicKey) -> (String, String) {
    let point = key.to_encoded_point(false);
    let coord = |c: Option<&p256::FieldBytes>| c.map(|b| b64::encode(b)).unwrap_or_default();
    (coord(point.x()), coord(point.y()))
}

impl EcKeyPair {
    pub fn generate() -> Self {
        Self {
            secret: SecretKey::random(&mut rand::rngs::OsRng),
        }
    }

    pub fn from_pkcs8_pem(pem: &str) -> Result<Self, KeyError> {
        SecretKey::from_pkcs8_pem(pem.trim())
            .map(|secret| Self { secret })
            .map_err(|e| KeyError::Pem(e.to_string()))
    }

    pub fn to_pkcs8_pem(&self) -> Result<Secret<String>, KeyError> {
        self.secret
            .to_pkcs8_pem(LineEnding::LF)
            .map(|pem| Secret::new(pem.to_string()))
            .map_err(|e| KeyError::Pem(e.to_string()))
    }

    pub fn secret_key(&self) -> &SecretKey {
        &self.secret
    }

    pub fn public_key(&self) -> PublicKey {
        self.secret.public_key()
    }

    pub fn public_key_pem(&self) -> Result<String, KeyError> {
        self.public_key()
            .to_public_key_pem(LineEnding::LF)
            .map_err(|e| KeyError::Pem(e.to_string()))
    }

    pub fn public_jwk(&self) -> Value {
        public_key_to_jwk(&self.public_key())
    }

    pub fn private_jwk(&self) -> Secret<Value> {
        let mut jwk = self.public_jwk();
        if let Some(obj) = jwk.as_object_mut() {
            obj.insert("d".into(), json!(b64::encode(&self.secret.to_bytes())));
        }
        Secret::new(jwk)
    }

    pub fn from_private_jwk(jwk: &Value) -> Result<Self, KeyError> {
        check_curve(jwk)?;
        let d = jwk
            .get("d")
            .and_then(Value::as_str)
            .and_then(b64::decode)
            .ok_or_else(|| KeyError::Jwk("missing or invalid d".into()))?;
        let secret = SecretKey::from_slice(&d).map_err(|e| KeyError::Jwk(e.to_string()))?;
        let pair = Self { secret };
        // The public part, when given, must belong to d.
        if jwk.get("x").is_some() && public_key_from_jwk(jwk)? != pair.public_key() {
            return Err(KeyError::Jwk("x/y do not match d".into()));
        }
        Ok(pair)
    }
}

fn check_curve(jwk: &Value) -> Result<(), KeyError> {
    if jwk.get("kty").and_then(Value::as_str) != Some("EC") {
        return Err(KeyError::Jwk("kty must be EC".into()));
    }
    if jwk.get("crv").and_then(Value::as_str) != Some("P-256") {
        return Err(KeyError::Jwk("crv must be P-256".into()));
    }
    Ok(())
}

pub fn public_key_to_jwk(key: &PublicKey) -> Value {
    let (x, y) = coordinates(key);
    json!({ "kty": "EC", "crv": "P-256", "x": x, "y": y })
}

/// Parses an EC P-256 public JWK; points not on the curve are rejected by `p256`.
pub fn public_key_from_jwk(jwk: &Value) -> Result<PublicKey, KeyError> {
    check_curve(jwk)?;
    let field = |name: &str| {
        jwk.get(name)
            .and_then(Value::as_str)
            .and_then(b64::decode)
            .filter(|b| b.len() == 32)
            .ok_or_else(|| KeyError::Jwk(format!("missing or invalid {name}")))
    };
    let (x, y) = (field("x")?, field("y")?);
    let mut sec1 = Vec::with_capacity(65);
    sec1.push(0x04);
    sec1.extend_from_slice(&x);
    sec1.extend_from_slice(&y);
    PublicKey::from_sec1_bytes(&sec1).map_err(|_| KeyError::Jwk("point is not on P-256".into()))
}

/// Standard base64 of the X.509 SubjectPublicKeyInfo DER, as `publicKeyBase64` in the guide.
pub fn public_key_spki_der_base64(key: &PublicKey) -> Result<String, KeyError> {
    key.to_public_key_der()
        .map(|der| STANDARD.encode(der.as_bytes()))
        .map_err(|e| KeyError::Der(e.to_string()))
}

pub fn public_key_from_spki_der_base64(text: &str) -> Result<PublicKey, KeyError> {
    let der = STANDARD
        .decode(text.trim())
        .map_err(|e| KeyError::Der(e.to_string()))?;
    PublicKey::from_public_key_der(&der).map_err(|e| KeyError::Der(e.to_string()))
}

/// RFC 7638 thumbprint (SHA-256, base64url), used as `kid`.
pub fn jwk_thumbprint(key: &PublicKey) -> String {
    let (x, y) = coordinates(key);
    // Required members only, lexicographic order, no whitespace (RFC 7638 §3.2).
    let canonical = format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#);
    b64::encode(&Sha256::digest(canonical.as_bytes()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn pem_jwk_and_der_round_trip() {
        let k = EcKeyPair::generate();
        let pem = k.to_pkcs8_pem().unwrap();
        let back = EcKeyPair::from_pkcs8_pem(pem.expose()).unwrap();
        assert_eq!(back.public_key(), k.public_key());
        let jwk = k.public_jwk();
        assert!(jwk.get("d").is_none());
        assert_eq!(public_key_from_jwk(&jwk).unwrap(), k.public_key());
        let private = EcKeyPair::from_private_jwk(k.private_jwk().expose()).unwrap();
        assert_eq!(private.public_key(), k.public_key());
        let der = public_key_spki_der_base64(&k.public_key()).unwrap();
        assert_eq!(
            public_key_from_spki_der_base64(&der).unwrap(),
            k.public_key()
        );
        assert!(k
            .public_key_pem()
            .unwrap()
            .starts_with("-----BEGIN PUBLIC KEY-----"));
        assert_eq!(format!("{k:?}"), "EcKeyPair(***)");
    }

    #[test]
    fn rejects_bad_jwks() {
        let mut jwk = EcKeyPair::generate().public_jwk();
        jwk["crv"] = json!("P-384");
        assert!(public_key_from_jwk(&jwk).is_err());
        let mut off_curve = EcKeyPair::generate().public_jwk();
        off_curve["y"] = off_curve["x"].clone();
        assert!(public_key_from_jwk(&off_curve).is_err());
        let other = EcKeyPair::generate();
        let mut mismatched = EcKeyPair::generate().private_jwk().expose().clone();
        mismatched["x"] = other.public_jwk()["x"].clone();
        mismatched["y"] = other.public_jwk()["y"].clone();
        assert!(EcKeyPair::from_private_jwk(&mismatched).is_err());
        assert!(EcKeyPair::from_pkcs8_pem("not a pem").is_err());
    }

    #[test]
    fn thumbprint_is_stable_and_distinct() {
        let a = EcKeyPair::generate();
        let b = EcKeyPair::generate();
        assert_eq!(
            jwk_thumbprint(&a.public_key()),
            jwk_thumbprint(&a.public_key())
        );
        assert_ne!(
            jwk_thumbprint(&a.public_key()),
            jwk_thumbprint(&b.public_key())
        );
        assert_eq!(jwk_thumbprint(&a.public_key()).len(), 43);
    }
}
