use idaas_crypto::keys::{jwk_thumbprint, public_key_to_jwk};
use serde_json::{json, Value};

pub(crate) fn kid_of(key: &p256::PublicKey) -> String {
    jwk_thumbprint(key)
}

/// The public JWK of a token-signing key, with `kid`, `alg` and `use` set.
pub fn signing_jwk(key: &p256::PublicKey) -> Value {
    let mut jwk = public_key_to_jwk(key);
    if let Some(obj) = jwk.as_object_mut() {
        obj.insert("kid".into(), json!(kid_of(key)));
        obj.insert("alg".into(), json!("ES256"));
        obj.insert("use".into(), json!("sig"));
    }
    jwk
}

/// `{"keys": [...]}` for `/.well-known/jwks.json`; during rotation it lists old and new keys.
pub fn jwks_document(keys: &[p256::PublicKey]) -> Value {
    json!({ "keys": keys.iter().map(signing_jwk).collect::<Vec<_>>() })
}
