//! Reading delivery records: a payment's records are visible to both of its parties (others
//! get 404); the failed list is each application's own deliveries.

use idaas_api::{ApiError, ErrorCode};
use idaas_service::{Infra, ServiceError, ServiceResult};
use uuid::Uuid;

use idaas_contracts::deliveries::{DeliverySummary, DirectionSummary};

use super::Direction;
use crate::store::deliveries::{self, DeliveryRow, ManualAsk};

/// The payment's records the caller may see. None at all is 404 (`IDAAS-RES-3010`), the same
/// whether the caller is no party or the payment is unknown, so nothing leaks.
pub async fn of_transaction(
    infra: &Infra,
    app: Uuid,
    reference: &str,
    direction: Option<Direction>,
) -> ServiceResult<Vec<DeliveryRow>> {
    let mut conn = infra.pool.get().await?;
    let all = deliveries::for_reference(&mut conn, app, reference).await?;
    if all.is_empty() {
        return Err(ErrorCode::TransactionNotFound.into());
    }
    Ok(all
        .into_iter()
        .filter(|r| direction.is_none_or(|d| r.direction == d))
        .collect())
}

pub async fn one(infra: &Infra, app: Uuid, id: Uuid) -> ServiceResult<DeliveryRow> {
    let mut conn = infra.pool.get().await?;
    deliveries::find_visible(&mut conn, app, id)
        .await?
        // The catalog has no code of its own for a delivery record.
        .ok_or_else(|| ErrorCode::ResourceNotFound.into())
}

pub async fn failed(
    infra: &Infra,
    app: Uuid,
    page: i64,
    size: i64,
) -> ServiceResult<(Vec<DeliveryRow>, i64)> {
    let mut conn = infra.pool.get().await?;
    Ok(deliveries::failed_page(&mut conn, app, page, size).await?)
}

/// Where each direction's delivery of a payment stands (the latest record of each).
pub async fn summary(infra: &Infra, reference: &str) -> ServiceResult<DeliverySummary> {
    let mut conn = infra.pool.get().await?;
    let rows = deliveries::all_for_reference(&mut conn, reference).await?;
    let of = |d: Direction| {
        rows.iter()
            .rev()
            .find(|r| r.direction == d)
            .map(|r| DirectionSummary {
                status: r.status.as_str().to_owned(),
                attempts: r.attempts,
                delivered_at: r
                    .delivered_at
                    .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            })
    };
    Ok(DeliverySummary {
        receiver: of(Direction::Receiver),
        sender: of(Direction::Sender),
    })
}

/// `POST /v1/webhooks/{id}/retry`: one more attempt of an ended delivery, asked by the
/// application it is for. Idempotent: while that attempt (or the schedule) is pending, asking
/// again changes nothing. The other party of the payment may see the record but not retry it.
pub async fn retry(infra: &Infra, app: Uuid, id: Uuid) -> ServiceResult<DeliveryRow> {
    let mut conn = infra.pool.get().await?;
    if let Some(row) = deliveries::request_manual(
        &mut conn,
        id,
        app,
        ManualAsk::Application,
        chrono::Utc::now(),
    )
    .await?
    {
        tracing::info!(delivery = %id, requested_by = %app, "manual webhook retry queued");
        return Ok(row);
    }
    match deliveries::find_visible(&mut conn, app, id).await? {
        Some(row) if row.application_id == app => Ok(row),
        Some(_) => Err(ServiceError::Api(
            ApiError::new(ErrorCode::AccessDenied)
                .with_message("Only the application a delivery is for can retry it"),
        )),
        None => Err(ErrorCode::ResourceNotFound.into()),
    }
}
