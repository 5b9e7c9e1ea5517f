//! Runs a mutating request at most once per `Idempotency-Key` (see `domain::idempotency`).

use std::future::Future;

use actix_web::{http::StatusCode, HttpRequest, HttpResponse};
use idaas_service::{Infra, ServiceError, ServiceResult};
use idaas_web::idempotency_key::{self, HEADER, REPLAYED_HEADER};

use crate::{
    domain::idempotency::{self, Answer, Begun},
    IdentityState,
};

fn respond(answer: Answer, replayed: bool) -> HttpResponse {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut resp = HttpResponse::build(status);
    resp.content_type("application/json");
    if replayed {
        resp.insert_header((REPLAYED_HEADER, "true"));
    }
    resp.body(answer.body)
}

/// `run` once for this key, scope and operation; the same request again replays its answer.
pub async fn once<F, Fut>(
    infra: &Infra,
    state: &IdentityState,
    req: &HttpRequest,
    scope: &str,
    operation: &str,
    body: &[u8],
    run: F,
) -> ServiceResult<HttpResponse>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = ServiceResult<HttpResponse>>,
{
    let header = req.headers().get(HEADER).map(|v| v.as_bytes());
    let Some(key) = idempotency_key::parse(header, operation, body)? else {
        return run().await;
    };
    let row = match idempotency::begin(infra, &state.cipher, scope, operation, key).await? {
        Begun::Replay(answer) => return Ok(respond(answer, true)),
        Begun::Run(row) => row,
    };
    let result = run().await;
    let resp = match result {
        Ok(resp) if resp.status().is_success() => resp,
        other => {
            if let Err(e) = idempotency::abandon(infra, &row).await {
                tracing::warn!(error = %idaas_service::chain(&e), "idempotency key not released; it frees itself shortly");
            }
            return other;
        }
    };
    let status = resp.status().as_u16();
    let body = actix_web::body::to_bytes(resp.into_body())
        .await
        .map_err(|e| ServiceError::Internal(e.to_string().into()))?;
    let answer = Answer {
        status,
        body: body.to_vec(),
    };
    // The change has committed: answer it whatever happens to the record of the answer.
    if let Err(e) = idempotency::finish(infra, &state.cipher, &row, &answer).await {
        tracing::warn!(error = %idaas_service::chain(&e), "answer not kept for its idempotency key");
    }
    Ok(respond(answer, false))
}
