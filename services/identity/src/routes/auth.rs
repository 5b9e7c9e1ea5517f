use actix_web::{http::header, web, HttpRequest, HttpResponse};
use base64::Engine;
use idaas_api::{ApiError, ApiResponse, ErrorCode, ErrorEnvelope};
use idaas_service::{Infra, ServiceResult};
use serde::Deserialize;

use super::views::TokenView;
use crate::{domain::tokens, IdentityState};

/// The body of `POST /v1/auth/token` (JSON or form); HTTP Basic works too.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct Credentials {
    #[schema(required = true, format = Uuid)]
    client_id: Option<String>,
    #[schema(required = true)]
    client_secret: Option<String>,
}

/// Credentials from a JSON body, a form body, or HTTP Basic, as the guide allows.
fn credentials(req: &HttpRequest, body: &[u8]) -> Result<(String, String), ApiError> {
    if let Some(basic) = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
    {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(basic.trim())
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or(ErrorCode::AuthenticationFailed)?;
        let (id, secret) = decoded
            .split_once(':')
            .ok_or(ErrorCode::AuthenticationFailed)?;
        return Ok((id.to_owned(), secret.to_owned()));
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let creds: Credentials = if content_type.starts_with("application/json") {
        serde_json::from_slice(body)
            .map_err(|e| ApiError::validation(vec![format!("malformed JSON body: {e}")]))?
    } else if content_type.starts_with("application/x-www-form-urlencoded") {
        serde_urlencoded::from_bytes(body)
            .map_err(|e| ApiError::validation(vec![format!("malformed form body: {e}")]))?
    } else {
        return Err(
            ApiError::new(ErrorCode::UnsupportedMediaType).with_errors(vec![
                "send application/json or application/x-www-form-urlencoded".into(),
            ]),
        );
    };
    let mut errors = Vec::new();
    let id = creds.client_id.filter(|s| !s.is_empty());
    let secret = creds.client_secret.filter(|s| !s.is_empty());
    if id.is_none() {
        errors.push("client_id is required".to_owned());
    }
    if secret.is_none() {
        errors.push("client_secret is required".to_owned());
    }
    match (id, secret) {
        (Some(id), Some(secret)) => Ok((id, secret)),
        _ => Err(ApiError::validation(errors)),
    }
}

/// Exchange the client credentials for an application token.
#[utoipa::path(
    post,
    path = "/v1/auth/token",
    tag = "Auth",
    request_body(
        content(
            (Credentials = "application/json"),
            (Credentials = "application/x-www-form-urlencoded"),
        ),
        description = "client_id and client_secret; or send them as HTTP Basic",
    ),
    responses(
        (status = 200, description = "Issued", body = ApiResponse<TokenView>),
        (status = 401, description = "Unknown client, wrong secret or deactivated application (IDAAS-AUTH-1004)", body = ErrorEnvelope),
        (status = 415, description = "Neither JSON nor form (IDAAS-VALID-2004)", body = ErrorEnvelope),
    ),
)]
#[tracing::instrument(skip_all)]
pub async fn token(
    req: HttpRequest,
    body: web::Bytes,
    infra: web::Data<Infra>,
    state: web::Data<IdentityState>,
) -> ServiceResult<HttpResponse> {
    let (client_id, client_secret) = credentials(&req, &body)?;
    let (issued, app) = tokens::issue(&infra, &state, &client_id, &client_secret).await?;
    Ok(ApiResponse::ok(TokenView {
        token: issued.token.expose().clone(),
        token_type: "Bearer",
        expires_at: issued.expires_at,
        subject_id: app.id,
    })
    .with_message("Token issued")
    .respond())
}
