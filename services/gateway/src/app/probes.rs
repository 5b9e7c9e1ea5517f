//! The gateway's health. Kubernetes probes: liveness and readiness say only that this process
//! serves (it owns no database; a Redis, broker or backend outage must not take the entry point
//! out of rotation). The public `/actuator/health` reports Redis, the broker and each service's
//! readiness as UP/DOWN, cached so it cannot be used to amplify load.

use futures::future::join_all;
use idaas_service::Probes;
use idaas_web::HealthReport;

use super::GatewayState;
use crate::domain::routing::Backend;

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

fn serving() -> HealthReport {
    HealthReport::new().component("http", Ok::<(), String>(()))
}

impl Probes for GatewayState {
    async fn health(&self) -> HealthReport {
        self.health
            .get_or_compute(|| async {
                let (redis, kafka, backends) = tokio::join!(
                    self.limiter.ping(),
                    idaas_kafka::probe(&self.settings.kafka),
                    join_all(Backend::ALL.iter().map(|b| backend_ready(self, *b))),
                );
                let mut report = HealthReport::new()
                    .component("redis", redis)
                    .component("kafka", kafka);
                for (b, result) in Backend::ALL.iter().zip(backends) {
                    report = report.component(b.name(), result);
                }
                report
            })
            .await
    }

    fn liveness(&self) -> HealthReport {
        serving()
    }

    async fn readiness(&self) -> HealthReport {
        serving()
    }

    fn name(&self) -> &str {
        super::SERVICE
    }
}
