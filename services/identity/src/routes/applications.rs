use actix_web::{web, HttpRequest, HttpResponse};
use idaas_api::{ApiResponse, ErrorCode, ErrorEnvelope};
use idaas_auth::AuthenticatedApp;
use idaas_service::{Infra, ServiceResult};
use idaas_web::JsonBody;

use super::{
    idempotent::once,
    parse_id,
    views::{ApplicationView, RegisteredView, RotatedKeysView, WebhookSecretView},
};
use crate::{
    domain::{applications, idempotency::REGISTRATION, registration::RegistrationRequest},
    IdentityState,
};

const REGISTERED: &str = "Application registered successfully. Store the clientSecret/webhookSecret/appPrivateJwk – they are shown only once.";

/// Register an application. The client secret, webhook secret and private JWK are shown only
/// in this answer.
#[utoipa::path(
    post,
    path = "/v1/applications",
    tag = "Applications",
    request_body = RegistrationRequest,
    params(
        ("Idempotency-Key" = Option<String>, Header, description = "1-255 printable ASCII characters; the same key and body within 24 h replays the first answer (with Idempotency-Replayed: true)", example = "550e8400-e29b-41d4-a716-446655440000"),
    ),
    responses(
        (status = 201, description = "Registered", body = ApiResponse<RegisteredView>),
        (status = 409, description = "appHandle taken (IDAAS-CONF-4007), or Idempotency-Key conflict (IDAAS-CONF-4008)", body = ErrorEnvelope),
    ),
)]
pub async fn register(
    req: HttpRequest,
    infra: web::Data<Infra>,
    state: web::Data<IdentityState>,
    body: JsonBody<RegistrationRequest>,
) -> ServiceResult<HttpResponse> {
    let JsonBody { value, raw } = body;
    once(
        &infra,
        &state,
        &req,
        REGISTRATION,
        "POST /v1/applications",
        &raw,
        || async {
            let urls = idaas_domain::UrlPolicy::for_profile(&infra.settings.profile);
            let reg = value.parse(urls)?;
            let done = applications::register(&infra, &state, reg).await?;
            let view = RegisteredView {
                application: ApplicationView::from(&done.row),
                client_secret: done.client_secret.expose().clone(),
                webhook_secret: done.webhook_secret.expose().clone(),
                app_private_jwk: done.keypair.private_jwk().expose().clone(),
            };
            Ok(ApiResponse::ok(view).with_message(REGISTERED).created())
        },
    )
    .await
}

/// A tenant sees only itself: listing every tenant would hand out the customer list.
#[utoipa::path(
    get,
    path = "/v1/applications",
    tag = "Applications",
    responses((status = 200, description = "The caller's own application", body = ApiResponse<Vec<ApplicationView>>)),
)]
pub async fn list(
    infra: web::Data<Infra>,
    caller: AuthenticatedApp,
) -> ServiceResult<HttpResponse> {
    let row = applications::own(&infra, caller.app_id).await?;
    Ok(ApiResponse::ok(vec![ApplicationView::from(&row)]).respond())
}

#[utoipa::path(
    get,
    path = "/v1/applications/{id}",
    tag = "Applications",
    params(("id" = Uuid, Path, description = "The caller's own application id")),
    responses(
        (status = 200, description = "The application", body = ApiResponse<ApplicationView>),
        (status = 404, description = "Not the caller's, or no such application (IDAAS-RES-3001)", body = ErrorEnvelope),
    ),
)]
pub async fn get(
    infra: web::Data<Infra>,
    caller: AuthenticatedApp,
    path: web::Path<String>,
) -> ServiceResult<HttpResponse> {
    let id = parse_id(&path, "id")?;
    // Another tenant's application is indistinguishable from one that does not exist.
    if id != caller.app_id {
        return Err(ErrorCode::ApplicationNotFound.into());
    }
    let row = applications::own(&infra, id).await?;
    Ok(ApiResponse::ok(ApplicationView::from(&row)).respond())
}

/// Deactivate the caller's own application; its tokens stop working at once.
#[utoipa::path(
    patch,
    path = "/v1/applications/{id}/deactivate",
    tag = "Applications",
    params(("id" = Uuid, Path, description = "The caller's own application id")),
    responses(
        (status = 200, description = "Deactivated", body = ApiResponse<ApplicationView>),
        (status = 403, description = "Another application's id (IDAAS-AUTH-1006)", body = ErrorEnvelope),
    ),
)]
pub async fn deactivate(
    infra: web::Data<Infra>,
    caller: AuthenticatedApp,
    path: web::Path<String>,
) -> ServiceResult<HttpResponse> {
    let id = parse_id(&path, "id")?;
    let row = applications::deactivate(&infra, caller.app_id, id).await?;
    Ok(ApiResponse::ok(ApplicationView::from(&row))
        .with_message("Application deactivated; its tokens are revoked")
        .respond())
}

/// A new application key pair; the private JWK is shown only in this answer.
#[utoipa::path(
    post,
    path = "/v1/applications/keys/rotate",
    tag = "Applications",
    params(
        ("Idempotency-Key" = Option<String>, Header, description = "1-255 printable ASCII characters; the same key and body within 24 h replays the first answer (with Idempotency-Replayed: true)", example = "550e8400-e29b-41d4-a716-446655440000"),
    ),
    responses((status = 200, description = "Rotated", body = ApiResponse<RotatedKeysView>)),
)]
pub async fn rotate_keys(
    req: HttpRequest,
    infra: web::Data<Infra>,
    state: web::Data<IdentityState>,
    caller: AuthenticatedApp,
) -> ServiceResult<HttpResponse> {
    let scope = caller.app_id.to_string();
    once(
        &infra,
        &state,
        &req,
        &scope,
        "POST /v1/applications/keys/rotate",
        b"",
        || async {
            let (row, keypair) = applications::rotate_keys(&infra, caller.app_id).await?;
            Ok(ApiResponse::ok(RotatedKeysView {
                app_public_key_jwk: row.app_public_jwk,
                app_private_jwk: keypair.private_jwk().expose().clone(),
                key_version: row.key_version,
            })
            .with_message("Keys rotated. Store the appPrivateJwk – it is shown only once.")
            .respond())
        },
    )
    .await
}

/// A new webhook signing secret, in force from the next delivery attempt; shown only here.
#[utoipa::path(
    post,
    path = "/v1/applications/webhook-secret/rotate",
    tag = "Applications",
    params(
        ("Idempotency-Key" = Option<String>, Header, description = "1-255 printable ASCII characters; the same key and body within 24 h replays the first answer (with Idempotency-Replayed: true)", example = "550e8400-e29b-41d4-a716-446655440000"),
    ),
    responses((status = 200, description = "Rotated", body = ApiResponse<WebhookSecretView>)),
)]
pub async fn rotate_webhook_secret(
    req: HttpRequest,
    infra: web::Data<Infra>,
    state: web::Data<IdentityState>,
    caller: AuthenticatedApp,
) -> ServiceResult<HttpResponse> {
    let scope = caller.app_id.to_string();
    let operation = "POST /v1/applications/webhook-secret/rotate";
    once(&infra, &state, &req, &scope, operation, b"", || async {
        let secret = applications::rotate_webhook_secret(&infra, &state, caller.app_id).await?;
        Ok(ApiResponse::ok(WebhookSecretView {
            webhook_secret: secret.expose().clone(),
        })
        .with_message("Webhook secret rotated. Store it – it is shown only once.")
        .respond())
    })
    .await
}
