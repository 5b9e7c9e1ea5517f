use std::path::{Path, PathBuf};

use config::{Config, Environment, File};

use crate::Settings;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration could not be read: {0}")]
    Read(#[from] config::ConfigError),
    #[error("configuration is invalid: {}", .0.join("; "))]
    Invalid(Vec<String>),
    #[error("configuration directory not found (set IDAAS_CONFIG_DIR)")]
    NoConfigDir,
}

/// `IDAAS_CONFIG_DIR`, else the nearest `config/` holding `default.toml` from the working
/// directory upwards, so binaries run from the repo root, a service folder or a test all find it.
pub fn config_dir() -> Result<PathBuf, ConfigError> {
    if let Ok(dir) = std::env::var("IDAAS_CONFIG_DIR") {
        return Ok(PathBuf::from(dir));
    }
    let mut here = std::env::current_dir().map_err(|_| ConfigError::NoConfigDir)?;
    loop {
        let candidate = here.join("config");
        if candidate.join("default.toml").is_file() {
            return Ok(candidate);
        }
        if !here.pop() {
            return Err(ConfigError::NoConfigDir);
        }
    }
}

fn layered(dir: &Path, profile: &str) -> config::ConfigBuilder<config::builder::DefaultState> {
    Config::builder()
        .add_source(File::from(dir.join("default.toml")))
        .add_source(File::from(dir.join(format!("{profile}.toml"))).required(false))
        .add_source(File::from(dir.join(format!("{profile}.secrets.toml"))).required(false))
        .add_source(
            Environment::with_prefix("IDAAS")
                .prefix_separator("__")
                .separator("__")
                .try_parsing(true),
        )
}

/// The profile when `IDAAS_PROFILE` is unset: the strict one. A pod that lost the variable must
/// not fall back to local leniencies (plain-http webhook URLs, `local.secrets.toml`); `make up`
/// and the tests say `local` explicitly.
pub const DEFAULT_PROFILE: &str = "production";

/// Loads and validates the settings of `service` (profile from `IDAAS_PROFILE`).
pub fn load(service: &str) -> Result<Settings, ConfigError> {
    let dir = config_dir()?;
    let profile = std::env::var("IDAAS_PROFILE").unwrap_or_else(|_| DEFAULT_PROFILE.to_owned());
    load_from(&dir, &profile, service)
}

/// Loads from an explicit directory and profile (tests use this instead of process env).
pub fn load_from(dir: &Path, profile: &str, service: &str) -> Result<Settings, ConfigError> {
    let mut builder = layered(dir, profile).set_override("profile", profile)?;
    // The guide documents this exact variable for the token lifetime.
    if let Ok(ttl) = std::env::var("IDAAS_APP_TOKEN_TTL") {
        builder = builder.set_override("auth.token_ttl_seconds", ttl)?;
    }
    let settings: Settings = builder.build()?.try_deserialize()?;
    settings.validate(service).map_err(ConfigError::Invalid)?;
    Ok(settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The repository's config with one profile file added, in a directory of its own.
    fn with_profile(name: &str, toml: &str) -> PathBuf {
        let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../config");
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let dir = std::env::temp_dir().join(format!("idaas-config-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        std::fs::copy(repo.join("default.toml"), dir.join("default.toml"))
            .unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(dir.join(format!("{name}.toml")), toml).unwrap_or_else(|e| panic!("{e}"));
        dir
    }

    #[test]
    fn a_service_may_size_its_own_pool_and_topics_are_created_only_locally() {
        let dir = with_profile("sized", "[services.ledger]\npool_size = 3\n");
        let s = load_from(&dir, "sized", "ledger").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.service("ledger").and_then(|l| l.pool_size), Some(3));
        assert_eq!(s.service("identity").and_then(|l| l.pool_size), None);
        assert!(!s.kafka.create_topics, "off unless a profile turns it on");
        let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../config");
        let local = load_from(&repo, "local", "ledger").unwrap_or_else(|e| panic!("{e}"));
        assert!(local.kafka.create_topics);
    }

    #[test]
    fn a_bad_setting_stops_start_up_naming_its_key() {
        let dir = with_profile("bad", "[telemetry]\nlog_format = \"xml\"\n");
        let err = load_from(&dir, "bad", "identity")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("log_format"), "{err}");
        let dir = with_profile("good", "[telemetry]\nlog_format = \"pretty\"\n");
        let ok = load_from(&dir, "good", "identity").map(|s| s.telemetry.log_format);
        assert!(matches!(ok, Ok(crate::LogFormat::Pretty)), "{ok:?}");
    }
}
