//! `/v1/settlement...`: batches for the applications (section 13). Every application sees each
//! batch's totals and only its own entry.

use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use idaas_api::{ApiError, ApiResponse, ErrorCode, ErrorEnvelope, Page, PageQuery};
use idaas_auth::AuthenticatedApp;
use idaas_domain::Currency;
use idaas_service::{Infra, ServiceResult};
use idaas_web::resource;
use serde::Deserialize;
use uuid::Uuid;

use super::views::BatchView;
use crate::domain::{
    records,
    run::{RunError, Settler},
    window::parse_date,
};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/v1/settlement").route(web::get().to(list)))
        .service(resource("/v1/settlement/run").route(web::post().to(run)))
        .service(resource("/v1/settlement/date/{date}").route(web::get().to(by_date)))
        .service(resource("/v1/settlement/{id}").route(web::get().to(one)));
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CurrencyQuery {
    /// ISO 4217; the default currency (NGN) when absent.
    #[param(example = "NGN")]
    currency: Option<String>,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RunQuery {
    /// The settlement date to run, YYYY-MM-DD.
    #[param(example = "2025-03-04")]
    date: Option<String>,
    /// Which of the date's batches to answer with; the default currency (NGN) when absent.
    #[param(example = "NGN")]
    currency: Option<String>,
}

fn date(raw: &str) -> Result<NaiveDate, ApiError> {
    parse_date(raw).map_err(|e| ApiError::validation(vec![e]))
}

fn currency(raw: Option<&str>, settler: &Settler) -> Result<String, ApiError> {
    match raw {
        None => Ok(settler.settings.default_currency.clone()),
        Some(c) => Currency::parse(c)
            .map(|c| c.as_str().to_owned())
            .map_err(|e| ApiError::validation(vec![format!("currency: {e}")])),
    }
}

/// Every batch, newest date first: totals, and the caller's own entry.
#[utoipa::path(
    get,
    path = "/v1/settlement",
    tag = "Settlement",
    params(PageQuery),
    responses((status = 200, description = "One page of batches, newest first", body = ApiResponse<Page<BatchView>>)),
)]
async fn list(
    infra: web::Data<Infra>,
    caller: AuthenticatedApp,
    query: web::Query<PageQuery>,
) -> ServiceResult<HttpResponse> {
    let page = records::page(&infra, &query, caller.app_id).await?;
    Ok(ApiResponse::ok(page).respond())
}

/// One batch by its id.
#[utoipa::path(
    get,
    path = "/v1/settlement/{id}",
    tag = "Settlement",
    params(("id" = Uuid, Path, description = "The batch id")),
    responses(
        (status = 200, description = "The batch, with the caller's own entry", body = ApiResponse<BatchView>),
        (status = 404, description = "No such batch (IDAAS-RES-3012)", body = ErrorEnvelope),
    ),
)]
async fn one(
    infra: web::Data<Infra>,
    caller: AuthenticatedApp,
    path: web::Path<String>,
) -> ServiceResult<HttpResponse> {
    // An id that is not a UUID names no batch: the same 404 as an unknown one.
    let id = Uuid::parse_str(&path).map_err(|_| {
        ApiError::new(ErrorCode::ResourceNotFound).with_message("No such settlement batch")
    })?;
    let view = records::by_id(&infra, id, caller.app_id).await?;
    Ok(ApiResponse::ok(view).respond())
}

/// The batch of one settlement date and currency.
#[utoipa::path(
    get,
    path = "/v1/settlement/date/{date}",
    tag = "Settlement",
    params(("date" = String, Path, description = "YYYY-MM-DD", example = "2025-03-04"), CurrencyQuery),
    responses(
        (status = 200, description = "The batch, with the caller's own entry", body = ApiResponse<BatchView>),
        (status = 400, description = "Not a date (IDAAS-VALID-2001)", body = ErrorEnvelope),
        (status = 404, description = "Not settled (yet) in that currency (IDAAS-RES-3012)", body = ErrorEnvelope),
    ),
)]
async fn by_date(
    infra: web::Data<Infra>,
    settler: web::Data<Settler>,
    caller: AuthenticatedApp,
    path: web::Path<String>,
    query: web::Query<CurrencyQuery>,
) -> ServiceResult<HttpResponse> {
    let date = date(&path)?;
    let currency = currency(query.currency.as_deref(), &settler)?;
    let view = records::by_date(&infra, date, &currency, caller.app_id).await?;
    Ok(ApiResponse::ok(view).respond())
}

/// Settles a closed day now (idempotent: a settled day answers its existing batch).
#[utoipa::path(
    post,
    path = "/v1/settlement/run",
    tag = "Settlement",
    params(RunQuery),
    responses(
        (status = 200, description = "The date's batch in that currency: COMPLETED, or FAILED with the reason (tried again later)", body = ApiResponse<BatchView>),
        (status = 400, description = "No date, or not a date (IDAAS-VALID-2001)", body = ErrorEnvelope),
        (status = 422, description = "The day has not closed yet (IDAAS-STATE-5011)", body = ErrorEnvelope),
    ),
)]
async fn run(
    infra: web::Data<Infra>,
    settler: web::Data<Settler>,
    caller: AuthenticatedApp,
    query: web::Query<RunQuery>,
) -> ServiceResult<HttpResponse> {
    let raw = query
        .date
        .as_deref()
        .ok_or_else(|| ApiError::validation(vec!["date is required (YYYY-MM-DD)".into()]))?;
    let date = date(raw)?;
    let currency = currency(query.currency.as_deref(), &settler)?;
    tracing::info!(%date, application = %caller.app_id, "settlement run asked for");
    let batches = settler.settle(date, false).await.map_err(|e| match e {
        RunError::NotClosed { .. } => ApiError::new(ErrorCode::SettlementDayOpen)
            .with_message(e.to_string())
            .into(),
        RunError::Service(e) => e,
    })?;
    let batch = batches
        .iter()
        .find(|b| b.currency == currency)
        .ok_or_else(|| {
            ApiError::new(ErrorCode::ResourceNotFound)
                .with_message(format!("No settlement batch for {date} in {currency}"))
        })?;
    let view = records::view(&infra, batch, caller.app_id).await?;
    Ok(ApiResponse::ok(view)
        .with_message("Settlement run")
        .respond())
}
