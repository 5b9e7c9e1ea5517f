use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::REQUEST_ID_HEADER;

/// Headers to send downstream: `traceparent` from the current span and the id of the request
/// being served (none from a background task).
pub fn forward_context() -> HeaderMap {
    let mut headers = HeaderMap::new();
    for (k, v) in idaas_telemetry::inject_from_span(&tracing::Span::current()) {
        if let (Ok(k), Ok(v)) = (HeaderName::try_from(k), HeaderValue::try_from(v)) {
            headers.insert(k, v);
        }
    }
    if let Some(id) =
        idaas_telemetry::current_request_id().and_then(|v| HeaderValue::from_str(&v).ok())
    {
        headers.insert(HeaderName::from_static(REQUEST_ID_HEADER), id);
    }
    headers
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_request_id_goes_along_only_while_serving_a_request() {
        let inside =
            idaas_telemetry::with_request_id("req-7".into(), async { forward_context() }).await;
        assert_eq!(
            inside.get(REQUEST_ID_HEADER).and_then(|v| v.to_str().ok()),
            Some("req-7")
        );
        assert!(forward_context().get(REQUEST_ID_HEADER).is_none());
    }
}
