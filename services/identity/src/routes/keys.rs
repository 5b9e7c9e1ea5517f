use actix_web::{http::header, web, HttpResponse};
use idaas_api::ApiResponse;
use idaas_crypto::keys::{jwk_thumbprint, public_key_spki_der_base64, public_key_to_jwk};
use idaas_service::{ServiceError, ServiceResult};
use serde_json::json;

use super::views::PlatformKeyView;
use crate::IdentityState;

/// The key clients encrypt request bodies to (section 14.1).
#[utoipa::path(
    get,
    path = "/v1/keys/idaas",
    tag = "Keys",
    responses((status = 200, description = "The platform's request-encryption key", body = ApiResponse<PlatformKeyView>)),
)]
pub async fn idaas(state: web::Data<IdentityState>) -> ServiceResult<HttpResponse> {
    let key = &state.request_key_public;
    let mut jwk = public_key_to_jwk(key);
    if let Some(obj) = jwk.as_object_mut() {
        obj.insert("kid".into(), json!(jwk_thumbprint(key)));
    }
    let body = ApiResponse::ok(PlatformKeyView {
        algorithm: "ECDH-ES+A256KW",
        enc_algorithm: "A256GCM",
        curve: "P-256",
        jwk,
        public_key_base64: public_key_spki_der_base64(key).map_err(ServiceError::internal)?,
        usage: "Encrypt request payloads sent TO IDaaS. Set 'Content-Encryption: JWE' header.",
    });
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .json(body))
}

/// The token-signing keys, so any service or client verifies tokens offline.
pub async fn jwks(state: web::Data<IdentityState>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .json(idaas_auth::jwks_document(&state.signing_public_keys()))
}
