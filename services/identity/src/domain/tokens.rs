//! Client credentials for an application token.

use idaas_api::{ApiError, ErrorCode};
use idaas_auth::IssuedToken;
use idaas_crypto::secret_hash;
use idaas_service::{Infra, ServiceResult};
use uuid::Uuid;

use crate::{
    store::applications::{self, ApplicationRow},
    IdentityState,
};

/// A token for the active application whose client id and secret these are. Unknown id,
/// wrong secret and deactivated application all fail the same way, after the same hash
/// comparison, so the answer reveals nothing about which one it was.
pub async fn issue(
    infra: &Infra,
    state: &IdentityState,
    client_id: &str,
    client_secret: &str,
) -> ServiceResult<(IssuedToken, ApplicationRow)> {
    let app = match Uuid::parse_str(client_id) {
        Ok(id) => {
            let mut conn = infra.pool.get().await?;
            applications::find_by_client_id(&mut conn, id).await?
        }
        Err(_) => None,
    };
    let stored = app
        .as_ref()
        .map(|a| a.client_secret_hash.as_str())
        .unwrap_or(&state.dummy_secret_hash);
    let secret_ok = secret_hash::verify_secret(client_secret, stored);
    let app = match app {
        Some(a) if secret_ok && a.active => a,
        _ => return Err(ErrorCode::AuthenticationFailed.into()),
    };
    let issued = state
        .issuer
        .issue(app.id, &app.app_handle, app.encryption_enabled)
        .map_err(ApiError::internal)?;
    Ok((issued, app))
}
