use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use jsonwebtoken::{decode, decode_header, jwk::JwkSet, Algorithm, DecodingKey, Validation};
use sha2::Digest;
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

/// Tokens verified once are remembered by their SHA-256 until they expire, so a client's
/// every request does not pay an ES256 verification on every hop. Bounded: at this many
/// entries the memory is dropped and refilled.
const VERIFIED_CAPACITY: usize = 10_000;

/// A verified token: its claims and the key that verified it (a key no longer in the JWKS
/// makes the entry void at once).
struct Verified {
    claims: Claims,
    kid: String,
}

/// Verifies ES256 application tokens offline against the platform JWKS.
pub struct TokenVerifier {
    issuer: String,
    keys: RwLock<HashMap<String, DecodingKey>>,
    source: Option<JwksSource>,
    verified: std::sync::Mutex<HashMap<[u8; 32], Verified>>,
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
            verified: std::sync::Mutex::new(HashMap::new()),
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
            verified: std::sync::Mutex::new(HashMap::new()),
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

    /// Verifies the token (signature, issuer, expiry, lifetime), or recognises one verified
    /// before: same bytes, still unexpired, its key still trusted. Revocation is not this
    /// check's business: callers check it on every request.
    pub async fn verify(&self, token: &str) -> Result<Claims, VerifyError> {
        let digest: [u8; 32] = sha2::Sha256::digest(token.as_bytes()).into();
        let now = chrono::Utc::now().timestamp();
        let remembered = self.verified.lock().ok().and_then(|m| {
            m.get(&digest)
                .filter(|v| v.claims.exp > now)
                .map(|v| (v.claims.clone(), v.kid.clone()))
        });
        if let Some((claims, kid)) = remembered {
            self.refresh_if_stale().await;
            if self.keys.read().await.contains_key(&kid) {
                return Ok(claims);
            }
        }
        let (claims, kid) = self.verify_signed(token).await?;
        if let Ok(mut m) = self.verified.lock() {
            if m.len() >= VERIFIED_CAPACITY {
                m.clear();
            }
            m.insert(
                digest,
                Verified {
                    claims: claims.clone(),
                    kid,
                },
            );
        }
        Ok(claims)
    }

    async fn verify_signed(&self, token: &str) -> Result<(Claims, String), VerifyError> {
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
        Ok((claims, kid))
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

    #[tokio::test]
    async fn a_remembered_token_is_recognised_by_its_exact_bytes_only() {
        let key = EcKeyPair::generate();
        let verifier = TokenVerifier::with_keys("idaas", &[key.public_key()])
            .unwrap_or_else(|e| panic!("{e}"));
        let token = TokenIssuer::new(&key, "idaas", 600)
            .and_then(|i| i.issue(Uuid::new_v4(), "app", false))
            .map(|t| t.token.expose().clone())
            .unwrap_or_else(|e| panic!("{e}"));
        let first = verifier.verify(&token).await.map(|c| c.jti);
        assert!(first.is_ok());
        assert_eq!(
            verifier.verify(&token).await.map(|c| c.jti).ok(),
            first.ok()
        );
        // The same claims under another signature are another token: verified, and refused.
        let (head, sig) = token.rsplit_once('.').unwrap_or_else(|| panic!("a JWT"));
        let mut forged: Vec<char> = sig.chars().collect();
        forged[3] = if forged[3] == 'A' { 'B' } else { 'A' };
        let forged = format!("{head}.{}", forged.into_iter().collect::<String>());
        assert!(verifier.verify(&forged).await.is_err());
        // Nor does a token signed by a key the verifier does not hold pass because its claims
        // match a remembered one.
        let other = EcKeyPair::generate();
        let foreign = TokenIssuer::new(&other, "idaas", 600)
            .and_then(|i| i.issue(Uuid::new_v4(), "app", false))
            .map(|t| t.token.expose().clone())
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(verifier.verify(&foreign).await.is_err());
    }
}
