//! A consumed event is read inside a span that continues the trace its producer started (the
//! `traceparent` header the outbox relay sets) and names the request that caused it (the
//! `x-request-id` header, task-local meanwhile as in an HTTP handler), so what a consumer logs
//! about an event leads back to the tenant's request.

use idaas_kafka::{
    headers::{self, EVENT_ID},
    rdkafka::message::Message,
};
use idaas_telemetry::{extract_into_span, in_request, TraceHeaders, REQUEST_ID_HEADER};

const TRACE_HEADERS: [&str; 2] = ["traceparent", "tracestate"];

/// Runs `f` (decoding `message`) inside the message's span and request.
pub fn within_message<M: Message, R>(consumer: &str, message: &M, f: impl FnOnce() -> R) -> R {
    let header = |key: &str| message.headers().and_then(|h| headers::get(h, key));
    let request_id = header(REQUEST_ID_HEADER);
    let span = tracing::info_span!(
        "kafka.message",
        otel.kind = "consumer",
        consumer,
        topic = message.topic(),
        partition = message.partition(),
        offset = message.offset(),
        event_id = tracing::field::Empty,
        request_id = tracing::field::Empty,
    );
    // Recorded only when present: an empty field would read as an id.
    if let Some(id) = header(EVENT_ID) {
        span.record("event_id", id.as_str());
    }
    if let Some(id) = &request_id {
        span.record("request_id", id.as_str());
    }
    let trace: TraceHeaders = TRACE_HEADERS
        .iter()
        .filter_map(|k| header(k).map(|v| ((*k).to_owned(), v)))
        .collect();
    if !trace.is_empty() {
        extract_into_span(&span, &trace);
    }
    span.in_scope(|| in_request(request_id, f))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use idaas_kafka::rdkafka::message::{Header, OwnedHeaders, OwnedMessage, Timestamp};
    use tracing_subscriber::layer::SubscriberExt;

    use super::*;

    fn message(headers: Option<OwnedHeaders>) -> OwnedMessage {
        OwnedMessage::new(
            Some(b"{}".to_vec()),
            Some(b"key".to_vec()),
            "t.idaas.webhooks".into(),
            Timestamp::NotAvailable,
            3,
            42,
            headers,
        )
    }

    #[test]
    fn the_request_that_caused_an_event_is_current_while_it_is_read() {
        let headers = OwnedHeaders::new()
            .insert(Header {
                key: REQUEST_ID_HEADER,
                value: Some("req-123"),
            })
            .insert(Header {
                key: EVENT_ID,
                value: Some("evt-1"),
            });
        let m = message(Some(headers));
        let seen = within_message("test", &m, idaas_telemetry::current_request_id);
        assert_eq!(seen.as_deref(), Some("req-123"));
        // And only then.
        assert_eq!(idaas_telemetry::current_request_id(), None);
    }

    #[test]
    fn an_event_without_a_request_is_read_without_one() {
        let m = message(None);
        assert_eq!(
            within_message("test", &m, idaas_telemetry::current_request_id),
            None
        );
    }

    #[test]
    fn it_is_read_inside_a_span_naming_the_message() {
        let subscriber = tracing_subscriber::registry().with(tracing_subscriber::fmt::layer());
        tracing::subscriber::with_default(subscriber, || {
            let m = message(None);
            let name = within_message("test", &m, || {
                tracing::Span::current().metadata().map(|meta| meta.name())
            });
            assert_eq!(name, Some("kafka.message"));
            let fields = within_message("test", &m, || {
                tracing::Span::current()
                    .metadata()
                    .map(|meta| meta.fields().iter().map(|f| f.name()).collect::<Vec<_>>())
            })
            .unwrap();
            for f in [
                "consumer",
                "topic",
                "partition",
                "offset",
                "event_id",
                "request_id",
            ] {
                assert!(fields.contains(&f), "{fields:?}");
            }
        });
    }
}
