use actix_web::{web, HttpResponse};
use diesel_async::{scoped_futures::ScopedFutureExt, AsyncConnection};
use idaas_api::{ApiError, ApiResponse, ErrorCode, ErrorEnvelope};
use idaas_auth::AuthenticatedApp;
use idaas_crypto::{keys::EcKeyPair, secret_hash};
use idaas_db::unique_violation;
use idaas_kafka::insert_outbox;
use idaas_proto::identity::v1::{
    application_event::Kind, ApplicationDeactivated, ApplicationKeysRotated, ApplicationRegistered,
    WebhookSecretRotated,
};
use idaas_service::{Infra, ServiceError, ServiceResult};
use uuid::Uuid;

use super::{
    parse_id,
    views::{ApplicationView, RegisteredView, RotatedKeysView, WebhookSecretView},
};
use crate::{
    domain::events::application_event,
    domain::registration::RegistrationRequest,
    store::applications::{self, ApplicationRow, NewApplication, HANDLE_UNIQUE},
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
    responses(
        (status = 201, description = "Registered", body = ApiResponse<RegisteredView>),
        (status = 409, description = "appHandle taken (IDAAS-CONF-4007)", body = ErrorEnvelope),
    ),
)]
#[tracing::instrument(skip_all, fields(app_handle))]
pub async fn register(
    infra: web::Data<Infra>,
    state: web::Data<IdentityState>,
    body: web::Json<RegistrationRequest>,
) -> ServiceResult<HttpResponse> {
    let urls = idaas_domain::UrlPolicy::for_profile(&infra.settings.profile);
    let reg = body.into_inner().parse(urls)?;
    tracing::Span::current().record("app_handle", reg.handle.as_str());
    let id = Uuid::new_v4();
    let client_secret = secret_hash::generate_secret();
    let webhook_secret = secret_hash::generate_secret();
    let keypair = EcKeyPair::generate();
    // Bound to the row id, so a ciphertext copied onto another application fails to decrypt.
    let webhook_secret_enc = state
        .cipher
        .encrypt(webhook_secret.expose().as_bytes(), id.as_bytes())
        .map_err(ServiceError::internal)?;
    let new = NewApplication {
        id,
        name: reg.name,
        app_handle: reg.handle.to_string(),
        client_id: Uuid::new_v4(),
        client_secret_hash: secret_hash::hash_secret(client_secret.expose()),
        webhook_secret_enc,
        transaction_webhook_url: reg.webhook_url,
        redirect_uris: reg.redirect_uris,
        metadata: reg.metadata,
        app_public_jwk: keypair.public_jwk(),
        encryption_enabled: reg.encryption_enabled,
        callback_origins: reg.callback_origins,
    };
    let event = application_event(
        &infra.topics,
        id,
        Kind::Registered(ApplicationRegistered {
            name: new.name.clone(),
            app_handle: new.app_handle.clone(),
            encryption_enabled: new.encryption_enabled,
            transaction_webhook_url: new.transaction_webhook_url.clone().unwrap_or_default(),
        }),
    );
    let mut conn = infra.pool.get().await?;
    let row = conn
        .transaction::<_, ServiceError, _>(|c| {
            async move {
                let row =
                    applications::insert(c, &new).await.map_err(|e| {
                        match unique_violation(&e).as_deref() {
                            Some(HANDLE_UNIQUE) => ServiceError::Api(
                                ApiError::new(ErrorCode::AppHandleTaken).with_errors(vec![
                                    format!("appHandle '{}' is already taken", new.app_handle),
                                ]),
                            ),
                            _ => e.into(),
                        }
                    })?;
                insert_outbox(c, &event).await?;
                Ok(row)
            }
            .scope_boxed()
        })
        .await?;
    infra.relay.wake();
    let view = RegisteredView {
        application: ApplicationView::from(&row),
        client_secret: client_secret.expose().clone(),
        webhook_secret: webhook_secret.expose().clone(),
        app_private_jwk: keypair.private_jwk().expose().clone(),
    };
    Ok(ApiResponse::ok(view).with_message(REGISTERED).created())
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
    let row = own_application(&infra, caller.app_id).await?;
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
    let row = own_application(&infra, id).await?;
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
#[tracing::instrument(skip_all, fields(app_id = %caller.app_id))]
pub async fn deactivate(
    infra: web::Data<Infra>,
    caller: AuthenticatedApp,
    path: web::Path<String>,
) -> ServiceResult<HttpResponse> {
    let id = parse_id(&path, "id")?;
    if id != caller.app_id {
        return Err(ServiceError::Api(
            ApiError::new(ErrorCode::AccessDenied)
                .with_message("An application can only deactivate itself"),
        ));
    }
    let event = application_event(
        &infra.topics,
        id,
        Kind::Deactivated(ApplicationDeactivated {}),
    );
    let mut conn = infra.pool.get().await?;
    let row = conn
        .transaction::<_, ServiceError, _>(|c| {
            async move {
                let row = applications::deactivate(c, id).await?;
                insert_outbox(c, &event).await?;
                Ok(row)
            }
            .scope_boxed()
        })
        .await?;
    infra.relay.wake();
    // The database is the record; if this write fails the caller gets 503, may retry (the
    // call is idempotent), and the sync worker publishes it within seconds regardless.
    infra
        .authenticator
        .revocations()
        .revoke(&id.to_string())
        .await?;
    Ok(ApiResponse::ok(ApplicationView::from(&row))
        .with_message("Application deactivated; its tokens are revoked")
        .respond())
}

/// A new application key pair; the private JWK is shown only in this answer.
#[utoipa::path(
    post,
    path = "/v1/applications/keys/rotate",
    tag = "Applications",
    responses((status = 200, description = "Rotated", body = ApiResponse<RotatedKeysView>)),
)]
pub async fn rotate_keys(
    infra: web::Data<Infra>,
    caller: AuthenticatedApp,
) -> ServiceResult<HttpResponse> {
    let keypair = EcKeyPair::generate();
    let jwk = keypair.public_jwk();
    let mut conn = infra.pool.get().await?;
    let topics = infra.topics.clone();
    let row = conn
        .transaction::<_, ServiceError, _>(|c| {
            async move {
                let row = applications::set_public_key(c, caller.app_id, jwk).await?;
                let event = application_event(
                    &topics,
                    row.id,
                    Kind::KeysRotated(ApplicationKeysRotated {
                        key_version: row.key_version,
                    }),
                );
                insert_outbox(c, &event).await?;
                Ok(row)
            }
            .scope_boxed()
        })
        .await?;
    infra.relay.wake();
    Ok(ApiResponse::ok(RotatedKeysView {
        app_public_key_jwk: row.app_public_jwk,
        app_private_jwk: keypair.private_jwk().expose().clone(),
        key_version: row.key_version,
    })
    .with_message("Keys rotated. Store the appPrivateJwk – it is shown only once.")
    .respond())
}

/// A new webhook signing secret, in force from the next delivery attempt; shown only here.
#[utoipa::path(
    post,
    path = "/v1/applications/webhook-secret/rotate",
    tag = "Applications",
    responses((status = 200, description = "Rotated", body = ApiResponse<WebhookSecretView>)),
)]
pub async fn rotate_webhook_secret(
    infra: web::Data<Infra>,
    state: web::Data<IdentityState>,
    caller: AuthenticatedApp,
) -> ServiceResult<HttpResponse> {
    let secret = secret_hash::generate_secret();
    let encrypted = state
        .cipher
        .encrypt(secret.expose().as_bytes(), caller.app_id.as_bytes())
        .map_err(ServiceError::internal)?;
    let event = application_event(
        &infra.topics,
        caller.app_id,
        Kind::WebhookSecretRotated(WebhookSecretRotated {}),
    );
    let mut conn = infra.pool.get().await?;
    conn.transaction::<_, ServiceError, _>(|c| {
        async move {
            applications::set_webhook_secret(c, caller.app_id, &encrypted).await?;
            insert_outbox(c, &event).await?;
            Ok(())
        }
        .scope_boxed()
    })
    .await?;
    infra.relay.wake();
    Ok(ApiResponse::ok(WebhookSecretView {
        webhook_secret: secret.expose().clone(),
    })
    .with_message("Webhook secret rotated. Store it – it is shown only once.")
    .respond())
}

async fn own_application(infra: &Infra, id: Uuid) -> ServiceResult<ApplicationRow> {
    let mut conn = infra.pool.get().await?;
    applications::find(&mut conn, id)
        .await?
        .ok_or_else(|| ErrorCode::ApplicationNotFound.into())
}
