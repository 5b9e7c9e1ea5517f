//! The gateway's health. Kubernetes probes: liveness and readiness say only that this process
//! serves (it owns no database; a Redis, broker or backend outage must not take the entry point
//! out of rotation). The public `/actuator/health` reports Redis, the broker and each service's
//! readiness as UP/DOWN, cached so it cannot be used to amplify load.

use actix_web::{web, HttpResponse};
use futures::future::join_all;
use idaas_web::HealthReport;

use crate::{routing::Backend, state::GatewayState};

async fn backend_ready(state: &GatewayState, backend: Backend) -> Result<(), String> {
    let url = format!("{}/actuator/health/readiness", state.backend_url(backend));
    let resp = state
        .http
        .get(url)
        .timeout(std::time::Duration::from_secs(2))
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
    let report = state
        .health
        .get_or_compute(|| async {
            let (redis, kafka, backends) = tokio::join!(
                state.limiter.ping(),
                idaas_kafka::probe(&state.settings.kafka),
                join_all(Backend::ALL.iter().map(|b| backend_ready(&state, *b))),
            );
            let mut report = HealthReport::new()
                .component("redis", redis)
                .component("kafka", kafka);
            for (b, result) in Backend::ALL.iter().zip(backends) {
                report = report.component(b.name(), result);
            }
            report
        })
        .await;
    report.into_response()
}

/// Liveness and readiness: this process answers HTTP.
pub async fn serving() -> HttpResponse {
    HealthReport::new()
        .component("http", Ok::<(), String>(()))
        .into_response()
}

pub async fn info() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({
        "app": { "name": crate::SERVICE },
    }))
}
