//! An application's life: registration (its secrets shown once), deactivation (its tokens
//! revoked), key and webhook-secret rotation. Each change and its event commit together.

use diesel_async::{scoped_futures::ScopedFutureExt, AsyncConnection};
use idaas_api::{ApiError, ErrorCode};
use idaas_crypto::{keys::EcKeyPair, secret::Secret, secret_hash};
use idaas_db::unique_violation;
use idaas_kafka::insert_outbox;
use idaas_proto::identity::v1::{
    application_event::Kind, ApplicationDeactivated, ApplicationKeysRotated, ApplicationRegistered,
    WebhookSecretRotated,
};
use idaas_service::{Infra, ServiceError, ServiceResult};
use uuid::Uuid;

use super::{events::application_event, registration::Registration};
use crate::{
    store::applications::{self, ApplicationRow, NewApplication, HANDLE_UNIQUE},
    IdentityState,
};

/// A new application and the credentials that exist in clear only in this answer.
pub struct Registered {
    pub row: ApplicationRow,
    pub client_secret: Secret<String>,
    pub webhook_secret: Secret<String>,
    pub keypair: EcKeyPair,
}

#[tracing::instrument(skip_all, fields(app_handle = %reg.handle))]
pub async fn register(
    infra: &Infra,
    state: &IdentityState,
    reg: Registration,
) -> ServiceResult<Registered> {
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
            // The contract's "no URL" is the empty string.
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
    Ok(Registered {
        row,
        client_secret,
        webhook_secret,
        keypair,
    })
}

/// The caller's own application.
pub async fn own(infra: &Infra, id: Uuid) -> ServiceResult<ApplicationRow> {
    let mut conn = infra.pool.get().await?;
    applications::find(&mut conn, id)
        .await?
        .ok_or_else(|| ErrorCode::ApplicationNotFound.into())
}

/// An application may deactivate only itself; its tokens stop working at once.
#[tracing::instrument(skip_all, fields(app_id = %caller))]
pub async fn deactivate(infra: &Infra, caller: Uuid, id: Uuid) -> ServiceResult<ApplicationRow> {
    if id != caller {
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
    Ok(row)
}

/// A new key pair: the public half is stored, the private half returned once.
pub async fn rotate_keys(infra: &Infra, app: Uuid) -> ServiceResult<(ApplicationRow, EcKeyPair)> {
    let keypair = EcKeyPair::generate();
    let jwk = keypair.public_jwk();
    let mut conn = infra.pool.get().await?;
    let topics = infra.topics.clone();
    let row = conn
        .transaction::<_, ServiceError, _>(|c| {
            async move {
                let row = applications::set_public_key(c, app, jwk).await?;
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
    Ok((row, keypair))
}

/// A new webhook signing secret, stored sealed and returned once.
pub async fn rotate_webhook_secret(
    infra: &Infra,
    state: &IdentityState,
    app: Uuid,
) -> ServiceResult<Secret<String>> {
    let secret = secret_hash::generate_secret();
    let encrypted = state
        .cipher
        .encrypt(secret.expose().as_bytes(), app.as_bytes())
        .map_err(ServiceError::internal)?;
    let event = application_event(
        &infra.topics,
        app,
        Kind::WebhookSecretRotated(WebhookSecretRotated {}),
    );
    let mut conn = infra.pool.get().await?;
    conn.transaction::<_, ServiceError, _>(|c| {
        async move {
            applications::set_webhook_secret(c, app, &encrypted).await?;
            insert_outbox(c, &event).await?;
            Ok(())
        }
        .scope_boxed()
    })
    .await?;
    infra.relay.wake();
    Ok(secret)
}
