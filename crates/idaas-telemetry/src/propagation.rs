use std::collections::HashMap;

use tracing_opentelemetry::OpenTelemetrySpanExt;

/// W3C `traceparent`/`tracestate` as plain key/value pairs, ready for HTTP or Kafka headers.
pub type TraceHeaders = HashMap<String, String>;

/// The trace context of `span`, to send along with an outgoing request or message.
pub fn inject_from_span(span: &tracing::Span) -> TraceHeaders {
    let cx = span.context();
    let mut headers = TraceHeaders::new();
    opentelemetry::global::get_text_map_propagator(|p| p.inject_context(&cx, &mut headers));
    headers
}

/// Makes `span` a child of the trace carried by an incoming request or message.
pub fn extract_into_span(span: &tracing::Span, headers: &TraceHeaders) {
    let cx = opentelemetry::global::get_text_map_propagator(|p| p.extract(headers));
    span.set_parent(cx);
}
