use actix_web::{http::header, web, HttpRequest, HttpResponse};
use idaas_api::{ApiError, ApiResponse, ErrorCode, Page, PageQuery};
use idaas_auth::AuthenticatedApp;
use idaas_domain::Currency;
use idaas_service::{Infra, ServiceError, ServiceResult};
use serde::Deserialize;

use super::views::{EntryView, WalletView};
use crate::{
    app_directory::AppDirectory,
    store::{entries, wallets},
};

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
pub async fn provision(
    req: HttpRequest,
    infra: web::Data<Infra>,
    directory: web::Data<AppDirectory>,
    caller: AuthenticatedApp,
    query: web::Query<CurrencyQuery>,
) -> ServiceResult<HttpResponse> {
    let currency = currency(query.currency.as_deref())?;
    let mut conn = infra.pool.get().await?;
    let wallet = match wallets::find(&mut conn, caller.app_id, currency.as_str()).await? {
        Some(w) => w,
        None => {
            let authorization = req
                .headers()
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok());
            let name = directory
                .name_of(caller.app_id, authorization)
                .await
                .map_err(ServiceError::unavailable)?;
            wallets::ensure(&mut conn, caller.app_id, &name, currency.as_str()).await?
        }
    };
    Ok(ApiResponse::ok(WalletView::from(&wallet))
        .with_message("Wallet provisioned")
        .respond())
}

pub async fn get(
    infra: web::Data<Infra>,
    caller: AuthenticatedApp,
    query: web::Query<CurrencyQuery>,
) -> ServiceResult<HttpResponse> {
    let currency = currency(query.currency.as_deref())?;
    let mut conn = infra.pool.get().await?;
    let wallet = wallets::find(&mut conn, caller.app_id, currency.as_str())
        .await?
        .ok_or(ErrorCode::WalletNotFound)?;
    Ok(ApiResponse::ok(WalletView::from(&wallet)).respond())
}

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
    let mut conn = infra.pool.get().await?;
    let wallet = wallets::find(&mut conn, caller.app_id, currency.as_str())
        .await?
        .ok_or(ErrorCode::WalletNotFound)?;
    let (rows, total) = entries::page(&mut conn, wallet.id, page, size).await?;
    let content = rows.iter().map(EntryView::from).collect();
    Ok(ApiResponse::ok(Page::new(content, page, size, total)).respond())
}
