use chrono::Utc;
use idaas_crypto::{keys::EcKeyPair, secret::Secret};
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use uuid::Uuid;

use crate::{jwks::kid_of, Claims};

#[derive(Debug, thiserror::Error)]
pub enum IssueError {
    #[error("token signing key: {0}")]
    Key(String),
    #[error("token encoding: {0}")]
    Encode(#[from] jsonwebtoken::errors::Error),
}

pub struct IssuedToken {
    pub token: Secret<String>,
    pub expires_at: i64,
}

/// Signs application tokens with the platform's P-256 key.
pub struct TokenIssuer {
    key: EncodingKey,
    kid: String,
    issuer: String,
    ttl_seconds: i64,
}

impl TokenIssuer {
    pub fn new(signing: &EcKeyPair, issuer: &str, ttl_seconds: i64) -> Result<Self, IssueError> {
        let pem = signing
            .to_pkcs8_pem()
            .map_err(|e| IssueError::Key(e.to_string()))?;
        let key = EncodingKey::from_ec_pem(pem.expose().as_bytes())?;
        Ok(Self {
            key,
            kid: kid_of(&signing.public_key()),
            issuer: issuer.to_owned(),
            ttl_seconds,
        })
    }

    /// The `iss` every token of this issuer carries.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// Signs another kind of platform token (a claim attestation) with the same key and kid,
    /// so it verifies against the JWKS. Its `typ` and its claims (an `aud`, no `handle`) keep
    /// it from ever passing for an application token.
    pub fn sign<C: serde::Serialize>(
        &self,
        typ: &str,
        claims: &C,
    ) -> Result<Secret<String>, IssueError> {
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(self.kid.clone());
        header.typ = Some(typ.to_owned());
        Ok(Secret::new(encode(&header, claims, &self.key)?))
    }

    pub fn issue(&self, app_id: Uuid, handle: &str, jwe: bool) -> Result<IssuedToken, IssueError> {
        let now = Utc::now().timestamp();
        let claims = Claims {
            sub: app_id.to_string(),
            iss: self.issuer.clone(),
            iat: now,
            exp: now + self.ttl_seconds,
            jti: Uuid::new_v4().to_string(),
            handle: handle.to_owned(),
            jwe,
        };
        Ok(IssuedToken {
            token: self.sign("JWT", &claims)?,
            expires_at: claims.exp,
        })
    }
}
