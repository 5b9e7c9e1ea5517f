//! What one attempt sends: the body (the event's JSON, or a JWE compact string of it to the
//! application's current key when it has encryptionEnabled) and the headers that let the
//! receiver verify it (section 15) and deduplicate it (one delivery id across attempts).

use idaas_contracts::applications::DeliveryProfile;
use idaas_crypto::{jwe, keys, signature};
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    #[error("the application's public key is not a usable P-256 JWK")]
    Key(#[source] keys::KeyError),
    #[error("the body could not be encrypted")]
    Encrypt(#[source] jwe::JweError),
}

pub struct SignedRequest {
    pub body: String,
    pub headers: Vec<(&'static str, String)>,
}

pub fn build(
    delivery_id: Uuid,
    payload: &str,
    profile: &DeliveryProfile,
    timestamp: i64,
) -> Result<SignedRequest, RequestError> {
    let mut headers = vec![("Content-Type", "application/json".to_owned())];
    let body = if profile.encryption_enabled {
        let key = keys::public_key_from_jwk(&profile.public_jwk).map_err(RequestError::Key)?;
        let kid = keys::jwk_thumbprint(&key);
        headers.push(("Content-Encryption", "JWE".to_owned()));
        jwe::encrypt_compact(
            payload.as_bytes(),
            &key,
            Some("application/json"),
            Some(&kid),
        )
        .map_err(RequestError::Encrypt)?
    } else {
        payload.to_owned()
    };
    let secret = profile.webhook_secret.expose().as_bytes();
    let id = delivery_id.to_string();
    headers.extend([
        ("X-IDaaS-Timestamp", timestamp.to_string()),
        (
            "X-IDaaS-Signature",
            signature::sign_v0(secret, timestamp, body.as_bytes()),
        ),
        ("X-IDaaS-Delivery", id.clone()),
        ("webhook-id", id.clone()),
        ("webhook-timestamp", timestamp.to_string()),
        (
            "webhook-signature",
            signature::sign_standard(secret, &id, timestamp, body.as_bytes()),
        ),
    ]);
    Ok(SignedRequest { body, headers })
}

#[cfg(test)]
mod tests {
    use idaas_crypto::{keys::EcKeyPair, secret::Secret};

    use super::*;

    fn profile(encrypted: bool, key: &EcKeyPair) -> DeliveryProfile {
        DeliveryProfile {
            application_id: Uuid::nil(),
            active: true,
            webhook_secret: Secret::new("whsec".into()),
            encryption_enabled: encrypted,
            public_jwk: key.public_jwk(),
            key_version: 1,
        }
    }

    fn header<'a>(r: &'a SignedRequest, name: &str) -> &'a str {
        r.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    }

    #[test]
    fn a_plain_body_is_signed_both_ways_with_one_delivery_id() {
        let key = EcKeyPair::generate();
        let id = Uuid::new_v4();
        let r = build(id, r#"{"a":1}"#, &profile(false, &key), 1_741_082_580)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.body, r#"{"a":1}"#);
        assert_eq!(
            header(&r, "X-IDaaS-Signature"),
            "v0=f6bacc94ffd92a95ebc1140b4095666350f22dfbb8a67418ba06ebc3f29184df"
        );
        assert_eq!(header(&r, "X-IDaaS-Delivery"), id.to_string());
        assert_eq!(header(&r, "webhook-id"), id.to_string());
        assert!(header(&r, "webhook-signature").starts_with("v1,"));
        assert_eq!(header(&r, "Content-Encryption"), "");
    }

    #[test]
    fn an_encrypted_body_is_a_jwe_to_the_apps_key_and_the_signature_covers_it() {
        let key = EcKeyPair::generate();
        let r = build(
            Uuid::new_v4(),
            r#"{"a":1}"#,
            &profile(true, &key),
            1_741_082_580,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(header(&r, "Content-Encryption"), "JWE");
        assert_eq!(r.body.split('.').count(), 5, "compact JWE");
        let expected = signature::sign_v0(b"whsec", 1_741_082_580, r.body.as_bytes());
        assert_eq!(header(&r, "X-IDaaS-Signature"), expected);
        let plain = jwe::decrypt_compact(&r.body, key.secret_key()).unwrap_or_default();
        assert_eq!(plain, br#"{"a":1}"#);
    }
}
