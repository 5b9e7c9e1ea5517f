//! `/v1/transactions/{reference}/webhooks...` and `/v1/webhooks/...`: delivery records.

use actix_web::{web, HttpResponse};
use idaas_api::{ApiError, ApiResponse, ErrorEnvelope, Page, PageQuery};
use idaas_auth::AuthenticatedApp;
use idaas_service::{Infra, ServiceResult};
use idaas_web::resource;
use uuid::Uuid;

use super::views::DeliveryView;
use crate::domain::{records, Direction};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/v1/transactions/{reference}/webhooks").route(web::get().to(of_transaction)),
    )
    .service(
        resource("/v1/transactions/{reference}/webhooks/receiver").route(web::get().to(receiver)),
    )
    .service(resource("/v1/transactions/{reference}/webhooks/sender").route(web::get().to(sender)))
    .service(resource("/v1/webhooks/failed").route(web::get().to(failed)))
    .service(resource("/v1/webhooks/{id}").route(web::get().to(one)))
    .service(resource("/v1/webhooks/{id}/retry").route(web::post().to(retry)));
}

async fn list(
    infra: &Infra,
    caller: &AuthenticatedApp,
    reference: &str,
    direction: Option<Direction>,
) -> ServiceResult<HttpResponse> {
    let rows = records::of_transaction(infra, caller.app_id, reference, direction).await?;
    let views: Vec<_> = rows
        .iter()
        .map(|r| DeliveryView::of(r, caller.app_id))
        .collect();
    Ok(ApiResponse::ok(views).respond())
}

/// Both deliveries of a payment (RECEIVER and SENDER), for either of its parties.
#[utoipa::path(
    get,
    path = "/v1/transactions/{reference}/webhooks",
    tag = "Webhooks",
    params(("reference" = String, Path, description = "The transaction reference", pattern = "^TXN-[0-9]{10}-[A-Z0-9]{8}$")),
    responses(
        (status = 200, description = "Up to one record per direction", body = ApiResponse<Vec<DeliveryView>>),
        (status = 404, description = "No records the caller may see (IDAAS-RES-3010)", body = ErrorEnvelope),
    ),
)]
async fn of_transaction(
    infra: web::Data<Infra>,
    caller: AuthenticatedApp,
    path: web::Path<String>,
) -> ServiceResult<HttpResponse> {
    list(&infra, &caller, &path, None).await
}

/// The RECEIVER delivery (TRANSACTION_INITIATED) of a payment.
#[utoipa::path(
    get,
    path = "/v1/transactions/{reference}/webhooks/receiver",
    tag = "Webhooks",
    params(("reference" = String, Path, description = "The transaction reference", pattern = "^TXN-[0-9]{10}-[A-Z0-9]{8}$")),
    responses(
        (status = 200, description = "The receiver's record, if recorded yet", body = ApiResponse<Vec<DeliveryView>>),
        (status = 404, description = "No records the caller may see (IDAAS-RES-3010)", body = ErrorEnvelope),
    ),
)]
async fn receiver(
    infra: web::Data<Infra>,
    caller: AuthenticatedApp,
    path: web::Path<String>,
) -> ServiceResult<HttpResponse> {
    list(&infra, &caller, &path, Some(Direction::Receiver)).await
}

/// The SENDER delivery (the outcome callback) of a payment.
#[utoipa::path(
    get,
    path = "/v1/transactions/{reference}/webhooks/sender",
    tag = "Webhooks",
    params(("reference" = String, Path, description = "The transaction reference", pattern = "^TXN-[0-9]{10}-[A-Z0-9]{8}$")),
    responses(
        (status = 200, description = "The sender's record, once the outcome is known", body = ApiResponse<Vec<DeliveryView>>),
        (status = 404, description = "No records the caller may see (IDAAS-RES-3010)", body = ErrorEnvelope),
    ),
)]
async fn sender(
    infra: web::Data<Infra>,
    caller: AuthenticatedApp,
    path: web::Path<String>,
) -> ServiceResult<HttpResponse> {
    list(&infra, &caller, &path, Some(Direction::Sender)).await
}

/// The caller's own deliveries that failed (attempts exhausted, or undeliverable).
#[utoipa::path(
    get,
    path = "/v1/webhooks/failed",
    tag = "Webhooks",
    params(PageQuery),
    responses((status = 200, description = "One page, newest first", body = ApiResponse<Page<DeliveryView>>)),
)]
async fn failed(
    infra: web::Data<Infra>,
    caller: AuthenticatedApp,
    query: web::Query<PageQuery>,
) -> ServiceResult<HttpResponse> {
    let (page, size) = query.validate()?;
    let (rows, total) = records::failed(&infra, caller.app_id, page, size).await?;
    let content = rows
        .iter()
        .map(|r| DeliveryView::of(r, caller.app_id))
        .collect();
    Ok(ApiResponse::ok(Page::new(content, page, size, total)).respond())
}

/// One delivery record, for the application it is for or either party of its payment.
#[utoipa::path(
    get,
    path = "/v1/webhooks/{id}",
    tag = "Webhooks",
    params(("id" = Uuid, Path, description = "The delivery id (X-IDaaS-Delivery)")),
    responses(
        (status = 200, description = "The record", body = ApiResponse<DeliveryView>),
        (status = 404, description = "No such record the caller may see (IDAAS-RES-3012)", body = ErrorEnvelope),
    ),
)]
async fn one(
    infra: web::Data<Infra>,
    caller: AuthenticatedApp,
    path: web::Path<String>,
) -> ServiceResult<HttpResponse> {
    let id = Uuid::parse_str(&path)
        .map_err(|_| ApiError::validation(vec!["id must be a UUID".into()]))?;
    let row = records::one(&infra, caller.app_id, id).await?;
    Ok(ApiResponse::ok(DeliveryView::of(&row, caller.app_id)).respond())
}

/// One more attempt of a FAILED or DELIVERED delivery, now, signed with the secret in force.
/// Beyond the guide; asking again while it is pending changes nothing.
#[utoipa::path(
    post,
    path = "/v1/webhooks/{id}/retry",
    tag = "Webhooks",
    params(("id" = Uuid, Path, description = "The delivery id (X-IDaaS-Delivery)")),
    responses(
        (status = 202, description = "Queued (or already pending); the record as it stands", body = ApiResponse<DeliveryView>),
        (status = 403, description = "The record is the other party's (IDAAS-AUTH-1006)", body = ErrorEnvelope),
        (status = 404, description = "No such record the caller may see (IDAAS-RES-3012)", body = ErrorEnvelope),
    ),
)]
async fn retry(
    infra: web::Data<Infra>,
    caller: AuthenticatedApp,
    path: web::Path<String>,
) -> ServiceResult<HttpResponse> {
    let id = Uuid::parse_str(&path)
        .map_err(|_| ApiError::validation(vec!["id must be a UUID".into()]))?;
    let row = records::retry(&infra, caller.app_id, id).await?;
    Ok(ApiResponse::ok(DeliveryView::of(&row, caller.app_id))
        .with_message("Retry queued")
        .into_response(actix_web::http::StatusCode::ACCEPTED))
}
