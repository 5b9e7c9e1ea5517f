use std::{future::Future, net::TcpListener, sync::Arc, time::Duration};

use idaas_auth::TokenVerifier;
use idaas_config::Settings;
use idaas_crypto::{keys::EcKeyPair, secret::Secret};

use crate::BoxError;

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
    /// A setting is missing or wrong; the message names its key.
    #[error("{key}: {problem}")]
    Setting { key: String, problem: String },
    /// A key in the settings did not parse.
    #[error("{key} is not a usable key")]
    Key {
        key: &'static str,
        #[source]
        source: BoxError,
    },
    /// A dependency did not answer within the start-up retries.
    #[error("{what} unavailable")]
    Dependency {
        what: &'static str,
        #[source]
        source: BoxError,
    },
    #[error("cannot build {what}")]
    Build {
        what: &'static str,
        #[source]
        source: BoxError,
    },
    #[error("bind {addr}")]
    Bind {
        addr: String,
        #[source]
        source: std::io::Error,
    },
}

impl StartupError {
    pub fn setting(key: impl Into<String>, problem: impl Into<String>) -> Self {
        Self::Setting {
            key: key.into(),
            problem: problem.into(),
        }
    }

    pub fn key(key: &'static str, source: impl Into<BoxError>) -> Self {
        Self::Key {
            key,
            source: source.into(),
        }
    }

    pub fn dependency(what: &'static str, source: impl Into<BoxError>) -> Self {
        Self::Dependency {
            what,
            source: source.into(),
        }
    }

    pub fn build(what: &'static str, source: impl Into<BoxError>) -> Self {
        Self::Build {
            what,
            source: source.into(),
        }
    }
}

/// `services.<name>.url`, required: a service that calls a peer cannot start without it.
pub fn service_url(settings: &Settings, name: &str) -> Result<String, StartupError> {
    settings
        .service(name)
        .map(|s| s.url.trim_end_matches('/').to_owned())
        .filter(|u| !u.trim().is_empty())
        .ok_or_else(|| StartupError::setting(format!("services.{name}.url"), "is not set"))
}

/// The EC key PEM of setting `keys.<name>`, required.
pub fn pem_key(name: &str, pem: &str) -> Result<EcKeyPair, StartupError> {
    let key = format!("keys.{name}");
    if pem.trim().is_empty() {
        return Err(StartupError::setting(
            key,
            format!(
                "is not set (make up writes config/local.secrets.toml; elsewhere set \
                 IDAAS__KEYS__{})",
                name.to_uppercase()
            ),
        ));
    }
    EcKeyPair::from_pkcs8_pem(pem).map_err(|e| StartupError::setting(key, e.to_string()))
}

/// The URL of `services.<service>.database` on the configured server, required.
pub fn database_url(settings: &Settings, service: &str) -> Result<Secret<String>, StartupError> {
    let name = settings
        .service(service)
        .map(|s| s.database.clone())
        .filter(|d| !d.trim().is_empty())
        .ok_or_else(|| {
            StartupError::setting(format!("services.{service}.database"), "is not set")
        })?;
    Ok(settings.database.url_for(&name))
}

/// The per-session timeouts `[database]` sets for a service's connections.
pub fn session_limits(settings: &Settings) -> idaas_db::SessionLimits {
    idaas_db::SessionLimits {
        statement_timeout_ms: settings.database.statement_timeout_ms,
        lock_timeout_ms: settings.database.lock_timeout_ms,
        pool_wait_ms: settings.database.pool_wait_ms,
    }
}

/// Verifies application tokens against the platform JWKS (every service but identity, which
/// holds the keys).
pub fn jwks_verifier(settings: &Settings) -> Result<Arc<TokenVerifier>, StartupError> {
    TokenVerifier::from_jwks_url(&settings.auth.issuer, &settings.auth.jwks_url)
        .map(Arc::new)
        .map_err(|e| StartupError::build("the JWKS client", e))
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

/// The admin listener (`/actuator/prometheus`): `services.<service>.admin_port`, 0 or unset a
/// free one.
pub fn bind_admin(settings: &Settings, service: &str) -> Result<TcpListener, StartupError> {
    let port = settings.service(service).map(|s| s.admin_port).unwrap_or(0);
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
