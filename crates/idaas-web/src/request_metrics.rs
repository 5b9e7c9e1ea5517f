//! Requests by route, method and status, with their latency: `http_server_requests_total` and
//! `http_server_request_duration_seconds`. The route is the pattern (`/v1/tags/{tag}`), never
//! the path, so a tenant's ids cannot blow up the number of series.

use std::time::Instant;

use actix_web::{
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    middleware::Next,
    Error, HttpMessage,
};
use idaas_telemetry::metrics::{counter, histogram};

/// The route a request matched where actix's own routing cannot tell (the gateway's proxy
/// matches its own table): set it in the request's extensions.
#[derive(Debug, Clone, Copy)]
pub struct RouteLabel(pub &'static str);

/// Anything no route claimed: one series for all of it.
const UNMATCHED: &str = "unmatched";

pub async fn record_request(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let method = req.method().as_str().to_owned();
    let res = next.call(req).await?;
    let route = res
        .request()
        .extensions()
        .get::<RouteLabel>()
        .map(|r| r.0.to_owned())
        .or_else(|| res.request().match_pattern())
        .unwrap_or_else(|| UNMATCHED.to_owned());
    let status = res.status().as_u16().to_string();
    let labels = [("route", route), ("method", method), ("status", status)];
    counter!("http_server_requests_total", &labels).increment(1);
    histogram!("http_server_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    Ok(res)
}
