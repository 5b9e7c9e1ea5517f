//! The one handler behind every `/api/v1/...` path: route → limit → authenticate → body → forward.

use actix_web::{
    http::header::{self, HeaderValue},
    web, HttpRequest, HttpResponse,
};
use idaas_api::{ApiError, ErrorCode};

use crate::{
    body,
    forward::{forward, Outgoing},
    rate_limit::{Bucket, Decision},
    routing::{is_public, route, Backend},
    state::GatewayState,
};

fn client_ip(req: &HttpRequest, trust_forwarded: bool) -> String {
    if trust_forwarded {
        if let Some(ip) = req.connection_info().realip_remote_addr() {
            return ip.to_owned();
        }
    }
    req.peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".to_owned())
}

async fn enforce(
    state: &GatewayState,
    bucket: Bucket,
    subject: &str,
) -> Result<Option<Decision>, ApiError> {
    match state.limiter.check(bucket, subject).await {
        Some(d) if !d.allowed => Err(ApiError::new(ErrorCode::RateLimited)
            .with_message(format!(
                "Rate limit exceeded. Retry after {} seconds.",
                d.retry_after
            ))
            .with_retry_after(d.retry_after)),
        other => Ok(other),
    }
}

pub async fn proxy(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<GatewayState>,
) -> Result<HttpResponse, ApiError> {
    let path = req
        .path()
        .strip_prefix("/api")
        .filter(|p| p.starts_with("/v1/"))
        .ok_or(ErrorCode::ResourceNotFound)?;
    let backend = route(path).ok_or(ErrorCode::ResourceNotFound)?;
    let ip = client_ip(&req, state.settings.http.trust_forwarded_for);
    let bucket = Bucket::of(req.method(), path);

    // Per-IP limits come before any work, so a flood of bad credentials is cut off cheaply.
    let mut decision = None;
    if bucket != Bucket::Transactions {
        decision = enforce(&state, bucket, &ip).await?;
    }
    let caller = if is_public(req.method(), path) {
        None
    } else {
        let authorization = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        Some(state.authenticator.authenticate(authorization).await?)
    };
    if bucket == Bucket::Transactions {
        let subject = caller
            .as_ref()
            .map(|c| c.app_id.to_string())
            .unwrap_or_else(|| ip.clone());
        decision = enforce(&state, bucket, &subject).await?;
    }

    let raw = idaas_web::read_limited(payload, state.settings.http.max_body_bytes).await?;
    let (body, decrypted) = body::prepare(
        req.headers(),
        raw,
        caller.as_ref(),
        state.request_key.secret_key(),
    )?;
    let mut resp = forward(
        &state,
        &req,
        Outgoing {
            backend,
            path,
            body,
            decrypted,
            client_ip: ip,
        },
    )
    .await?;
    if let Some(d) = decision {
        if let Ok(v) = HeaderValue::from_str(&d.remaining.to_string()) {
            resp.headers_mut()
                .insert(header::HeaderName::from_static("x-ratelimit-remaining"), v);
        }
    }
    Ok(resp)
}

/// The platform JWKS, served at the well-known path on the public host too.
pub async fn jwks(
    req: HttpRequest,
    state: web::Data<GatewayState>,
) -> Result<HttpResponse, ApiError> {
    forward(
        &state,
        &req,
        Outgoing {
            backend: Backend::Identity,
            path: "/.well-known/jwks.json",
            body: web::Bytes::new(),
            decrypted: false,
            client_ip: client_ip(&req, state.settings.http.trust_forwarded_for),
        },
    )
    .await
}
