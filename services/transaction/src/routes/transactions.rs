//! `/v1/transactions...`: parse → flow → envelope.

use actix_web::{http::StatusCode, web, HttpRequest, HttpResponse};
use idaas_api::{ApiError, ApiResponse, ErrorEnvelope, Page, PageQuery};
use idaas_auth::AuthenticatedApp;
use idaas_service::{Infra, ServiceResult};
use idaas_web::resource;
use serde::Deserialize;

use crate::{
    app::TxState,
    domain::{
        answer::Answer,
        decision, idempotency, initiation,
        initiation_request::InitiationBody,
        lookup,
        view::{TransactionView, TransactionWithDeliveries},
    },
    store::transactions::Listing,
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

/// The stored answer, byte for byte; a replay says so in `Idempotency-Replayed`.
fn respond(answer: Answer, replayed: bool) -> HttpResponse {
    // Every stored status came from a StatusCode; an unreadable one is our fault, not a 200.
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut resp = HttpResponse::build(status);
    resp.content_type("application/json");
    if replayed {
        resp.insert_header((idempotency::REPLAYED_HEADER, "true"));
    }
    resp.body(answer.body)
}

fn idempotency_key(req: &HttpRequest) -> Option<&[u8]> {
    req.headers().get(idempotency::HEADER).map(|v| v.as_bytes())
}

/// Initiate a payment to another application's tag; the receiver accepts or rejects it.
#[utoipa::path(
    post,
    path = "/v1/transactions",
    tag = "Transactions",
    request_body = InitiationBody,
    params(
        ("Idempotency-Key" = Option<String>, Header, description = "1-255 printable ASCII characters; the same key and body within 24 h replays the first answer", example = "550e8400-e29b-41d4-a716-446655440000"),
    ),
    responses(
        (status = 201, description = "Initiated, awaiting acceptance", body = ApiResponse<TransactionView>, headers(("Idempotency-Replayed" = String, description = "`true` when this is the stored answer to an earlier request with the same key"))),
        (status = 404, description = "A tag does not exist (IDAAS-RES-3004)", body = ErrorEnvelope),
        (status = 409, description = "Ambiguous bare tag (IDAAS-CONF-4006) or Idempotency-Key conflict (IDAAS-CONF-4008)", body = ErrorEnvelope),
        (status = 403, description = "senderTag is not the caller's (IDAAS-AUTH-1006)", body = ErrorEnvelope),
        (status = 422, description = "A tag is disabled (IDAAS-STATE-5009)", body = ErrorEnvelope),
    ),
)]
async fn initiate(
    req: HttpRequest,
    payload: web::Payload,
    infra: web::Data<Infra>,
    state: web::Data<TxState>,
    caller: AuthenticatedApp,
) -> ServiceResult<HttpResponse> {
    let body = idaas_web::read_limited(payload, infra.max_body()).await?;
    let guard = idempotency::guard(
        idempotency_key(&req),
        caller.app_id,
        "POST /v1/transactions",
        &body,
    )?;
    Ok(
        match initiation::initiate(&infra, &state, &caller, guard, &body).await? {
            initiation::Outcome::Created(answer) => respond(answer, false),
            initiation::Outcome::Replayed(answer) => respond(answer, true),
        },
    )
}

fn decided(outcome: decision::Outcome) -> HttpResponse {
    match outcome {
        decision::Outcome::Done(answer) => respond(answer, false),
        decision::Outcome::Replayed(answer) => respond(answer, true),
    }
}

/// Accept a payment addressed to the caller: the ledger moves the money exactly once.
#[utoipa::path(
    post,
    path = "/v1/transactions/{reference}/accept",
    tag = "Transactions",
    params(
        ("reference" = String, Path, description = "The transaction reference", pattern = "^TXN-[0-9]{10}-[A-Z0-9]{8}$", example = "TXN-1741082580-A1B2C3D4"),
        ("Idempotency-Key" = Option<String>, Header, description = "1-255 printable ASCII characters; the same key and body within 24 h replays the first answer", example = "550e8400-e29b-41d4-a716-446655440000"),
    ),
    responses(
        (status = 200, description = "Accepted and completed", body = ApiResponse<TransactionView>, headers(("Idempotency-Replayed" = String, description = "`true` when this is the stored answer to an earlier request with the same key"))),
        (status = 404, description = "No such transaction for the caller (IDAAS-RES-3010)", body = ErrorEnvelope),
        (status = 403, description = "Not addressed to the caller (IDAAS-AUTH-1007)", body = ErrorEnvelope),
        (status = 409, description = "Not awaiting acceptance (IDAAS-STATE-5007) or Idempotency-Key conflict (IDAAS-CONF-4008)", body = ErrorEnvelope),
        (status = 422, description = "Expired (IDAAS-STATE-5008), or the ledger refused the posting (IDAAS-STATE-5010, with the FAILED transaction as data)", body = ErrorEnvelope),
    ),
)]
async fn accept(
    req: HttpRequest,
    path: web::Path<String>,
    infra: web::Data<Infra>,
    state: web::Data<TxState>,
    caller: AuthenticatedApp,
) -> ServiceResult<HttpResponse> {
    let guard = idempotency::guard(
        idempotency_key(&req),
        caller.app_id,
        &format!("POST accept {path}"),
        b"",
    )?;
    Ok(decided(
        decision::accept(&infra, &state, &caller, &path, guard).await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct RejectBody {
    #[schema(max_length = 500)]
    reason: Option<String>,
}

/// Reject a payment addressed to the caller; nothing moves.
#[utoipa::path(
    post,
    path = "/v1/transactions/{reference}/reject",
    tag = "Transactions",
    request_body(content = Option<RejectBody>, description = "Optional reason, at most 500 characters"),
    params(
        ("reference" = String, Path, description = "The transaction reference", pattern = "^TXN-[0-9]{10}-[A-Z0-9]{8}$", example = "TXN-1741082580-A1B2C3D4"),
        ("Idempotency-Key" = Option<String>, Header, description = "1-255 printable ASCII characters; the same key and body within 24 h replays the first answer", example = "550e8400-e29b-41d4-a716-446655440000"),
    ),
    responses(
        (status = 200, description = "Rejected", body = ApiResponse<TransactionView>, headers(("Idempotency-Replayed" = String, description = "`true` when this is the stored answer to an earlier request with the same key"))),
        (status = 404, description = "No such transaction for the caller (IDAAS-RES-3010)", body = ErrorEnvelope),
        (status = 403, description = "Not addressed to the caller (IDAAS-AUTH-1007)", body = ErrorEnvelope),
        (status = 409, description = "Not awaiting acceptance (IDAAS-STATE-5007) or Idempotency-Key conflict (IDAAS-CONF-4008)", body = ErrorEnvelope),
        (status = 422, description = "Expired (IDAAS-STATE-5008)", body = ErrorEnvelope),
    ),
)]
async fn reject(
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
    infra: web::Data<Infra>,
    state: web::Data<TxState>,
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
    let guard = idempotency::guard(
        idempotency_key(&req),
        caller.app_id,
        &format!("POST reject {path}"),
        &body,
    )?;
    Ok(decided(
        decision::reject(&infra, &caller, &path, reason, guard, state.clock.now()).await?,
    ))
}

#[utoipa::path(
    get,
    path = "/v1/transactions/{reference}",
    tag = "Transactions",
    params(("reference" = String, Path, description = "The transaction reference", pattern = "^TXN-[0-9]{10}-[A-Z0-9]{8}$", example = "TXN-1741082580-A1B2C3D4")),
    responses(
        (status = 200, description = "The transaction and its webhooks' delivery status", body = ApiResponse<TransactionWithDeliveries>),
        (status = 404, description = "Not the caller's, or no such transaction (IDAAS-RES-3010)", body = ErrorEnvelope),
    ),
)]
/// Visible to its sender and its receiver; to anyone else it does not exist.
async fn get(
    path: web::Path<String>,
    infra: web::Data<Infra>,
    state: web::Data<TxState>,
    caller: AuthenticatedApp,
) -> ServiceResult<HttpResponse> {
    let t = lookup::visible(&infra, caller.app_id, &path).await?;
    let webhooks = state.clients.delivery_summary(&t.reference).await;
    Ok(ApiResponse::ok(TransactionWithDeliveries {
        transaction: TransactionView::from(&t),
        webhooks,
    })
    .respond())
}

async fn list(
    infra: &Infra,
    caller: &AuthenticatedApp,
    query: &PageQuery,
    listing: Listing,
) -> ServiceResult<HttpResponse> {
    let (page, size) = query.validate()?;
    let (rows, total) = lookup::page(infra, caller.app_id, listing, page, size).await?;
    let content = rows.iter().map(TransactionView::from).collect();
    Ok(ApiResponse::ok(Page::new(content, page, size, total)).respond())
}

/// Payments the caller sent, newest first.
#[utoipa::path(
    get,
    path = "/v1/transactions/sent",
    tag = "Transactions",
    params(PageQuery),
    responses((status = 200, description = "One page", body = ApiResponse<Page<TransactionView>>)),
)]
async fn sent(
    infra: web::Data<Infra>,
    caller: AuthenticatedApp,
    q: web::Query<PageQuery>,
) -> ServiceResult<HttpResponse> {
    list(&infra, &caller, &q, Listing::Sent).await
}

/// Payments the caller received, newest first.
#[utoipa::path(
    get,
    path = "/v1/transactions/received",
    tag = "Transactions",
    params(PageQuery),
    responses((status = 200, description = "One page", body = ApiResponse<Page<TransactionView>>)),
)]
async fn received(
    infra: web::Data<Infra>,
    caller: AuthenticatedApp,
    q: web::Query<PageQuery>,
) -> ServiceResult<HttpResponse> {
    list(&infra, &caller, &q, Listing::Received).await
}

/// Payments awaiting the caller's acceptance.
#[utoipa::path(
    get,
    path = "/v1/transactions/pending",
    tag = "Transactions",
    params(PageQuery),
    responses((status = 200, description = "One page", body = ApiResponse<Page<TransactionView>>)),
)]
async fn pending(
    infra: web::Data<Infra>,
    caller: AuthenticatedApp,
    q: web::Query<PageQuery>,
) -> ServiceResult<HttpResponse> {
    list(&infra, &caller, &q, Listing::Pending).await
}
