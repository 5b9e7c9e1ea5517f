//! Reading the request body under the size limit, and turning a JWE body into plain JSON.

use actix_web::{http::header::HeaderMap, web};
use idaas_api::{ApiError, ErrorCode};
use idaas_auth::AuthenticatedApp;

pub const CONTENT_ENCRYPTION: &str = "content-encryption";

pub fn is_jwe(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_ENCRYPTION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("jwe"))
}

/// What to forward: the plaintext of a JWE body, or the body as sent. An application with
/// `encryptionEnabled` may not send a plain body to an authenticated endpoint.
pub fn prepare(
    headers: &HeaderMap,
    body: web::Bytes,
    caller: Option<&AuthenticatedApp>,
    keys: &[&p256::SecretKey],
) -> Result<(web::Bytes, bool), ApiError> {
    if is_jwe(headers) {
        let compact = std::str::from_utf8(&body).map_err(|_| decryption_failed())?;
        // The current platform key, then the previous one during a rotation's overlap.
        let plain = idaas_crypto::jwe::decrypt_compact_with_any(compact, keys).map_err(|e| {
            tracing::info!(error = %e, "JWE request body rejected");
            decryption_failed()
        })?;
        return Ok((web::Bytes::from(plain), true));
    }
    if caller.is_some_and(|c| c.encryption_enabled) && !body.is_empty() {
        return Err(ApiError::new(ErrorCode::UnsupportedMediaType)
            .with_message("This application has encryptionEnabled: request bodies must be JWE")
            .with_errors(vec![
                "encrypt the body to GET /v1/keys/idaas (ECDH-ES+A256KW, A256GCM) and set Content-Encryption: JWE".into(),
            ]));
    }
    Ok((body, false))
}

fn decryption_failed() -> ApiError {
    ApiError::new(ErrorCode::DecryptionFailed).with_errors(vec![
        "JWE payload could not be decrypted or is malformed".into(),
    ])
}
