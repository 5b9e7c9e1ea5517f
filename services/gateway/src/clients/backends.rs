//! The hop to the owning service: same method, path and query; selected headers; trace
//! context and request id carried along.

use actix_web::{
    http::{header, StatusCode},
    HttpRequest, HttpResponse,
};
use idaas_api::ApiError;
use reqwest::header::{HeaderName, HeaderValue};

use crate::{app::GatewayState, domain::routing::Backend};

/// Request headers the services read; everything else stops here.
const FORWARDED_REQUEST: [&str; 5] = [
    "authorization",
    "accept",
    "idempotency-key",
    "x-request-id",
    "content-type",
];
/// Response headers the client may need; hop-by-hop and internal ones stop here.
const RETURNED_RESPONSE: [&str; 6] = [
    "content-type",
    "idempotency-replayed",
    "retry-after",
    "cache-control",
    "location",
    "x-ratelimit-remaining",
];

pub struct Outgoing<'a> {
    pub backend: Backend,
    pub path: &'a str,
    pub body: actix_web::web::Bytes,
    /// The body was a JWE and is now its JSON plaintext.
    pub decrypted: bool,
    pub client_ip: String,
}

#[tracing::instrument(name = "gateway.forward", skip_all, fields(backend = out.backend.name(), path = %idaas_web::loggable_target(out.path)))]
pub async fn forward(
    state: &GatewayState,
    req: &HttpRequest,
    out: Outgoing<'_>,
) -> Result<HttpResponse, ApiError> {
    let query = req.query_string();
    let url = if query.is_empty() {
        format!("{}{}", state.backend_url(out.backend), out.path)
    } else {
        format!("{}{}?{query}", state.backend_url(out.backend), out.path)
    };
    let method = reqwest::Method::from_bytes(req.method().as_str().as_bytes())
        .map_err(|_| ApiError::validation(vec!["unsupported HTTP method".into()]))?;

    let mut headers = idaas_web::forward_context();
    for name in FORWARDED_REQUEST {
        if let Some(v) = req
            .headers()
            .get(name)
            .and_then(|v| HeaderValue::from_bytes(v.as_bytes()).ok())
        {
            headers.insert(HeaderName::from_static(name), v);
        }
    }
    if out.decrypted {
        headers.insert(
            reqwest::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
    }
    if let Ok(ip) = HeaderValue::from_str(&out.client_ip) {
        headers.insert(HeaderName::from_static("x-forwarded-for"), ip);
    }

    let resp = state
        .http
        .request(method, url)
        .headers(headers)
        .body(out.body)
        .send()
        .await
        .map_err(|e| {
            ApiError::unavailable(format!("{}: {}", out.backend.name(), e.without_url()))
        })?;

    let status = StatusCode::from_u16(resp.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
    let mut builder = HttpResponse::build(status);
    for name in RETURNED_RESPONSE {
        if let Some(v) = resp.headers().get(name) {
            if let Ok(v) = header::HeaderValue::from_bytes(v.as_bytes()) {
                builder.insert_header((name, v));
            }
        }
    }
    let bytes = resp.bytes().await.map_err(|e| {
        ApiError::unavailable(format!("{}: {}", out.backend.name(), e.without_url()))
    })?;
    let mut response = builder.body(bytes);
    // Its 5xx, if any, was logged with its cause by the peer that made it.
    response.extensions_mut().insert(idaas_web::PassedOn);
    Ok(response)
}
