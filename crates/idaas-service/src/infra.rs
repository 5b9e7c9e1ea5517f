use std::{sync::Arc, time::Duration};

use idaas_auth::{Authenticator, Revocations, TokenVerifier};
use idaas_config::Settings;
use idaas_db::{EmbeddedMigrations, PgPool};
use idaas_kafka::{rdkafka::producer::FutureProducer, OutboxRelay, RelayHandle, Topics};
use idaas_web::HealthReport;

use crate::{retry, StartupError};

/// What a running service holds: its own database, the broker, its outbox relay and auth.
#[derive(Clone)]
pub struct Infra {
    pub service: String,
    pub settings: Settings,
    pub pool: PgPool,
    pub producer: FutureProducer,
    pub topics: Topics,
    pub relay: RelayHandle,
    pub authenticator: Authenticator,
}

impl Infra {
    /// Connects to the service's database (running the outbox's migrations, then its own, if
    /// it has any yet) and to the broker
    /// (creating the platform's topics), and starts the outbox relay in the background.
    pub async fn start(
        service: &str,
        settings: Settings,
        migrations: Option<EmbeddedMigrations>,
        verifier: Arc<TokenVerifier>,
    ) -> Result<Self, StartupError> {
        let db_name = settings
            .service(service)
            .map(|s| s.database.clone())
            .unwrap_or_default();
        let url = settings.database.url_for(&db_name);
        idaas_db::run_migrations(url.expose(), idaas_kafka::OUTBOX_MIGRATIONS).await?;
        if let Some(own) = migrations {
            idaas_db::run_migrations(url.expose(), own).await?;
        }
        let pool = idaas_db::connect(url.expose(), settings.database.pool_size)?;

        let topics = Topics::new(settings.kafka.topic_prefix.clone());
        let names = topics.all();
        retry("broker", 30, || {
            idaas_kafka::ensure_topics(&settings.kafka, &names)
        })
        .await?;
        let producer = idaas_kafka::build_producer(&settings.kafka)?;

        let relay = OutboxRelay::new(
            pool.clone(),
            producer.clone(),
            Duration::from_millis(settings.kafka.outbox_poll_ms),
        );
        let handle = relay.handle();
        tokio::spawn(relay.run());

        let revocations = retry("redis", 30, || {
            Revocations::connect(settings.redis.url.expose())
        })
        .await
        .map_err(|e| StartupError::Redis(e.to_string()))?;
        let authenticator = Authenticator::new(verifier, revocations);

        Ok(Self {
            service: service.to_owned(),
            settings,
            pool,
            producer,
            topics,
            relay: handle,
            authenticator,
        })
    }

    pub fn max_body(&self) -> usize {
        self.settings.http.max_body_bytes
    }

    /// Database, broker and Redis, each with its own status.
    pub async fn health(&self) -> HealthReport {
        let (db, kafka, redis) = tokio::join!(
            idaas_db::ping(&self.pool),
            idaas_kafka::probe(&self.settings.kafka),
            self.authenticator.revocations().ping(),
        );
        HealthReport::new()
            .component("db", db)
            .component("kafka", kafka)
            .component("redis", redis)
    }

    pub fn info(&self) -> serde_json::Value {
        serde_json::json!({
            "app": { "name": self.service, "version": env!("CARGO_PKG_VERSION") },
        })
    }
}
