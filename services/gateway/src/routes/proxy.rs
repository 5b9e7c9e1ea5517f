//! The one handler behind every `/api/v1/...` path: canonical path → route → per-IP limit →
//! authenticate → per-application limit → body → forward.

use actix_web::{
    http::header::{self, HeaderValue},
    web, HttpMessage, HttpRequest, HttpResponse,
};
use idaas_api::{ApiError, ErrorCode};
use idaas_telemetry::metrics::counter;
use idaas_web::RouteLabel;

use crate::{
    app::GatewayState,
    clients::backends::{forward, Outgoing},
    domain::{
        canonical::{CanonicalPath, PathError},
        client_ip::{client_ip, limit_subject},
        request_body,
        routing::{self, Access, Backend},
    },
    store::rate_limits::{Bucket, Decision},
};

async fn enforce(
    state: &GatewayState,
    bucket: Bucket,
    subject: &str,
) -> Result<Option<Decision>, ApiError> {
    match state.limiter.check(bucket, subject).await {
        Some(d) if !d.allowed => {
            counter!("idaas_rate_limit_rejections_total", "bucket" => bucket.name()).increment(1);
            Err(ApiError::new(ErrorCode::RateLimited)
                .with_message(format!(
                    "Rate limit exceeded. Retry after {} seconds.",
                    d.retry_after
                ))
                .with_retry_after(d.retry_after))
        }
        other => Ok(other),
    }
}

fn refused_path(e: PathError) -> ApiError {
    match e {
        PathError::OutsideApi => ErrorCode::ResourceNotFound.into(),
        other => ApiError::validation(vec![format!("path: {other}")]),
    }
}

pub async fn proxy(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<GatewayState>,
) -> Result<HttpResponse, ApiError> {
    // The raw request target, still percent-encoded: decoded here once and nowhere else.
    let path = CanonicalPath::parse(req.uri().path()).map_err(refused_path)?;
    let route = routing::find(req.method(), &path).ok_or(ErrorCode::ResourceNotFound)?;
    req.extensions_mut().insert(RouteLabel(route.pattern));
    let ip = client_ip(&req, state.settings.http.trust_forwarded_for);
    let bucket = Bucket::of(route);

    // Per-IP limits come before any work, so a flood of bad credentials is cut off cheaply.
    let mut decision = enforce(&state, bucket.per_ip(), &limit_subject(&ip)).await?;
    let caller = match route.access {
        Access::Public => None,
        Access::Tenant => {
            let authorization = req
                .headers()
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok());
            Some(state.authenticator.authenticate(authorization).await?)
        }
    };
    if bucket == Bucket::Transactions {
        let subject = caller
            .as_ref()
            .map(|c| c.app_id.to_string())
            .unwrap_or_else(|| limit_subject(&ip));
        decision = enforce(&state, bucket, &subject).await?.or(decision);
    }

    let raw = idaas_web::read_limited(payload, state.settings.http.max_body_bytes).await?;
    let (body, decrypted) =
        request_body::prepare(req.headers(), raw, caller.as_ref(), &state.request_keys())?;
    let mut resp = forward(
        &state,
        &req,
        Outgoing {
            backend: route.backend,
            path: path.as_str(),
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

/// The platform JWKS, served at the well-known path on the public host too, under the same
/// per-IP limit as every other public call.
pub async fn jwks(
    req: HttpRequest,
    state: web::Data<GatewayState>,
) -> Result<HttpResponse, ApiError> {
    let ip = client_ip(&req, state.settings.http.trust_forwarded_for);
    enforce(&state, Bucket::Default, &limit_subject(&ip)).await?;
    forward(
        &state,
        &req,
        Outgoing {
            backend: Backend::Identity,
            path: "/.well-known/jwks.json",
            body: web::Bytes::new(),
            decrypted: false,
            client_ip: ip,
        },
    )
    .await
}
