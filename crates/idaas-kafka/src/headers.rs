//! Kafka header names every event carries.

use rdkafka::message::{Header, Headers, OwnedHeaders};

use idaas_telemetry::TraceHeaders;

pub const EVENT_ID: &str = "idaas-event-id";
pub const EVENT_TYPE: &str = "idaas-event-type";

pub fn build(event_id: &str, event_type: &str, trace: &TraceHeaders) -> OwnedHeaders {
    let mut h = OwnedHeaders::new()
        .insert(Header {
            key: EVENT_ID,
            value: Some(event_id),
        })
        .insert(Header {
            key: EVENT_TYPE,
            value: Some(event_type),
        });
    for (k, v) in trace {
        h = h.insert(Header {
            key: k,
            value: Some(v),
        });
    }
    h
}

/// Reads a header as UTF-8, for consumers (event id, trace context).
pub fn get<H: Headers>(headers: &H, key: &str) -> Option<String> {
    headers
        .iter()
        .find(|h| h.key == key)
        .and_then(|h| h.value)
        .and_then(|v| std::str::from_utf8(v).ok())
        .map(str::to_owned)
}
