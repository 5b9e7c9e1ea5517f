//! JWE compact serialization with `alg` ECDH-ES+A256KW and `enc` A256GCM only (RFC 7516/7518):
//! the one combination the guide specifies. Anything else is refused, never guessed at.

use aes_gcm::{
    aead::{Aead, Payload},
    Aes256Gcm, KeyInit, Nonce,
};
use aes_kw::KekAes256;
use p256::{ecdh, PublicKey, SecretKey};
use rand::RngCore;
use serde_json::{json, Map, Value};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::{b64, keys};

pub const ALG: &str = "ECDH-ES+A256KW";
pub const ENC: &str = "A256GCM";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JweError {
    #[error("JWE is malformed: {0}")]
    Malformed(&'static str),
    #[error("JWE algorithm not supported (expected alg ECDH-ES+A256KW, enc A256GCM)")]
    UnsupportedAlgorithm,
    #[error("JWE could not be decrypted")]
    DecryptionFailed,
}

/// RFC 7518 §4.6.2: Concat KDF over the ECDH secret, keyed to the algorithm and parties.
fn derive_kek(z: &[u8], apu: &[u8], apv: &[u8]) -> Result<Zeroizing<[u8; 32]>, JweError> {
    let mut other = Vec::with_capacity(64);
    for part in [ALG.as_bytes(), apu, apv] {
        let len = u32::try_from(part.len()).map_err(|_| JweError::Malformed("apu/apv too long"))?;
        other.extend_from_slice(&len.to_be_bytes());
        other.extend_from_slice(part);
    }
    other.extend_from_slice(&256u32.to_be_bytes());
    let mut kek = Zeroizing::new([0u8; 32]);
    concat_kdf::derive_key_into::<Sha256>(z, &other, kek.as_mut())
        .map_err(|_| JweError::DecryptionFailed)?;
    Ok(kek)
}

fn random<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    rand::rngs::OsRng.fill_bytes(&mut b);
    b
}

pub fn encrypt_compact(
    plaintext: &[u8],
    recipient: &PublicKey,
    content_type: Option<&str>,
    kid: Option<&str>,
) -> Result<String, JweError> {
    let ephemeral = ecdh::EphemeralSecret::random(&mut rand::rngs::OsRng);
    let shared = ephemeral.diffie_hellman(recipient);
    let kek = derive_kek(shared.raw_secret_bytes(), &[], &[])?;

    let mut header = Map::new();
    header.insert("alg".into(), json!(ALG));
    header.insert("enc".into(), json!(ENC));
    header.insert(
        "epk".into(),
        keys::public_key_to_jwk(&ephemeral.public_key()),
    );
    if let Some(cty) = content_type {
        header.insert("cty".into(), json!(cty));
    }
    if let Some(kid) = kid {
        header.insert("kid".into(), json!(kid));
    }
    let protected = b64::encode(Value::Object(header).to_string().as_bytes());

    let cek = Zeroizing::new(random::<32>());
    let wrapped = KekAes256::from(*kek)
        .wrap_vec(cek.as_ref())
        .map_err(|_| JweError::DecryptionFailed)?;
    let iv = random::<12>();
    let cipher = Aes256Gcm::new_from_slice(cek.as_ref()).map_err(|_| JweError::DecryptionFailed)?;
    let sealed = cipher
        .encrypt(
            &Nonce::from(iv),
            Payload {
                msg: plaintext,
                aad: protected.as_bytes(),
            },
        )
        .map_err(|_| JweError::DecryptionFailed)?;
    let (ciphertext, tag) = sealed.split_at(sealed.len().saturating_sub(16));
    Ok(format!(
        "{protected}.{}.{}.{}.{}",
        b64::encode(&wrapped),
        b64::encode(&iv),
        b64::encode(ciphertext),
        b64::encode(tag)
    ))
}

struct Parts<'a> {
    protected: &'a str,
    header: Map<String, Value>,
    encrypted_key: Vec<u8>,
    iv: Vec<u8>,
    ciphertext: Vec<u8>,
    tag: Vec<u8>,
}

fn split(jwe: &str) -> Result<Parts<'_>, JweError> {
    let pieces: Vec<&str> = jwe.trim().split('.').collect();
    let [protected, ek, iv, ct, tag] = pieces.as_slice() else {
        return Err(JweError::Malformed("expected five dot-separated parts"));
    };
    let decode = |s: &str, what| b64::decode(s).ok_or(JweError::Malformed(what));
    let header_bytes = decode(protected, "protected header is not base64url")?;
    let header: Map<String, Value> = serde_json::from_slice(&header_bytes)
        .map_err(|_| JweError::Malformed("header is not a JSON object"))?;
    Ok(Parts {
        protected,
        header,
        encrypted_key: decode(ek, "encrypted key is not base64url")?,
        iv: decode(iv, "iv is not base64url")?,
        ciphertext: decode(ct, "ciphertext is not base64url")?,
        tag: decode(tag, "tag is not base64url")?,
    })
}

/// The protected header, for routing decisions (e.g. `kid`) before decrypting.
pub fn peek_header(jwe: &str) -> Result<Value, JweError> {
    split(jwe).map(|p| Value::Object(p.header))
}

fn header_bytes(header: &Map<String, Value>, name: &str) -> Result<Vec<u8>, JweError> {
    match header.get(name) {
        None => Ok(Vec::new()),
        Some(Value::String(s)) => {
            b64::decode(s).ok_or(JweError::Malformed("apu/apv is not base64url"))
        }
        Some(_) => Err(JweError::Malformed("apu/apv must be strings")),
    }
}

fn decrypt_parts(p: &Parts<'_>, key: &SecretKey) -> Result<Vec<u8>, JweError> {
    let h = &p.header;
    if h.get("alg").and_then(Value::as_str) != Some(ALG)
        || h.get("enc").and_then(Value::as_str) != Some(ENC)
    {
        return Err(JweError::UnsupportedAlgorithm);
    }
    if h.contains_key("zip") || h.contains_key("crit") {
        return Err(JweError::UnsupportedAlgorithm);
    }
    let iv: [u8; 12] =
        p.iv.as_slice()
            .try_into()
            .map_err(|_| JweError::Malformed("iv must be 96 bits"))?;
    if p.tag.len() != 16 {
        return Err(JweError::Malformed("tag must be 128 bits"));
    }
    let epk = h
        .get("epk")
        .ok_or(JweError::Malformed("missing epk"))
        .and_then(|v| {
            keys::public_key_from_jwk(v).map_err(|_| JweError::Malformed("invalid epk"))
        })?;
    let shared = ecdh::diffie_hellman(key.to_nonzero_scalar(), epk.as_affine());
    let kek = derive_kek(
        shared.raw_secret_bytes(),
        &header_bytes(h, "apu")?,
        &header_bytes(h, "apv")?,
    )?;
    let cek = Zeroizing::new(
        KekAes256::from(*kek)
            .unwrap_vec(&p.encrypted_key)
            .map_err(|_| JweError::DecryptionFailed)?,
    );
    let cipher = Aes256Gcm::new_from_slice(&cek).map_err(|_| JweError::DecryptionFailed)?;
    let mut sealed = Vec::with_capacity(p.ciphertext.len() + 16);
    sealed.extend_from_slice(&p.ciphertext);
    sealed.extend_from_slice(&p.tag);
    cipher
        .decrypt(
            &Nonce::from(iv),
            Payload {
                msg: &sealed,
                aad: p.protected.as_bytes(),
            },
        )
        .map_err(|_| JweError::DecryptionFailed)
}

pub fn decrypt_compact(jwe: &str, key: &SecretKey) -> Result<Vec<u8>, JweError> {
    decrypt_parts(&split(jwe)?, key)
}

/// Tries each key in turn, for the overlap window of a key rotation.
pub fn decrypt_compact_with_any(jwe: &str, keys: &[&SecretKey]) -> Result<Vec<u8>, JweError> {
    let parts = split(jwe)?;
    let mut last = JweError::DecryptionFailed;
    for key in keys {
        match decrypt_parts(&parts, key) {
            Ok(plain) => return Ok(plain),
            Err(e @ (JweError::UnsupportedAlgorithm | JweError::Malformed(_))) => return Err(e),
            Err(e) => last = e,
        }
    }
    Err(last)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::keys::EcKeyPair;

    fn swap_part(jwe: &str, index: usize, value: &str) -> String {
        let mut parts: Vec<String> = jwe.split('.').map(str::to_owned).collect();
        parts[index] = value.to_owned();
        parts.join(".")
    }

    #[test]
    fn round_trip() {
        let k = EcKeyPair::generate();
        let jwe = encrypt_compact(
            b"{\"a\":1}",
            &k.public_key(),
            Some("application/json"),
            Some("kid1"),
        )
        .unwrap();
        assert_eq!(decrypt_compact(&jwe, k.secret_key()).unwrap(), b"{\"a\":1}");
        let header = peek_header(&jwe).unwrap();
        assert_eq!(header["alg"], ALG);
        assert_eq!(header["kid"], "kid1");
        let empty = encrypt_compact(b"", &k.public_key(), None, None).unwrap();
        assert_eq!(decrypt_compact(&empty, k.secret_key()).unwrap(), b"");
    }

    #[test]
    fn tampering_and_wrong_keys_fail() {
        let k = EcKeyPair::generate();
        let jwe = encrypt_compact(b"payload", &k.public_key(), None, None).unwrap();
        let other = EcKeyPair::generate();
        assert_eq!(
            decrypt_compact(&jwe, other.secret_key()),
            Err(JweError::DecryptionFailed)
        );
        let parts: Vec<&str> = jwe.split('.').collect();
        let flip = |s: &str| {
            let mut b = b64::decode(s).unwrap();
            if let Some(first) = b.first_mut() {
                *first ^= 1;
            } else {
                b.push(1);
            }
            b64::encode(&b)
        };
        for (i, part) in parts.iter().enumerate().skip(1) {
            assert!(
                decrypt_compact(&swap_part(&jwe, i, &flip(part)), k.secret_key()).is_err(),
                "part {i}"
            );
        }
        // A re-encoded header (same meaning, different bytes) breaks the AAD binding.
        let header: Value = serde_json::from_slice(&b64::decode(parts[0]).unwrap()).unwrap();
        let pretty = b64::encode(serde_json::to_string_pretty(&header).unwrap().as_bytes());
        assert!(decrypt_compact(&swap_part(&jwe, 0, &pretty), k.secret_key()).is_err());
        assert!(decrypt_compact_with_any(&jwe, &[other.secret_key(), k.secret_key()]).is_ok());
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let k = EcKeyPair::generate();
        let good = encrypt_compact(b"x", &k.public_key(), None, None).unwrap();
        let header = |v: Value| b64::encode(v.to_string().as_bytes());
        let mut off_curve = EcKeyPair::generate().public_jwk();
        off_curve["y"] = off_curve["x"].clone();
        let cases = vec![
            String::new(),
            "a.b.c.d".into(),
            "a.b.c.d.e.f".into(),
            "!!.b.c.d.e".into(),
            format!("{}.a.b.c.d", b64::encode(b"not json")),
            swap_part(
                &good,
                0,
                &header(json!({"alg": "RSA-OAEP", "enc": "A256GCM"})),
            ),
            swap_part(&good, 0, &header(json!({"alg": ALG, "enc": "A128GCM"}))),
            swap_part(
                &good,
                0,
                &header(json!({"alg": ALG, "enc": ENC, "zip": "DEF"})),
            ),
            swap_part(&good, 0, &header(json!({"alg": ALG, "enc": ENC}))),
            swap_part(
                &good,
                0,
                &header(json!({"alg": ALG, "enc": ENC, "epk": off_curve})),
            ),
            swap_part(&good, 2, "AAAA"),
        ];
        for c in cases {
            assert!(decrypt_compact(&c, k.secret_key()).is_err(), "{c}");
        }
        assert_eq!(
            decrypt_compact(
                &swap_part(&good, 0, &header(json!({"alg": "dir", "enc": ENC}))),
                k.secret_key()
            ),
            Err(JweError::UnsupportedAlgorithm)
        );
    }

    fn josekit_jwk(v: &Value) -> josekit::jwk::Jwk {
        josekit::jwk::Jwk::from_map(v.as_object().unwrap().clone()).unwrap()
    }

    #[test]
    fn interoperates_with_josekit() {
        use josekit::jwe::{JweHeader, ECDH_ES_A256KW};
        let k = EcKeyPair::generate();

        // josekit encrypts, we decrypt.
        let mut header = JweHeader::new();
        header.set_content_encryption("A256GCM");
        let encrypter = ECDH_ES_A256KW
            .encrypter_from_jwk(&josekit_jwk(&k.public_jwk()))
            .unwrap();
        let theirs =
            josekit::jwe::serialize_compact(b"{\"from\":\"josekit\"}", &header, &encrypter)
                .unwrap();
        assert_eq!(
            decrypt_compact(&theirs, k.secret_key()).unwrap(),
            b"{\"from\":\"josekit\"}"
        );

        // We encrypt, josekit decrypts.
        let ours = encrypt_compact(
            b"{\"from\":\"idaas\"}",
            &k.public_key(),
            Some("application/json"),
            None,
        )
        .unwrap();
        let decrypter = ECDH_ES_A256KW
            .decrypter_from_jwk(&josekit_jwk(k.private_jwk().expose()))
            .unwrap();
        let (plain, h) = josekit::jwe::deserialize_compact(&ours, &decrypter).unwrap();
        assert_eq!(plain, b"{\"from\":\"idaas\"}");
        assert_eq!(h.content_encryption(), Some("A256GCM"));
    }
}
