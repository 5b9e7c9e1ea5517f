use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use jsonwebtoken::{decode, decode_header, jwk::JwkSet, Algorithm, DecodingKey, Validation};
use tokio::sync::{Mutex, RwLock};

use crate::{jwks::jwks_document, Claims};

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("token is malformed")]
    Malformed,
    #[error("token has expired")]
    Expired,
    #[error("token is invalid")]
    Invalid,
    #[error("signing keys unavailable: {0}")]
    KeysUnavailable(String),
}

/// An unknown `kid` triggers a refetch, but no more often than this, so garbage tokens
/// cannot turn the verifier into a JWKS request amplifier.
const MIN_REFRESH: Duration = Duration::from_secs(10);
/// Keys are fetched again at least this often, so a key removed from the JWKS (a compromise,
/// the end of a rotation's overlap) stops being trusted everywhere within this time.
const MAX_KEY_AGE: Duration = Duration::from_secs(300);
const LEEWAY_SECS: u64 = 5;
/// No token lives longer than this, whatever it claims: a leaked signing key cannot mint
/// tokens that outlast its removal by much.
const MAX_TOKEN_LIFETIME_SECS: i64 = 24 * 3600;

struct JwksSource {
    url: String,
    client: reqwest::Client,
    last_fetch: Mutex<Option<Instant>>,
    loaded_at: RwLock<Option<Instant>>,
}

/// Verifies ES256 application tokens offline against the platform JWKS.
pub struct TokenVerifier {
    issuer: String,
    keys: RwLock<HashMap<String, DecodingKey>>,
    source: Option<JwksSource>,
}

fn parse_jwks(set: &JwkSet) -> HashMap<String, DecodingKey> {
    set.keys
        .iter()
        .filter_map(|jwk| {
            let kid = jwk.common.key_id.clone()?;
            DecodingKey::from_jwk(jwk).ok().map(|k| (kid, k))
        })
        .collect()
}

impl TokenVerifier {
    /// For the process that holds the signing keys itself (identity).
    pub fn with_keys(issuer: &str, keys: &[p256::PublicKey]) -> Result<Self, VerifyError> {
        let set: JwkSet = serde_json::from_value(jwks_document(keys))
            .map_err(|e| VerifyError::KeysUnavailable(e.to_string()))?;
        Ok(Self {
            issuer: issuer.to_owned(),
            keys: RwLock::new(parse_jwks(&set)),
            source: None,
        })
    }

    /// For every other process: keys come from identity's `/.well-known/jwks.json`.
    /// Fails only if no HTTP client with a timeout can be built: never falls back to one
    /// without (a JWKS fetch that could hang every authenticated request).
    pub fn from_jwks_url(issuer: &str, url: &str) -> Result<Self, VerifyError> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .map_err(|e| VerifyError::KeysUnavailable(format!("JWKS client: {e}")))?;
        Ok(Self {
            issuer: issuer.to_owned(),
            keys: RwLock::new(HashMap::new()),
            source: Some(JwksSource {
                url: url.to_owned(),
                client,
                last_fetch: Mutex::new(None),
                loaded_at: RwLock::new(None),
            }),
        })
    }

    /// Fetches the JWKS now (start-up warm-up, or after an unknown `kid`).
    pub async fn refresh(&self) -> Result<(), VerifyError> {
        let Some(source) = &self.source else {
            return Ok(());
        };
        let mut last = source.last_fetch.lock().await;
        if last.is_some_and(|t| t.elapsed() < MIN_REFRESH) {
            return Ok(());
        }
        *last = Some(Instant::now());
        let set: JwkSet = source
            .client
            .get(&source.url)
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .map_err(|e| VerifyError::KeysUnavailable(e.to_string()))?
            .json()
            .await
            .map_err(|e| VerifyError::KeysUnavailable(e.to_string()))?;
        *self.keys.write().await = parse_jwks(&set);
        *source.loaded_at.write().await = Some(Instant::now());
        Ok(())
    }

    /// Refetches keys older than `MAX_KEY_AGE`; while identity cannot answer, the keys held
    /// keep working (logged), so an identity outage is not a platform outage.
    async fn refresh_if_stale(&self) {
        let Some(source) = &self.source else {
            return;
        };
        let stale = source
            .loaded_at
            .read()
            .await
            .is_some_and(|t| t.elapsed() > MAX_KEY_AGE);
        if stale {
            if let Err(e) = self.refresh().await {
                tracing::warn!(error = %e, "JWKS refresh failed; keeping the keys held");
            }
        }
    }

    async fn key(&self, kid: &str) -> Result<DecodingKey, VerifyError> {
        self.refresh_if_stale().await;
        if let Some(k) = self.keys.read().await.get(kid) {
            return Ok(k.clone());
        }
        self.refresh().await?;
        let keys = self.keys.read().await;
        match keys.get(kid) {
            Some(k) => Ok(k.clone()),
            // Nothing loaded yet (identity unreachable): not the caller's fault.
            None if keys.is_empty() => Err(VerifyError::KeysUnavailable(
                "no token signing keys loaded".into(),
            )),
            None => Err(VerifyError::Invalid),
        }
    }

    pub async fn verify(&self, token: &str) -> Result<Claims, VerifyError> {
        let header = decode_header(token).map_err(|_| VerifyError::Malformed)?;
        if header.alg != Algorithm::ES256 {
            return Err(VerifyError::Invalid);
        }
        // The same key signs other platform tokens (claim attestations), typed otherwise: only
        // an application token (`JWT`, or untyped) is one.
        if header.typ.as_deref().is_some_and(|t| t != "JWT") {
            return Err(VerifyError::Invalid);
        }
        let kid = header.kid.ok_or(VerifyError::Invalid)?;
        let key = self.key(&kid).await?;
        let mut validation = Validation::new(Algorithm::ES256);
        validation.set_issuer(&[&self.issuer]);
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        validation.leeway = LEEWAY_SECS;
        let claims = decode::<Claims>(token, &key, &validation)
            .map(|d| d.claims)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => VerifyError::Expired,
                _ => VerifyError::Invalid,
            })?;
        if claims.exp - claims.iat > MAX_TOKEN_LIFETIME_SECS {
            return Err(VerifyError::Invalid);
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use idaas_crypto::keys::EcKeyPair;
    use uuid::Uuid;

    use super::*;
    use crate::TokenIssuer;

    #[tokio::test]
    async fn a_token_living_longer_than_a_day_is_refused_whatever_signed_it() {
        let key = EcKeyPair::generate();
        let verifier = TokenVerifier::with_keys("idaas", &[key.public_key()])
            .unwrap_or_else(|e| panic!("{e}"));
        let token = |ttl: i64| {
            TokenIssuer::new(&key, "idaas", ttl)
                .and_then(|i| i.issue(Uuid::new_v4(), "app", false))
                .map(|t| t.token.expose().clone())
                .unwrap_or_else(|e| panic!("{e}"))
        };
        assert!(verifier.verify(&token(3600)).await.is_ok());
        assert!(verifier
            .verify(&token(MAX_TOKEN_LIFETIME_SECS))
            .await
            .is_ok());
        assert!(matches!(
            verifier.verify(&token(MAX_TOKEN_LIFETIME_SECS + 1)).await,
            Err(VerifyError::Invalid)
        ));
    }
}
