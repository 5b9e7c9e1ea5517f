//! `GET /internal/v1/applications/delivery-profile?applicationId=` (identity; caller:
//! webhook-dispatcher): what signing and encrypting one delivery to an application needs, as
//! it stands at the moment of the attempt, so a rotation takes effect on the next attempt.

use serde::{Deserialize, Serialize, Serializer};
use uuid::Uuid;

pub use idaas_crypto::secret::Secret;

pub const DELIVERY_PROFILE_PATH: &str = "/internal/v1/applications/delivery-profile";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryProfileQuery {
    pub application_id: Uuid,
}

/// Unknown application is 404. `Debug` never shows the secret.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryProfile {
    pub application_id: Uuid,
    pub active: bool,
    /// The raw webhook secret in force now: the HMAC key of `X-IDaaS-Signature`.
    #[serde(serialize_with = "expose")]
    pub webhook_secret: Secret<String>,
    pub encryption_enabled: bool,
    /// The application's current public key (EC P-256 JWK), which JWE bodies are encrypted to.
    pub public_jwk: serde_json::Value,
    pub key_version: i32,
}

/// The one place the secret is written out: into the answer to the dispatcher.
fn expose<S: Serializer>(secret: &Secret<String>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(secret.expose())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_crosses_the_wire_but_never_a_log() {
        let p = DeliveryProfile {
            application_id: Uuid::nil(),
            active: true,
            webhook_secret: Secret::new("s3cret".into()),
            encryption_enabled: false,
            public_jwk: serde_json::json!({"kty": "EC"}),
            key_version: 1,
        };
        assert!(!format!("{p:?}").contains("s3cret"));
        let wire = serde_json::to_string(&p).unwrap_or_default();
        assert!(wire.contains(r#""webhookSecret":"s3cret""#), "{wire}");
        let back: DeliveryProfile = serde_json::from_str(&wire).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back.webhook_secret.expose(), "s3cret");
    }
}
