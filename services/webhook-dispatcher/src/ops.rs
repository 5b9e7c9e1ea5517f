//! Operator commands, run as `webhook-dispatcher redrive [--since RFC3339] [--application
//! UUID] --by NAME` (a Kubernetes Job or `kubectl exec` with the dispatcher's own settings).
//!
//! `redrive` reads `idaas.webhooks.dlt` from the start and gives every dead-lettered delivery
//! that matches, and is still FAILED, one more attempt (the same path as a tenant's manual
//! retry, recorded as asked by the operator). Idempotent: a delivery already pending or
//! delivered is left alone, so running it twice re-drives nothing twice.

use std::time::Duration;

use chrono::{DateTime, Utc};
use idaas_config::Settings;
use idaas_kafka::{
    build_consumer,
    rdkafka::{consumer::Consumer, Message},
    Topics,
};
use idaas_proto::{webhook::v1::WebhookDeadLetter, Message as _};
use uuid::Uuid;

use crate::store::deliveries::{self, ManualAsk};

/// Which dead letters to re-drive, and who asked.
#[derive(Debug, Clone)]
pub struct Redrive {
    pub since: Option<DateTime<Utc>>,
    pub application: Option<Uuid>,
    pub by: String,
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Redriven {
    /// Dead letters read that matched the filter.
    pub matched: usize,
    /// Deliveries given another attempt.
    pub queued: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum OpsError {
    #[error(
        "usage: webhook-dispatcher redrive [--since RFC3339] [--application UUID] --by NAME ({0})"
    )]
    Usage(String),
    #[error("settings")]
    Settings(#[from] idaas_service::StartupError),
    #[error("database")]
    Db(#[from] idaas_db::DbError),
    #[error("database query")]
    Query(#[from] diesel::result::Error),
    #[error("database pool")]
    Pool(#[from] diesel_async::pooled_connection::deadpool::PoolError),
    #[error("broker")]
    Kafka(#[from] idaas_kafka::KafkaError),
    #[error("broker")]
    Consumer(#[from] idaas_kafka::rdkafka::error::KafkaError),
}

impl Redrive {
    /// Parses the arguments after `redrive`.
    pub fn parse(args: &[String]) -> Result<Self, OpsError> {
        let (mut since, mut application, mut by) = (None, None, None);
        let mut it = args.iter();
        while let Some(flag) = it.next() {
            let value = it
                .next()
                .ok_or_else(|| OpsError::Usage(format!("{flag} needs a value")))?;
            match flag.as_str() {
                "--since" => {
                    since = Some(
                        DateTime::parse_from_rfc3339(value)
                            .map_err(|e| OpsError::Usage(format!("--since: {e}")))?
                            .with_timezone(&Utc),
                    )
                }
                "--application" => {
                    application = Some(
                        Uuid::parse_str(value)
                            .map_err(|e| OpsError::Usage(format!("--application: {e}")))?,
                    )
                }
                "--by" => by = Some(value.clone()),
                other => return Err(OpsError::Usage(format!("unknown flag {other}"))),
            }
        }
        let by = by
            .filter(|b| !b.trim().is_empty())
            .ok_or_else(|| OpsError::Usage("--by is required: who is asking".into()))?;
        Ok(Self {
            since,
            application,
            by,
        })
    }

    fn matches(&self, letter: &WebhookDeadLetter) -> bool {
        dead_letter_matches(
            self.since,
            self.application,
            &letter.failed_at,
            &letter.application_id,
        )
    }
}

/// Whether a dead letter is asked for: it failed at or after `since` (its `failed_at`, RFC
/// 3339; one that does not parse never matches a `since`) and is `application`'s. The one rule
/// for re-drives here and for `idaasctl dlt list`, which reads the letters as JSON.
pub fn dead_letter_matches(
    since: Option<DateTime<Utc>>,
    application: Option<Uuid>,
    failed_at: &str,
    application_id: &str,
) -> bool {
    let failed_at = DateTime::parse_from_rfc3339(failed_at).map(|t| t.with_timezone(&Utc));
    let recent = match (since, failed_at) {
        (None, _) => true,
        (Some(since), Ok(at)) => at >= since,
        (Some(_), Err(_)) => false,
    };
    recent && application.is_none_or(|a| application_id == a.to_string())
}

/// Reads the dead-letter topic until it has been quiet for `quiet`, re-driving what matches.
pub async fn redrive(
    settings: &Settings,
    ask: &Redrive,
    quiet: Duration,
) -> Result<Redriven, OpsError> {
    let url = idaas_service::database_url(settings, crate::SERVICE)?;
    let pool = idaas_db::connect(url.expose(), 1, idaas_service::session_limits(settings))?;
    let topics = Topics::new(settings.kafka.topic_prefix.clone());
    // A group of its own, from the start of the topic: every run sees every dead letter.
    let group = format!("{}redrive-{}", settings.kafka.topic_prefix, Uuid::new_v4());
    let consumer = build_consumer(&settings.kafka, &group)?;
    consumer.subscribe(&[topics.webhooks_dlt().as_str()])?;
    let mut done = Redriven::default();
    // Ids this run already queued, so a delivery dead-lettered twice is re-driven once.
    let mut seen = std::collections::HashSet::new();
    while let Ok(message) = tokio::time::timeout(quiet, consumer.recv()).await {
        let message = message?;
        let Ok(letter) = WebhookDeadLetter::decode(message.payload().unwrap_or_default()) else {
            tracing::warn!(offset = message.offset(), "unreadable dead letter skipped");
            continue;
        };
        if !ask.matches(&letter) {
            continue;
        }
        done.matched += 1;
        let (Ok(id), Ok(app)) = (
            Uuid::parse_str(&letter.delivery_id),
            Uuid::parse_str(&letter.application_id),
        ) else {
            continue;
        };
        if !seen.insert(id) {
            continue;
        }
        let mut conn = pool.get().await?;
        let asked = deliveries::request_manual(&mut conn, id, app, ManualAsk::Operator, Utc::now());
        if asked.await?.is_some() {
            done.queued += 1;
            tracing::info!(delivery = %id, application = %app, by = %ask.by, "dead letter re-driven");
        }
    }
    tracing::info!(matched = done.matched, queued = done.queued, by = %ask.by, "re-drive finished");
    Ok(done)
}

/// `webhook-dispatcher redrive ...`: the dispatcher's settings, then [`redrive`].
pub async fn main(args: &[String]) -> std::process::ExitCode {
    let ask = match Redrive::parse(args) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let settings = match idaas_service::load_settings(crate::SERVICE) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{}", idaas_service::chain(&e));
            return std::process::ExitCode::FAILURE;
        }
    };
    let _telemetry = idaas_telemetry::init_cli(
        "webhook-dispatcher-redrive",
        idaas_service::VERSION,
        &settings.telemetry,
    );
    match redrive(&settings, &ask, Duration::from_secs(5)).await {
        Ok(done) => {
            eprintln!(
                "re-drive by {}: {} dead letters matched, {} deliveries queued",
                ask.by, done.matched, done.queued
            );
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("re-drive failed: {}", idaas_service::chain(&e));
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn parses_filters_and_insists_on_who_asks() {
        let r = Redrive::parse(&args(&["--since", "2026-11-29T00:00:00Z", "--by", "ops"]))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.by, "ops");
        assert!(r.since.is_some() && r.application.is_none());
        assert!(Redrive::parse(&args(&["--since", "yesterday", "--by", "ops"])).is_err());
        assert!(Redrive::parse(&args(&["--application", "x", "--by", "ops"])).is_err());
        assert!(Redrive::parse(&args(&[])).is_err(), "--by is required");
        assert!(Redrive::parse(&args(&["--by"])).is_err());
    }
}
