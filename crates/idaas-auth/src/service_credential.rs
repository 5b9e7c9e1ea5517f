//! Service credentials: how one service proves to another that a call on an internal route is
//! its own, and that the request was not changed on the way.
//!
//! The caller signs a short-lived ES256 JWT with its own key (never the platform token key)
//! and sends it in `X-IDaaS-Service-Credential`. The credential names the caller (`iss`), the
//! called service (`aud`), the method (`htm`), the path and query (`htu`) and the SHA-256 of
//! the body (`bh`). The called service accepts it only with a key configured for that caller,
//! only for a route that lists that caller, and only for exactly that request. A tenant's token
//! can never pass: it is signed by another key, has no `aud`, and travels in another header.

use std::collections::HashMap;

use chrono::Utc;
use idaas_crypto::keys::{jwk_thumbprint, EcKeyPair};
use jsonwebtoken::{
    decode, decode_header, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation,
};
use p256::pkcs8::DecodePublicKey;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

pub const SERVICE_CREDENTIAL_HEADER: &str = "x-idaas-service-credential";
const TYP: &str = "idaas-service+jwt";
/// No credential may live longer than this, whatever a signer asks for.
pub const MAX_CREDENTIAL_TTL_SECS: i64 = 60;
const LEEWAY_SECS: i64 = 5;

/// Services are named as in `[services.*]`; settings keys use `_` where names use `-` (an
/// environment variable cannot hold a `-`).
pub fn settings_key(service: &str) -> String {
    service.replace('-', "_")
}

fn body_hash(body: &[u8]) -> String {
    idaas_crypto::b64_url(&Sha256::digest(body))
}

#[derive(Debug, Serialize, Deserialize)]
struct ServiceClaims {
    iss: String,
    aud: String,
    iat: i64,
    exp: i64,
    jti: String,
    htm: String,
    htu: String,
    bh: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ServiceAuthError {
    #[error("no service credential")]
    Missing,
    #[error("service credential is invalid: {0}")]
    Invalid(&'static str),
    #[error("service credential does not cover this request: {0}")]
    Mismatch(&'static str),
    #[error("service {caller:?} may not call {method} {path}")]
    NotAllowed {
        caller: String,
        method: String,
        path: String,
    },
    #[error("service credential key: {0}")]
    Key(String),
}

/// Signs this service's calls to internal routes.
pub struct ServiceSigner {
    service: String,
    key: EncodingKey,
    kid: String,
    ttl_secs: i64,
}

impl std::fmt::Debug for ServiceSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ServiceSigner({}, kid={}, key=***)",
            self.service, self.kid
        )
    }
}

impl ServiceSigner {
    pub fn new(service: &str, key: &EcKeyPair, ttl_secs: i64) -> Result<Self, ServiceAuthError> {
        let pem = key
            .to_pkcs8_pem()
            .map_err(|e| ServiceAuthError::Key(e.to_string()))?;
        let encoding = EncodingKey::from_ec_pem(pem.expose().as_bytes())
            .map_err(|e| ServiceAuthError::Key(e.to_string()))?;
        Ok(Self {
            service: service.to_owned(),
            key: encoding,
            kid: jwk_thumbprint(&key.public_key()),
            ttl_secs: ttl_secs.clamp(1, MAX_CREDENTIAL_TTL_SECS),
        })
    }

    /// A credential for one request: `path_and_query` exactly as it will be sent.
    pub fn credential(
        &self,
        audience: &str,
        method: &str,
        path_and_query: &str,
        body: &[u8],
    ) -> Result<String, ServiceAuthError> {
        let now = Utc::now().timestamp();
        let claims = ServiceClaims {
            iss: self.service.clone(),
            aud: audience.to_owned(),
            iat: now,
            exp: now + self.ttl_secs,
            jti: Uuid::new_v4().to_string(),
            htm: method.to_ascii_uppercase(),
            htu: path_and_query.to_owned(),
            bh: body_hash(body),
        };
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(self.kid.clone());
        header.typ = Some(TYP.to_owned());
        encode(&header, &claims, &self.key).map_err(|e| ServiceAuthError::Key(e.to_string()))
    }
}

/// One internal route and the services allowed to call it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InternalRoute {
    pub method: String,
    pub path: String,
    pub callers: Vec<String>,
}

/// Checks the credentials on this service's internal routes.
pub struct ServiceVerifier {
    service: String,
    /// Key id (RFC 7638 thumbprint) → the service it belongs to and its key.
    keys: HashMap<String, (String, DecodingKey)>,
    routes: Vec<InternalRoute>,
}

/// Every PEM public key in `text` (a service may list its next key beside its current one).
fn public_keys(text: &str) -> Result<Vec<p256::PublicKey>, ServiceAuthError> {
    const END: &str = "-----END PUBLIC KEY-----";
    text.split_inclusive(END)
        .map(str::trim)
        .filter(|block| block.contains(END))
        .map(|block| {
            p256::PublicKey::from_public_key_pem(block)
                .map_err(|e| ServiceAuthError::Key(e.to_string()))
        })
        .collect()
}

impl ServiceVerifier {
    /// `public_keys`: service name → its PEM public key(s); `routes`: this service's internal
    /// routes with their allowed callers.
    pub fn new<'a>(
        service: &str,
        peers: impl IntoIterator<Item = (&'a str, &'a str)>,
        routes: Vec<InternalRoute>,
    ) -> Result<Self, ServiceAuthError> {
        let mut keys = HashMap::new();
        for (peer, pem) in peers {
            for key in public_keys(pem)? {
                let jwk = idaas_crypto::keys::public_key_to_jwk(&key);
                let set: jsonwebtoken::jwk::Jwk = serde_json::from_value(jwk)
                    .map_err(|e| ServiceAuthError::Key(e.to_string()))?;
                let decoding = DecodingKey::from_jwk(&set)
                    .map_err(|e| ServiceAuthError::Key(e.to_string()))?;
                let owner = settings_key(peer);
                match keys.get(&jwk_thumbprint(&key)) {
                    // One key under two names would make its owner, and so its rights, a coin toss.
                    Some((other, _)) if *other != owner => {
                        return Err(ServiceAuthError::Key(format!(
                            "the same public key is configured for {other} and {owner}"
                        )))
                    }
                    _ => {
                        keys.insert(jwk_thumbprint(&key), (owner, decoding));
                    }
                }
            }
        }
        Ok(Self {
            service: service.to_owned(),
            keys,
            routes,
        })
    }

    fn route_for(&self, method: &str, path: &str) -> Option<&InternalRoute> {
        self.routes
            .iter()
            .find(|r| r.method.eq_ignore_ascii_case(method) && r.path == path)
    }

    /// The calling service, if `credential` covers exactly this request and that service may
    /// call this route. `path` is the request path, `path_and_query` what the caller signed.
    pub fn verify(
        &self,
        credential: Option<&str>,
        method: &str,
        path: &str,
        path_and_query: &str,
        body: &[u8],
    ) -> Result<String, ServiceAuthError> {
        let token = credential.map(str::trim).filter(|t| !t.is_empty());
        let token = token.ok_or(ServiceAuthError::Missing)?;
        let header = decode_header(token).map_err(|_| ServiceAuthError::Invalid("malformed"))?;
        if header.alg != Algorithm::ES256 || header.typ.as_deref() != Some(TYP) {
            return Err(ServiceAuthError::Invalid("wrong algorithm or type"));
        }
        let kid = header.kid.ok_or(ServiceAuthError::Invalid("no key id"))?;
        let (owner, key) = self
            .keys
            .get(&kid)
            .ok_or(ServiceAuthError::Invalid("unknown key"))?;
        let mut validation = Validation::new(Algorithm::ES256);
        validation.set_audience(&[&self.service]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud"]);
        validation.leeway = LEEWAY_SECS as u64;
        let claims = decode::<ServiceClaims>(token, key, &validation)
            .map_err(|_| ServiceAuthError::Invalid("signature, audience or expiry"))?
            .claims;
        let now = Utc::now().timestamp();
        if &settings_key(&claims.iss) != owner {
            return Err(ServiceAuthError::Invalid("issuer does not own the key"));
        }
        if claims.exp - claims.iat > MAX_CREDENTIAL_TTL_SECS || claims.iat > now + LEEWAY_SECS {
            return Err(ServiceAuthError::Invalid("lifetime"));
        }
        if !claims.htm.eq_ignore_ascii_case(method) {
            return Err(ServiceAuthError::Mismatch("method"));
        }
        if claims.htu != path_and_query {
            return Err(ServiceAuthError::Mismatch("path"));
        }
        if claims.bh != body_hash(body) {
            return Err(ServiceAuthError::Mismatch("body"));
        }
        let allowed = self
            .route_for(method, path)
            .is_some_and(|r| r.callers.iter().any(|c| settings_key(c) == *owner));
        if !allowed {
            return Err(ServiceAuthError::NotAllowed {
                caller: claims.iss,
                method: method.to_owned(),
                path: path.to_owned(),
            });
        }
        Ok(claims.iss)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    struct World {
        tx: ServiceSigner,
        settlement: ServiceSigner,
        ledger: ServiceVerifier,
    }

    fn world() -> World {
        let tx_key = EcKeyPair::generate();
        let st_key = EcKeyPair::generate();
        let tx_pem = tx_key.public_key_pem().unwrap();
        let st_pem = st_key.public_key_pem().unwrap();
        let ledger = ServiceVerifier::new(
            "ledger",
            [
                ("transaction", tx_pem.as_str()),
                ("settlement", st_pem.as_str()),
            ],
            vec![InternalRoute {
                method: "POST".into(),
                path: "/internal/v1/postings".into(),
                callers: vec!["transaction".into()],
            }],
        )
        .unwrap();
        World {
            tx: ServiceSigner::new("transaction", &tx_key, 30).unwrap(),
            settlement: ServiceSigner::new("settlement", &st_key, 30).unwrap(),
            ledger,
        }
    }

    const PATH: &str = "/internal/v1/postings";

    #[test]
    fn accepts_exactly_the_signed_request_from_an_allowed_caller() {
        let w = world();
        let c =
            w.tx.credential("ledger", "POST", PATH, b"{\"a\":1}")
                .unwrap();
        let caller = w
            .ledger
            .verify(Some(&c), "POST", PATH, PATH, b"{\"a\":1}")
            .unwrap();
        assert_eq!(caller, "transaction");
    }

    #[test]
    fn refuses_everything_else() {
        let w = world();
        let c =
            w.tx.credential("ledger", "POST", PATH, b"{\"a\":1}")
                .unwrap();
        let v = &w.ledger;
        assert!(matches!(
            v.verify(None, "POST", PATH, PATH, b""),
            Err(ServiceAuthError::Missing)
        ));
        // Tampered body, another method, another path.
        assert!(matches!(
            v.verify(Some(&c), "POST", PATH, PATH, b"{\"a\":2}"),
            Err(ServiceAuthError::Mismatch("body"))
        ));
        assert!(matches!(
            v.verify(Some(&c), "PUT", PATH, PATH, b"{\"a\":1}"),
            Err(ServiceAuthError::Mismatch("method"))
        ));
        assert!(matches!(
            v.verify(
                Some(&c),
                "POST",
                PATH,
                "/internal/v1/postings?x=1",
                b"{\"a\":1}"
            ),
            Err(ServiceAuthError::Mismatch("path"))
        ));
        // For another audience.
        let other = w.tx.credential("identity", "POST", PATH, b"").unwrap();
        assert!(matches!(
            v.verify(Some(&other), "POST", PATH, PATH, b""),
            Err(ServiceAuthError::Invalid(_))
        ));
        // A known service that this route does not list.
        let st = w
            .settlement
            .credential("ledger", "POST", PATH, b"")
            .unwrap();
        assert!(matches!(
            v.verify(Some(&st), "POST", PATH, PATH, b""),
            Err(ServiceAuthError::NotAllowed { .. })
        ));
        // A key nobody configured (e.g. the platform's tenant-token key).
        let stranger = ServiceSigner::new("transaction", &EcKeyPair::generate(), 30).unwrap();
        let forged = stranger.credential("ledger", "POST", PATH, b"").unwrap();
        assert!(matches!(
            v.verify(Some(&forged), "POST", PATH, PATH, b""),
            Err(ServiceAuthError::Invalid("unknown key"))
        ));
        // Garbage and an unsigned token.
        assert!(v.verify(Some("x.y.z"), "POST", PATH, PATH, b"").is_err());
        let parts: Vec<&str> = c.split('.').collect();
        let none_header = idaas_crypto::b64_url(br#"{"alg":"none","typ":"idaas-service+jwt"}"#);
        let unsigned = format!("{none_header}.{}.", parts[1]);
        assert!(v
            .verify(Some(&unsigned), "POST", PATH, PATH, b"{\"a\":1}")
            .is_err());
    }
}
