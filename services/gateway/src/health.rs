//! `/actuator/health`: Redis, the broker, and every service (each checks its own database).

use actix_web::{web, HttpResponse};
use futures::future::join_all;
use idaas_web::HealthReport;

use crate::{routing::Backend, state::GatewayState};

async fn backend_health(state: &GatewayState, backend: Backend) -> Result<(), String> {
    let url = format!("{}/actuator/health", state.backend_url(backend));
    let resp = state
        .http
        .get(url)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if resp.status().is_success() {
        Ok(())
    } else {
        Err(format!("status {}", resp.status()))
    }
}

pub async fn health(state: web::Data<GatewayState>) -> HttpResponse {
    let (redis, kafka, backends) = tokio::join!(
        state.limiter.ping(),
        idaas_kafka::probe(&state.settings.kafka),
        join_all(Backend::ALL.iter().map(|b| backend_health(&state, *b))),
    );
    let mut report = HealthReport::new()
        .component("redis", redis)
        .component("kafka", kafka);
    for (b, result) in Backend::ALL.iter().zip(backends) {
        report = report.component(b.name(), result);
    }
    report.into_response()
}

pub async fn info() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({
        "app": { "name": crate::SERVICE, "version": env!("CARGO_PKG_VERSION") },
    }))
}
