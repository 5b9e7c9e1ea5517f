//! OTLP export, end to end: the six services export to an in-process OTLP/HTTP receiver
//! (configured only through the standard OTEL_* variables), and one payment's spans from the
//! gateway, transaction, ledger and webhook-dispatcher share one trace id, each service named
//! and versioned in its resource.

use std::{
    collections::BTreeSet,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use actix_web::{web, HttpResponse};
use e2e::{Platform, PlatformOptions};
use idaas_testkit::{receiver, stand_in};
use opentelemetry_proto::tonic::{
    collector::trace::v1::{ExportTraceServiceRequest, ExportTraceServiceResponse},
    common::v1::any_value::Value as AnyValue,
};
use prost::Message;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::webhooks::app;

/// One exported span, as much of it as the test looks at.
#[derive(Debug, Clone)]
struct Span {
    service: String,
    version: String,
    trace_id: String,
    name: String,
}

#[derive(Clone, Default)]
struct Exported(Arc<Mutex<Vec<Span>>>);

impl Exported {
    fn of(&self, service: &str) -> Vec<Span> {
        let spans = self.0.lock().unwrap();
        spans
            .iter()
            .filter(|s| s.service == service)
            .cloned()
            .collect()
    }

    fn with_trace(&self, trace_id: &str) -> Vec<Span> {
        let spans = self.0.lock().unwrap();
        spans
            .iter()
            .filter(|s| s.trace_id == trace_id)
            .cloned()
            .collect()
    }
}

fn attribute(attrs: &[opentelemetry_proto::tonic::common::v1::KeyValue], key: &str) -> String {
    attrs
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| kv.value.as_ref())
        .and_then(|v| match &v.value {
            Some(AnyValue::StringValue(s)) => Some(s.clone()),
            _ => None,
        })
        .unwrap_or_default()
}

/// An OTLP/HTTP trace receiver (protobuf, `POST /v1/traces`), as a collector would be.
fn otlp_receiver(exported: Exported) -> String {
    stand_in(move |cfg| {
        let exported = exported.clone();
        cfg.route(
            "/v1/traces",
            web::post().to(move |body: web::Bytes| {
                let exported = exported.clone();
                async move {
                    let Ok(request) = ExportTraceServiceRequest::decode(body) else {
                        return HttpResponse::BadRequest().finish();
                    };
                    let mut seen = exported.0.lock().unwrap();
                    for rs in request.resource_spans {
                        let attrs = rs.resource.map(|r| r.attributes).unwrap_or_default();
                        let (service, version) = (
                            attribute(&attrs, "service.name"),
                            attribute(&attrs, "service.version"),
                        );
                        for span in rs.scope_spans.into_iter().flat_map(|s| s.spans) {
                            seen.push(Span {
                                service: service.clone(),
                                version: version.clone(),
                                trace_id: hex::encode(&span.trace_id),
                                name: span.name,
                            });
                        }
                    }
                    HttpResponse::Ok()
                        .content_type("application/x-protobuf")
                        .body(ExportTraceServiceResponse::default().encode_to_vec())
                }
            }),
        );
    })
}

#[tokio::test]
async fn one_payment_is_one_trace_across_gateway_transaction_ledger_and_dispatcher() {
    let exported = Exported::default();
    let collector = otlp_receiver(exported.clone());
    let p = Platform::start_with(PlatformOptions {
        env: vec![
            // Only the standard variables: the endpoint, and a short batch delay for the test.
            (
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT".into(),
                format!("{collector}/v1/traces"),
            ),
            ("OTEL_BSP_SCHEDULE_DELAY".into(), "200".into()),
        ],
        ..PlatformOptions::default()
    })
    .await;
    let hooks = receiver(vec![]);
    let a = app(&p, &hooks.url, false, &Value::Null).await;
    let b = app(&p, &hooks.url, false, &Value::Null).await;
    let (s, v) = p
        .send(
            p.http
                .post(p.api("/v1/transactions"))
                .bearer_auth(&a.token)
                .json(&json!({"senderTag": a.tag, "receiverTag": b.tag, "amount": "9.75"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let reference = v["data"]["reference"].as_str().unwrap().to_owned();

    // The accept, under a trace of the integrator's own: everything it causes must join it,
    // and only the gateway hears it from outside.
    let trace_id = hex::encode(uuid::Uuid::new_v4().as_bytes());
    let (s, v) = p
        .send(
            p.http
                .post(p.api(&format!("/v1/transactions/{reference}/accept")))
                .bearer_auth(&b.token)
                .header("traceparent", format!("00-{trace_id}-00f067aa0ba902b7-01")),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");

    let wanted: BTreeSet<&str> = ["gateway", "transaction", "ledger", "webhook-dispatcher"].into();
    // Spans are exported in batches as they end: wait for the last of these, not the first
    // span of each service (the dispatcher's read of the event ends long before its attempt).
    let last = [
        ("webhook-dispatcher", "webhook.attempt"),
        ("webhook-dispatcher", "kafka.message"),
    ];
    let deadline = Instant::now() + Duration::from_secs(30);
    let spans = loop {
        let spans = exported.with_trace(&trace_id);
        let services: BTreeSet<&str> = spans.iter().map(|s| s.service.as_str()).collect();
        let ended = last.iter().all(|(service, name)| {
            spans
                .iter()
                .any(|s| s.service == *service && s.name.contains(name))
        });
        if wanted.is_subset(&services) && ended {
            break spans;
        }
        assert!(
            Instant::now() < deadline,
            "after 30 s the trace has spans from {services:?}, not all of {wanted:?}: {spans:#?}\n\
             the dispatcher's: {:#?}\n{}",
            exported.of("webhook-dispatcher"),
            p.logs()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let named = |service: &str, name: &str| {
        spans
            .iter()
            .any(|s| s.service == service && s.name.contains(name))
    };
    assert!(
        named("gateway", "/v1/transactions/{reference}/accept"),
        "gateway's server span: {spans:#?}"
    );
    assert!(
        named("ledger", "POST"),
        "ledger's posting request: {spans:#?}"
    );
    assert!(
        named("webhook-dispatcher", "webhook.attempt"),
        "the dispatcher's delivery attempt: {spans:#?}"
    );
    // The consumer read the event inside the trace its producer carried in the headers.
    assert!(
        named("webhook-dispatcher", "kafka.message"),
        "the dispatcher's reading of the event: {spans:#?}"
    );
    for s in &spans {
        assert!(
            s.version.starts_with(env!("CARGO_PKG_VERSION")) && s.version.contains('+'),
            "{} exports service.version {:?}",
            s.service,
            s.version
        );
    }
}
