use actix_web::HttpRequest;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::REQUEST_ID_HEADER;

/// Headers to send downstream: `traceparent` from the current span and the request id.
pub fn forward_context(req: Option<&HttpRequest>) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for (k, v) in idaas_telemetry::inject_from_span(&tracing::Span::current()) {
        if let (Ok(k), Ok(v)) = (HeaderName::try_from(k), HeaderValue::try_from(v)) {
            headers.insert(k, v);
        }
    }
    if let Some(id) = req
        .and_then(|r| r.headers().get(REQUEST_ID_HEADER))
        .and_then(|v| v.to_str().ok())
        .and_then(|v| HeaderValue::from_str(v).ok())
    {
        headers.insert(HeaderName::from_static(REQUEST_ID_HEADER), id);
    }
    headers
}
