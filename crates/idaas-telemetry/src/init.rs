use idaas_config::{LogFormat, TelemetrySettings};
use opentelemetry::{trace::TracerProvider as _, KeyValue};
use opentelemetry_otlp::WithExportConfig;
use opentelemetry_sdk::{
    propagation::TraceContextPropagator,
    resource::EnvResourceDetector,
    runtime,
    trace::{Sampler, TracerProvider},
    Resource,
};
use tracing_subscriber::{
    fmt::writer::BoxMakeWriter, layer::SubscriberExt, util::SubscriberInitExt, EnvFilter, Layer,
};

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
/// trace id to propagate; spans are exported (OTLP over HTTP) only when an endpoint is
/// configured, by `telemetry.otlp_endpoint` or the standard `OTEL_EXPORTER_OTLP_ENDPOINT` /
/// `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (which win, as the OpenTelemetry specification says).
/// The other standard variables apply too: `OTEL_SDK_DISABLED`, `OTEL_TRACES_EXPORTER=none`,
/// `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_TRACES_SAMPLER(_ARG)` (without it,
/// every span: see below), `OTEL_EXPORTER_OTLP_(TRACES_)HEADERS`, `OTEL_BSP_*`. `version`
/// becomes `service.version`.
pub fn init(
    service: &str,
    version: &str,
    settings: &TelemetrySettings,
) -> Result<TelemetryGuard, TelemetryError> {
    install(
        service,
        version,
        settings,
        BoxMakeWriter::new(std::io::stdout),
    )
}

/// As `init`, for a command-line tool whose stdout is its output: log lines go to stderr.
pub fn init_cli(
    service: &str,
    version: &str,
    settings: &TelemetrySettings,
) -> Result<TelemetryGuard, TelemetryError> {
    install(
        service,
        version,
        settings,
        BoxMakeWriter::new(std::io::stderr),
    )
}

fn install(
    service: &str,
    version: &str,
    settings: &TelemetrySettings,
    writer: BoxMakeWriter,
) -> Result<TelemetryGuard, TelemetryError> {
    opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());

    let mut builder = TracerProvider::builder().with_resource(resource(service, version));
    // Every request is traced unless the operator samples (OTEL_TRACES_SAMPLER): the SDK's
    // default, parent-based, would let a caller's `traceparent` flags decide, and a tenant
    // could switch our tracing of its own requests off.
    if env_set("OTEL_TRACES_SAMPLER").is_none() {
        builder = builder.with_sampler(Sampler::AlwaysOn);
    }
    if exporting(settings) {
        let mut exporter = opentelemetry_otlp::SpanExporter::builder().with_http();
        if !settings.otlp_endpoint.is_empty() {
            exporter = exporter.with_endpoint(settings.otlp_endpoint.clone());
        }
        let exporter = exporter
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
            .with_writer(writer)
            .boxed(),
        LogFormat::Pretty => tracing_subscriber::fmt::layer().with_writer(writer).boxed(),
    };
    tracing_subscriber::registry()
        .with(filter)
        .with(fmt)
        .with(otel)
        .try_init()
        .map_err(|e| TelemetryError::Subscriber(e.to_string()))?;
    log_panics();
    Ok(TelemetryGuard { provider })
}

/// A panic in a handler drops its request before the request log runs: log it here, inside
/// whatever span was current (the request's, with its id), then let the default hook print it.
fn log_panics() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        tracing::error!(panic = %info, "panicked");
        previous(info);
    }));
}

fn env_set(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// Whether spans leave the process: an endpoint from the settings or the environment, unless
/// the standard switches turn exporting off.
fn exporting(settings: &TelemetrySettings) -> bool {
    let disabled = env_set("OTEL_SDK_DISABLED").is_some_and(|v| v.eq_ignore_ascii_case("true"))
        || env_set("OTEL_TRACES_EXPORTER").is_some_and(|v| v.eq_ignore_ascii_case("none"));
    let endpoint = !settings.otlp_endpoint.is_empty()
        || env_set("OTEL_EXPORTER_OTLP_ENDPOINT").is_some()
        || env_set("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT").is_some();
    endpoint && !disabled
}

/// `service.name` and `service.version` of this process, then `OTEL_RESOURCE_ATTRIBUTES`, then
/// `OTEL_SERVICE_NAME`: each later one wins, so an operator's setting beats our defaults.
fn resource(service: &str, version: &str) -> Resource {
    let ours = Resource::new([
        KeyValue::new("service.name", service.to_owned()),
        KeyValue::new("service.version", version.to_owned()),
        KeyValue::new("service.namespace", "idaas"),
    ]);
    let from_env = Resource::from_detectors(
        std::time::Duration::ZERO,
        vec![Box::new(EnvResourceDetector::new())],
    );
    let name = env_set("OTEL_SERVICE_NAME")
        .map(|n| Resource::new([KeyValue::new("service.name", n)]))
        .unwrap_or_else(Resource::empty);
    ours.merge(&from_env).merge(&name)
}
