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
    /// RFC 6749 section 4.4: `client_credentials`, the only grant there is; may be omitted.
    #[schema(example = "client_credentials")]
    grant_type: Option<String>,
}

/// RFC 6749's only grant for an application acting for itself.
const CLIENT_CREDENTIALS: &str = "client_credentials";

fn check_grant(grant_type: Option<&str>) -> Result<(), ApiError> {
    match grant_type {
        None | Some(CLIENT_CREDENTIALS) => Ok(()),
        Some(other) => Err(ApiError::validation(vec![format!(
            "grant_type must be {CLIENT_CREDENTIALS} (got {other:?})"
        )])),
    }
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
        // OAuth2 clients send Basic with a form body naming the grant.
        let grant: Option<Credentials> = serde_urlencoded::from_bytes(body).ok();
        check_grant(grant.as_ref().and_then(|g| g.grant_type.as_deref()))?;
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
    check_grant(creds.grant_type.as_deref())?;
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

/// Exchange the client credentials for an application token. Beside the guide's envelope the
/// answer carries RFC 6749's `access_token`, `token_type` and `expires_in` at the top level and
/// `Cache-Control: no-store`, so OAuth2 client-credentials libraries work unchanged.
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
        (status = 200, description = "Issued", body = OAuthTokenResponse),
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
    let expires_in = (issued.expires_at - chrono::Utc::now().timestamp()).max(0);
    let envelope = ApiResponse::ok(TokenView {
        token: issued.token.expose().clone(),
        token_type: "Bearer",
        expires_at: issued.expires_at,
        subject_id: app.id,
    })
    .with_message("Token issued");
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .json(OAuthTokenResponse {
            envelope,
            access_token: issued.token.expose().clone(),
            token_type: "Bearer",
            expires_in,
        }))
}

/// The guide's envelope, with RFC 6749 section 5.1's fields beside it.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct OAuthTokenResponse {
    #[serde(flatten)]
    envelope: ApiResponse<TokenView>,
    /// The same token as `data.token`.
    access_token: String,
    #[schema(example = "Bearer")]
    token_type: &'static str,
    /// Seconds until the token expires.
    expires_in: i64,
}
