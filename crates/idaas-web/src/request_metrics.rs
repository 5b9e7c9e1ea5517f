//! Requests by route, method and status, with their latency: `http_server_requests_total` and
//! `http_server_request_duration_seconds`. The route is the pattern (`/v1/tags/{tag}`), never
//! the path, so a tenant's ids cannot blow up the number of series.

use std::time::Instant;

use actix_web::{
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    http::Method,
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

/// HTTP's own methods by name; anything else (actix accepts any token) is one `OTHER`, so a
/// client inventing methods cannot add series.
fn method_label(method: &Method) -> String {
    const KNOWN: &[Method] = &[
        Method::GET,
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
        Method::HEAD,
        Method::OPTIONS,
        Method::CONNECT,
        Method::TRACE,
    ];
    if KNOWN.contains(method) {
        method.as_str().to_owned()
    } else {
        "OTHER".to_owned()
    }
}

pub async fn record_request(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let method = method_label(req.method());
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invented_methods_share_one_label() {
        assert_eq!(method_label(&Method::POST), "POST");
        let invented = Method::from_bytes(b"X-PROBE-1").unwrap_or(Method::GET);
        assert_eq!(method_label(&invented), "OTHER");
    }
}
