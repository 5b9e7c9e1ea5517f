//! The request log: each failed request is logged exactly once, inside its span (so with its
//! request id), a 5xx with its cause at ERROR (503 at WARN), a 4xx at INFO with its code and
//! no cause; a success is not logged at INFO.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Mutex};

use actix_web::{test, web, App, HttpResponse};
use idaas_api::{ApiError, ErrorCode};
use serde_json::Value;
use tracing_subscriber::fmt::MakeWriter;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

impl Captured {
    fn lines(&self) -> Vec<Value> {
        String::from_utf8(self.0.lock().unwrap().clone())
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

async fn broken() -> Result<HttpResponse, ApiError> {
    Err(ApiError::internal("ledger connection reset"))
}

async fn overloaded() -> Result<HttpResponse, ApiError> {
    Err(ApiError::unavailable("pool timed out"))
}

async fn missing() -> Result<HttpResponse, ApiError> {
    Err(ApiError::new(ErrorCode::ResourceNotFound))
}

/// What the gateway does with a peer's 500: passes the answer on, without an error of its own.
async fn passed_on() -> HttpResponse {
    let mut res = HttpResponse::InternalServerError().finish();
    res.extensions_mut().insert(idaas_web::PassedOn);
    res
}

/// A 500 made by hand, with no error and not passed on: nothing may downgrade it.
async fn bare() -> HttpResponse {
    HttpResponse::InternalServerError().finish()
}

async fn fine() -> HttpResponse {
    HttpResponse::Ok().finish()
}

/// Drives one request through the shared middleware and returns what was logged at INFO and up.
async fn logged(path: &str, request_id: &str) -> (u16, Vec<Value>) {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_current_span(true)
        .with_max_level(tracing::Level::INFO)
        .with_writer(captured.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let app = test::init_service(idaas_web::standard_middleware!(App::new()
        .route("/broken", web::get().to(broken))
        .route("/overloaded", web::get().to(overloaded))
        .route("/missing", web::get().to(missing))
        .route("/passed-on", web::get().to(passed_on))
        .route("/bare", web::get().to(bare))
        .route("/fine", web::get().to(fine))))
    .await;
    let req = test::TestRequest::get()
        .uri(path)
        .insert_header((idaas_web::REQUEST_ID_HEADER, request_id))
        .to_request();
    let status = test::call_service(&app, req).await.status().as_u16();
    (status, captured.lines())
}

fn field<'a>(line: &'a Value, name: &str) -> &'a Value {
    &line["fields"][name]
}

#[actix_web::test]
async fn a_500_is_logged_once_at_error_with_its_cause_and_request_id() {
    let (status, lines) = logged("/broken", "req-500").await;
    assert_eq!(status, 500);
    assert_eq!(lines.len(), 1, "expected exactly one line: {lines:#?}");
    let line = &lines[0];
    assert_eq!(line["level"], "ERROR");
    assert_eq!(field(line, "status"), 500);
    assert_eq!(field(line, "cause"), "ledger connection reset");
    assert_eq!(field(line, "error_code"), ErrorCode::Internal.code());
    assert_eq!(line["span"]["request_id"], "req-500");
}

#[actix_web::test]
async fn a_503_is_logged_once_at_warn_with_its_cause() {
    let (status, lines) = logged("/overloaded", "req-503").await;
    assert_eq!(status, 503);
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert_eq!(lines[0]["level"], "WARN");
    assert_eq!(field(&lines[0], "cause"), "pool timed out");
    assert_eq!(lines[0]["span"]["request_id"], "req-503");
}

#[actix_web::test]
async fn a_4xx_is_logged_at_info_with_its_code_and_no_cause() {
    let (status, lines) = logged("/missing", "req-404").await;
    assert_eq!(status, 404);
    assert_eq!(lines.len(), 1, "{lines:#?}");
    let line = &lines[0];
    assert_eq!(line["level"], "INFO");
    assert_eq!(
        field(line, "error_code"),
        ErrorCode::ResourceNotFound.code()
    );
    assert!(field(line, "cause").is_null(), "{line}");
    assert_eq!(line["span"]["request_id"], "req-404");
}

#[actix_web::test]
async fn an_unknown_route_is_a_4xx_at_info_and_a_success_is_not_logged_at_info() {
    let (status, lines) = logged("/nowhere", "req-x").await;
    assert_eq!(status, 404);
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert_eq!(lines[0]["level"], "INFO");

    let (status, lines) = logged("/fine", "req-ok").await;
    assert_eq!(status, 200);
    assert!(lines.is_empty(), "a success logged at INFO: {lines:#?}");
}

#[actix_web::test]
async fn a_peers_5xx_passed_on_is_a_warn_since_the_peer_logged_the_cause() {
    let (status, lines) = logged("/passed-on", "req-peer").await;
    assert_eq!(status, 500);
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert_eq!(lines[0]["level"], "WARN");
    assert_eq!(field(&lines[0], "passed_on"), true);
    assert_eq!(lines[0]["span"]["request_id"], "req-peer");
}

#[actix_web::test]
async fn an_error_body_names_the_request_id_the_answer_carries() {
    let app = test::init_service(idaas_web::standard_middleware!(
        App::new().route("/missing", web::get().to(missing))
    ))
    .await;
    // The caller's id, kept; and one the platform made up, when the caller sent none.
    for sent in [Some("ticket-4711"), None] {
        let mut req = test::TestRequest::get().uri("/missing");
        if let Some(id) = sent {
            req = req.insert_header((idaas_web::REQUEST_ID_HEADER, id));
        }
        let res = test::call_service(&app, req.to_request()).await;
        let header = res
            .headers()
            .get(idaas_web::REQUEST_ID_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let body: Value = test::read_body_json(res).await;
        assert_eq!(body["errorCode"], ErrorCode::ResourceNotFound.code());
        assert_eq!(body["requestId"], header.as_str(), "{body}");
        if let Some(id) = sent {
            assert_eq!(header, id);
        } else {
            assert!(!header.is_empty());
        }
    }
}

#[actix_web::test]
async fn a_bare_5xx_stays_an_error() {
    let (status, lines) = logged("/bare", "req-bare").await;
    assert_eq!(status, 500);
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert_eq!(lines[0]["level"], "ERROR");
}
