use actix_web::{http::header, web, HttpRequest, HttpResponse};
use idaas_api::{ApiError, ApiResponse, ErrorEnvelope, Page, PageQuery};
use idaas_auth::AuthenticatedApp;
use idaas_domain::Currency;
use idaas_service::{Infra, ServiceResult};
use serde::Deserialize;

use super::views::{EntryView, WalletView};
use crate::{clients::identity::AppDirectory, domain::wallets};

#[derive(Deserialize)]
pub struct CurrencyQuery {
    currency: Option<String>,
}

#[derive(Deserialize)]
pub struct StatementQuery {
    currency: Option<String>,
    page: Option<i64>,
    size: Option<i64>,
}

fn currency(raw: Option<&str>) -> Result<Currency, ApiError> {
    match raw {
        None => Ok(Currency::default()),
        Some(c) => Currency::parse(c).map_err(|e| ApiError::validation(vec![e.to_string()])),
    }
}

/// Idempotent: the first call creates the wallet, every later call returns it.
#[utoipa::path(
    post,
    path = "/v1/wallet",
    tag = "Wallet",
    params(
        ("currency" = Option<String>, Query, description = "ISO 4217 code; NGN when absent", example = "NGN"),
    ),
    responses((status = 200, description = "The caller's wallet in that currency", body = ApiResponse<WalletView>)),
)]
pub async fn provision(
    req: HttpRequest,
    infra: web::Data<Infra>,
    directory: web::Data<AppDirectory>,
    caller: AuthenticatedApp,
    query: web::Query<CurrencyQuery>,
) -> ServiceResult<HttpResponse> {
    let currency = currency(query.currency.as_deref())?;
    let authorization = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let wallet =
        wallets::provision(&infra, &directory, caller.app_id, currency, authorization).await?;
    Ok(ApiResponse::ok(WalletView::from(&wallet))
        .with_message("Wallet provisioned")
        .respond())
}

/// The caller's wallet and balance.
#[utoipa::path(
    get,
    path = "/v1/wallet",
    tag = "Wallet",
    params(
        ("currency" = Option<String>, Query, description = "ISO 4217 code; NGN when absent", example = "NGN"),
    ),
    responses(
        (status = 200, description = "The caller's wallet", body = ApiResponse<WalletView>),
        (status = 404, description = "No wallet in that currency yet (IDAAS-RES-3011)", body = ErrorEnvelope),
    ),
)]
pub async fn get(
    infra: web::Data<Infra>,
    caller: AuthenticatedApp,
    query: web::Query<CurrencyQuery>,
) -> ServiceResult<HttpResponse> {
    let currency = currency(query.currency.as_deref())?;
    let wallet = wallets::own(&infra, caller.app_id, currency).await?;
    Ok(ApiResponse::ok(WalletView::from(&wallet)).respond())
}

/// The caller's ledger entries, newest first.
#[utoipa::path(
    get,
    path = "/v1/wallet/statement",
    tag = "Wallet",
    params(
        ("currency" = Option<String>, Query, description = "ISO 4217 code; NGN when absent", example = "NGN"),
        ("page" = Option<i64>, Query, description = "Zero-based page number", minimum = 0, maximum = 1_000_000),
        ("size" = Option<i64>, Query, description = "Page size, 1 to 100", minimum = 1, maximum = 100),
    ),
    responses(
        (status = 200, description = "One page of entries", body = ApiResponse<Page<EntryView>>),
        (status = 404, description = "No wallet in that currency yet (IDAAS-RES-3011)", body = ErrorEnvelope),
    ),
)]
pub async fn statement(
    infra: web::Data<Infra>,
    caller: AuthenticatedApp,
    query: web::Query<StatementQuery>,
) -> ServiceResult<HttpResponse> {
    let currency = currency(query.currency.as_deref())?;
    let (page, size) = PageQuery {
        page: query.page,
        size: query.size,
    }
    .validate()?;
    let (rows, total) = wallets::statement(&infra, caller.app_id, currency, page, size).await?;
    let content = rows.iter().map(EntryView::from).collect();
    Ok(ApiResponse::ok(Page::new(content, page, size, total)).respond())
}
