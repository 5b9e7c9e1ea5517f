use idaas_config::{LogFormat, TelemetrySettings};
use opentelemetry::{trace::TracerProvider as _, KeyValue};
use opentelemetry_otlp::WithExportConfig;
use opentelemetry_sdk::{
    propagation::TraceContextPropagator, runtime, trace::TracerProvider, Resource,
};
use tracing_subscriber::{layer::SubscriberExt, util::SubscriberInitExt, EnvFilter, Layer};

#[derive(Debug, thiserror::Error)]
pub enum TelemetryError {
    #[error("OTLP exporter: {0}")]
    Exporter(String),
    #[error("tracing subscriber: {0}")]
    Subscriber(String),
}

/// Flushes pending spans when dropped at the end of `main`.
pub struct TelemetryGuard {
    provider: TracerProvider,
}

impl Drop for TelemetryGuard {
    fn drop(&mut self) {
        for result in self.provider.force_flush() {
            if let Err(e) = result {
                eprintln!("telemetry flush failed: {e}");
            }
        }
    }
}

/// Installs the global subscriber. The OpenTelemetry layer is always on, so every span has a
/// trace id to propagate; spans are exported only when `otlp_endpoint` is set.
pub fn init(service: &str, settings: &TelemetrySettings) -> Result<TelemetryGuard, TelemetryError> {
    opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());

    let mut builder = TracerProvider::builder().with_resource(Resource::new(vec![KeyValue::new(
        "service.name",
        service.to_owned(),
    )]));
    if !settings.otlp_endpoint.is_empty() {
        let exporter = opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .with_endpoint(settings.otlp_endpoint.clone())
            .build()
            .map_err(|e| TelemetryError::Exporter(e.to_string()))?;
        builder = builder.with_batch_exporter(exporter, runtime::Tokio);
    }
    let provider = builder.build();
    opentelemetry::global::set_tracer_provider(provider.clone());
    let otel = tracing_opentelemetry::layer().with_tracer(provider.tracer(service.to_owned()));

    // RUST_LOG, when set, overrides the setting; either way a filter that does not parse stops
    // the service naming where it came from, rather than silently logging at another level.
    let filter = match std::env::var("RUST_LOG") {
        Ok(env) => EnvFilter::try_new(&env)
            .map_err(|e| TelemetryError::Subscriber(format!("RUST_LOG {env:?}: {e}")))?,
        Err(_) => EnvFilter::try_new(&settings.log_level).map_err(|e| {
            TelemetryError::Subscriber(format!("telemetry.log_level {:?}: {e}", settings.log_level))
        })?,
    };
    let fmt = match settings.log_format {
        LogFormat::Json => tracing_subscriber::fmt::layer()
            .json()
            .with_current_span(true)
            .boxed(),
        LogFormat::Pretty => tracing_subscriber::fmt::layer().boxed(),
    };
    tracing_subscriber::registry()
        .with(filter)
        .with(fmt)
        .with(otel)
        .try_init()
        .map_err(|e| TelemetryError::Subscriber(e.to_string()))?;
    Ok(TelemetryGuard { provider })
}
