//! Prometheus metrics: one recorder per process, rendered as text at `/actuator/prometheus` on
//! the service's admin port. Code records through the `metrics` facade (`counter!`, `gauge!`,
//! `histogram!`); the names, labels and what each means are listed in `docs/operations.md`.

use std::sync::OnceLock;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

pub use metrics::{counter, gauge, histogram};

/// Seconds: from a millisecond to the gateway's longest backend wait.
const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
];
/// Counts (a ledger batch, a relay pass): up to the posting queue's cap of 1,000.
const SIZE_BUCKETS: &[f64] = &[
    1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0, 1000.0,
];

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

fn build() -> Option<PrometheusHandle> {
    let recorder = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), LATENCY_BUCKETS)
        .and_then(|b| b.set_buckets_for_metric(Matcher::Suffix("_size".into()), SIZE_BUCKETS))
        .map(|b| b.build_recorder());
    let recorder = match recorder {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, "metrics recorder not built; /actuator/prometheus stays empty");
            return None;
        }
    };
    let handle = recorder.handle();
    if let Err(e) = metrics::set_global_recorder(recorder) {
        // Only if something else installed one first; ours would then see nothing.
        tracing::error!(error = %e, "another metrics recorder is installed; /actuator/prometheus stays empty");
        return None;
    }
    Some(handle)
}

/// Installs this process's recorder on first use. Several services in one test process share
/// it (their series then add up, which the tests allow for).
pub fn install() {
    HANDLE.get_or_init(build);
}

/// The exposition text of everything recorded so far.
pub fn render() -> String {
    match HANDLE.get_or_init(build) {
        Some(handle) => {
            // Drains histogram samples into their buckets; cheap, and a scrape is the moment.
            handle.run_upkeep();
            handle.render()
        }
        None => String::new(),
    }
}
