//! Health for people and for Kubernetes. The public `/actuator/health` says UP or DOWN per
//! component and nothing else (no error text, URLs or versions: the cause goes to the log), and
//! is computed at most once per `HealthCache` period however many callers ask, so it cannot be
//! used to amplify load onto the databases and peers behind it.

use std::{
    collections::BTreeMap,
    time::{Duration, Instant},
};

use actix_web::{http::StatusCode, HttpResponse};
use serde::Serialize;
use tokio::sync::Mutex;

#[derive(Debug, Clone, Serialize)]
pub struct Component {
    pub status: &'static str,
}

/// `UP` with 200 only when every component is up, else `DOWN` with 503.
#[derive(Debug, Clone, Default, Serialize)]
pub struct HealthReport {
    status: &'static str,
    components: BTreeMap<String, Component>,
}

impl HealthReport {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn component<E: std::fmt::Display>(mut self, name: &str, result: Result<(), E>) -> Self {
        let status = match result {
            Ok(()) => "UP",
            Err(e) => {
                tracing::warn!(component = name, error = %e, "health check: component down");
                "DOWN"
            }
        };
        self.components
            .insert(name.to_owned(), Component { status });
        self
    }

    pub fn is_up(&self) -> bool {
        self.components.values().all(|c| c.status == "UP")
    }

    pub fn into_response(mut self) -> HttpResponse {
        let up = self.is_up();
        self.status = if up { "UP" } else { "DOWN" };
        let status = if up {
            StatusCode::OK
        } else {
            StatusCode::SERVICE_UNAVAILABLE
        };
        HttpResponse::build(status)
            .insert_header(("cache-control", "no-store"))
            .json(self)
    }
}

/// How long a computed public health report is served as it is.
pub const HEALTH_CACHE_TTL: Duration = Duration::from_secs(2);

/// The last public report and when it was made. Callers arriving while one is computed wait
/// for it and share it.
#[derive(Default)]
pub struct HealthCache {
    last: Mutex<Option<(Instant, HealthReport)>>,
}

impl HealthCache {
    pub fn new() -> Self {
        Self::default()
    }

    pub async fn get_or_compute<F, Fut>(&self, compute: F) -> HealthReport
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = HealthReport>,
    {
        let mut last = self.last.lock().await;
        if let Some((at, report)) = last.as_ref() {
            if at.elapsed() < HEALTH_CACHE_TTL {
                return report.clone();
            }
        }
        let report = compute().await;
        *last = Some((Instant::now(), report.clone()));
        report
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn reports_status_only_and_computes_once_per_period() {
        let cache = HealthCache::new();
        let calls = std::sync::atomic::AtomicUsize::new(0);
        for _ in 0..5 {
            let report = cache
                .get_or_compute(|| async {
                    calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    HealthReport::new()
                        .component("db", Ok::<(), String>(()))
                        .component("kafka", Err("connect to 10.0.0.7:9092 refused".to_owned()))
                })
                .await;
            assert!(!report.is_up());
            let text = serde_json::to_string(&report).unwrap_or_default();
            assert!(!text.contains("10.0.0.7"), "{text}");
        }
        assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 1);
    }
}
