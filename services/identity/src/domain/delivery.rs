//! What the webhook dispatcher needs to sign and encrypt one delivery, as it stands now.

use idaas_api::ErrorCode;
use idaas_contracts::applications::DeliveryProfile;
use idaas_crypto::secret::Secret;
use idaas_service::{Infra, ServiceError, ServiceResult};
use uuid::Uuid;

use crate::{store::applications, IdentityState};

pub async fn profile(
    infra: &Infra,
    state: &IdentityState,
    id: Uuid,
) -> ServiceResult<DeliveryProfile> {
    let mut conn = infra.pool.get().await?;
    let (app, sealed) = applications::find_with_webhook_secret(&mut conn, id)
        .await?
        .ok_or(ErrorCode::ApplicationNotFound)?;
    // Sealed with the row id as associated data: a ciphertext moved to another row fails here.
    let secret = state
        .cipher
        .decrypt(&sealed, id.as_bytes())
        .map_err(ServiceError::internal)?;
    let secret = String::from_utf8(secret.expose().clone()).map_err(ServiceError::internal)?;
    Ok(DeliveryProfile {
        application_id: app.id,
        active: app.active,
        webhook_secret: Secret::new(secret),
        encryption_enabled: app.encryption_enabled,
        public_jwk: app.app_public_jwk,
        key_version: app.key_version,
    })
}
