//! Application tokens. Identity signs ES256 JWTs with a platform key and publishes the public
//! half as a JWKS; every other process verifies offline and checks the revocation list.

mod authenticator;
mod claims;
mod extractor;
mod issuer;
mod jwks;
mod redis_conn;
mod revocation;
mod service_credential;
mod verifier;

pub use authenticator::{AuthenticatedApp, Authenticator};
pub use claims::Claims;
pub use issuer::{IssuedToken, TokenIssuer};
pub use jwks::{jwks_document, signing_jwk};
pub use redis_conn::{BoundedRedis, DEFAULT_REDIS_TIMEOUT};
pub use revocation::{RevocationError, Revocations};
pub use service_credential::{
    settings_key, InternalRoute, ServiceAuthError, ServiceSigner, ServiceVerifier,
    MAX_CREDENTIAL_TTL_SECS, SERVICE_CREDENTIAL_HEADER,
};
pub use verifier::{TokenVerifier, VerifyError};
