//! An application's wallets: one per currency, created on first use (named from identity),
//! read only by the application that owns it.

use idaas_api::ErrorCode;
use idaas_domain::Currency;
use idaas_service::{Infra, ServiceError, ServiceResult};
use uuid::Uuid;

use crate::{
    clients::identity::AppDirectory,
    store::{
        entries::{self, EntryRow},
        wallets::{self, WalletRow},
    },
};

/// Idempotent: the first call creates the wallet, every later call returns it. `authorization`
/// is the caller's own bearer, with which identity is asked the application's name.
pub async fn provision(
    infra: &Infra,
    directory: &AppDirectory,
    app: Uuid,
    currency: Currency,
    authorization: Option<&str>,
) -> ServiceResult<WalletRow> {
    let mut conn = infra.pool.get().await?;
    if let Some(w) = wallets::find(&mut conn, app, currency.as_str()).await? {
        return Ok(w);
    }
    let name = directory
        .name_of(app, authorization)
        .await
        .map_err(ServiceError::unavailable)?;
    Ok(wallets::ensure(&mut conn, app, &name, currency.as_str()).await?)
}

pub async fn own(infra: &Infra, app: Uuid, currency: Currency) -> ServiceResult<WalletRow> {
    let mut conn = infra.pool.get().await?;
    wallets::find(&mut conn, app, currency.as_str())
        .await?
        .ok_or_else(|| ErrorCode::WalletNotFound.into())
}

/// One page of the wallet's entries, newest first, and the total.
pub async fn statement(
    infra: &Infra,
    app: Uuid,
    currency: Currency,
    page: i64,
    size: i64,
) -> ServiceResult<(Vec<EntryRow>, i64)> {
    let wallet = own(infra, app, currency).await?;
    let mut conn = infra.pool.get().await?;
    Ok(entries::page(&mut conn, wallet.id, page, size).await?)
}
