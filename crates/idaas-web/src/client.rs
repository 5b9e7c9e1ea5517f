use std::time::Duration;

use actix_web::HttpRequest;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::REQUEST_ID_HEADER;

/// Service-to-service HTTP: every call carries the current trace context and request id.
#[derive(Clone)]
pub struct InternalClient {
    http: reqwest::Client,
}

impl InternalClient {
    pub fn new(timeout: Duration) -> Result<Self, reqwest::Error> {
        Ok(Self {
            http: reqwest::Client::builder()
                .timeout(timeout)
                .pool_max_idle_per_host(64)
                .build()?,
        })
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }
}

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
