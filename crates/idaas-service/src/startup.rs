use std::{future::Future, net::TcpListener, time::Duration};

use idaas_config::Settings;

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Config(#[from] idaas_config::ConfigError),
    #[error(transparent)]
    Telemetry(#[from] idaas_telemetry::TelemetryError),
    #[error(transparent)]
    Db(#[from] idaas_db::DbError),
    #[error(transparent)]
    Kafka(#[from] idaas_kafka::KafkaError),
    #[error("redis: {0}")]
    Redis(String),
    #[error("keys: {0}")]
    Keys(String),
    #[error("bind {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Other(String),
}

/// Settings of `service`, layered and validated (see `config/default.toml`).
pub fn load_settings(service: &str) -> Result<Settings, StartupError> {
    Ok(idaas_config::load(service)?)
}

/// Binds the service's port (0 picks a free one, as tests do).
pub fn bind(settings: &Settings, service: &str) -> Result<TcpListener, StartupError> {
    let port = settings.service(service).map(|s| s.port).unwrap_or(0);
    let addr = format!("{}:{port}", settings.http.host);
    TcpListener::bind(&addr).map_err(|source| StartupError::Bind { addr, source })
}

/// Retries a start-up dependency (the broker may come up after us) with capped back-off.
pub async fn retry<T, E, F, Fut>(what: &str, attempts: u32, mut f: F) -> Result<T, E>
where
    E: std::fmt::Display,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let mut delay = Duration::from_millis(200);
    let mut attempt = 1;
    loop {
        match f().await {
            Ok(v) => return Ok(v),
            Err(e) if attempt < attempts => {
                tracing::warn!(error = %e, attempt, "{what} not ready; retrying");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(5));
                attempt += 1;
            }
            Err(e) => return Err(e),
        }
    }
}
