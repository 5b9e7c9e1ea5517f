//! Reading payments back: each is visible to its sender and its receiver only.

use idaas_api::ErrorCode;
use idaas_service::{Infra, ServiceResult};
use uuid::Uuid;

use super::reference;
use crate::store::transactions::{self, Listing, TransactionRow};

/// The payment if `app` sent or received it; to anyone else it does not exist.
pub async fn visible(infra: &Infra, app: Uuid, reference: &str) -> ServiceResult<TransactionRow> {
    if !reference::is_valid(reference) {
        return Err(ErrorCode::TransactionNotFound.into());
    }
    let mut conn = infra.pool.get().await?;
    transactions::find(&mut conn, reference)
        .await?
        .filter(|t| t.sender_app_id == app || t.receiver_app_id == app)
        .ok_or_else(|| ErrorCode::TransactionNotFound.into())
}

/// One page of the app's payments of a kind, and the total.
pub async fn page(
    infra: &Infra,
    app: Uuid,
    listing: Listing,
    page: i64,
    size: i64,
) -> ServiceResult<(Vec<TransactionRow>, i64)> {
    let mut conn = infra.pool.get().await?;
    Ok(transactions::page(&mut conn, app, listing, page, size).await?)
}
