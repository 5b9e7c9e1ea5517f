//! HTTP surface of the transaction service: parse → flow → envelope.

use actix_web::{web, HttpRequest, HttpResponse};
use idaas_api::{ApiError, ApiResponse, ErrorCode, Page, PageQuery};
use idaas_auth::AuthenticatedApp;
use idaas_service::{Infra, ServiceResult};
use idaas_web::resource;
use serde::Deserialize;

use crate::{
    decision, idempotency, initiation, reference,
    store::transactions::{self, Listing},
    view::TransactionView,
    TxState,
};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/v1/transactions").route(web::post().to(initiate)))
        .service(resource("/v1/transactions/sent").route(web::get().to(sent)))
        .service(resource("/v1/transactions/received").route(web::get().to(received)))
        .service(resource("/v1/transactions/pending").route(web::get().to(pending)))
        .service(resource("/v1/transactions/{reference}").route(web::get().to(get)))
        .service(resource("/v1/transactions/{reference}/accept").route(web::post().to(accept)))
        .service(resource("/v1/transactions/{reference}/reject").route(web::post().to(reject)));
}

async fn initiate(
    req: HttpRequest,
    payload: web::Payload,
    infra: web::Data<Infra>,
    state: web::Data<TxState>,
    caller: AuthenticatedApp,
) -> ServiceResult<HttpResponse> {
    let body = idaas_web::read_limited(payload, infra.max_body()).await?;
    let guard = idempotency::guard(&req, caller.app_id, "POST /v1/transactions", &body)?;
    Ok(
        match initiation::initiate(&infra, &state, &caller, guard, &body).await? {
            initiation::Outcome::Created(answer) => answer.into_response(),
            initiation::Outcome::Replayed(s, b) => idempotency::replay(s, b),
        },
    )
}

fn decided(outcome: decision::Outcome) -> HttpResponse {
    match outcome {
        decision::Outcome::Done(answer) => answer.into_response(),
        decision::Outcome::Replayed(s, b) => idempotency::replay(s, b),
    }
}

async fn accept(
    req: HttpRequest,
    path: web::Path<String>,
    infra: web::Data<Infra>,
    state: web::Data<TxState>,
    caller: AuthenticatedApp,
) -> ServiceResult<HttpResponse> {
    let guard = idempotency::guard(&req, caller.app_id, &format!("POST accept {path}"), b"")?;
    Ok(decided(
        decision::accept(&infra, &state, &caller, &path, guard).await?,
    ))
}

#[derive(Deserialize)]
struct RejectBody {
    reason: Option<String>,
}

async fn reject(
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
    infra: web::Data<Infra>,
    caller: AuthenticatedApp,
) -> ServiceResult<HttpResponse> {
    let body = idaas_web::read_limited(payload, infra.max_body()).await?;
    let reason = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        let parsed: RejectBody = serde_json::from_slice(&body)
            .map_err(|e| ApiError::validation(vec![format!("malformed JSON body: {e}")]))?;
        parsed.reason.filter(|r| !r.trim().is_empty())
    };
    if reason.as_ref().is_some_and(|r| r.chars().count() > 500) {
        return Err(
            ApiError::validation(vec!["reason must be at most 500 characters".into()]).into(),
        );
    }
    let guard = idempotency::guard(&req, caller.app_id, &format!("POST reject {path}"), &body)?;
    Ok(decided(
        decision::reject(&infra, &caller, &path, reason, guard).await?,
    ))
}

/// Visible to its sender and its receiver; to anyone else it does not exist.
async fn get(
    path: web::Path<String>,
    infra: web::Data<Infra>,
    caller: AuthenticatedApp,
) -> ServiceResult<HttpResponse> {
    if !reference::is_valid(&path) {
        return Err(ErrorCode::TransactionNotFound.into());
    }
    let mut conn = infra.pool.get().await?;
    let t = transactions::find(&mut conn, &path)
        .await?
        .filter(|t| t.sender_app_id == caller.app_id || t.receiver_app_id == caller.app_id)
        .ok_or(ErrorCode::TransactionNotFound)?;
    Ok(ApiResponse::ok(TransactionView::from(&t)).respond())
}

async fn list(
    infra: &Infra,
    caller: &AuthenticatedApp,
    query: &PageQuery,
    listing: Listing,
) -> ServiceResult<HttpResponse> {
    let (page, size) = query.validate()?;
    let mut conn = infra.pool.get().await?;
    let (rows, total) = transactions::page(&mut conn, caller.app_id, listing, page, size).await?;
    let content = rows.iter().map(TransactionView::from).collect();
    Ok(ApiResponse::ok(Page::new(content, page, size, total)).respond())
}

async fn sent(
    infra: web::Data<Infra>,
    caller: AuthenticatedApp,
    q: web::Query<PageQuery>,
) -> ServiceResult<HttpResponse> {
    list(&infra, &caller, &q, Listing::Sent).await
}

async fn received(
    infra: web::Data<Infra>,
    caller: AuthenticatedApp,
    q: web::Query<PageQuery>,
) -> ServiceResult<HttpResponse> {
    list(&infra, &caller, &q, Listing::Received).await
}

async fn pending(
    infra: web::Data<Infra>,
    caller: AuthenticatedApp,
    q: web::Query<PageQuery>,
) -> ServiceResult<HttpResponse> {
    list(&infra, &caller, &q, Listing::Pending).await
}
