use std::{sync::Arc, time::Duration};

use idaas_auth::{Authenticator, Revocations, ServiceVerifier, TokenVerifier};
use idaas_config::Settings;
use idaas_db::{EmbeddedMigrations, PgPool};
use idaas_kafka::{OutboxRelay, RelayHandle, Topics};
use idaas_web::{HealthCache, HealthReport};

use actix_web::web;

use crate::{retry, scrape_gauges::CountGauge, Heartbeats, Probes, StartupError, Supervisor};

/// A relay pass may wait out the producer's 30 s send timeout while the broker is down.
const RELAY_MAX_SILENCE: Duration = Duration::from_secs(120);
const READINESS_TIMEOUT: Duration = Duration::from_secs(2);

/// What a running service holds: its own database, the broker, its outbox relay and auth.
#[derive(Clone)]
pub struct Infra {
    pub service: String,
    pub settings: Settings,
    pub pool: PgPool,
    pub topics: Topics,
    pub relay: RelayHandle,
    pub authenticator: Authenticator,
    probe_pool: PgPool,
    /// Every background loop's heartbeat: the outbox relay's and whatever the service adds.
    pub heartbeats: Heartbeats,
    /// Owns the background workers: the relay and whatever the service adds.
    pub supervisor: Supervisor,
    /// Checks service credentials on this service's internal routes.
    pub service_verifier: Arc<ServiceVerifier>,
    health_cache: Arc<HealthCache>,
    /// Counts of the service's own read at scrape time (see [`Infra::with_count_gauge`]).
    count_gauges: Arc<Vec<CountGauge>>,
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
        let url = crate::database_url(&settings, service)?;
        idaas_db::run_migrations(url.expose(), idaas_kafka::OUTBOX_MIGRATIONS).await?;
        if let Some(own) = migrations {
            idaas_db::run_migrations(url.expose(), own).await?;
        }
        let pool_size = settings
            .service(service)
            .and_then(|s| s.pool_size)
            .unwrap_or(settings.database.pool_size);
        let pool = idaas_db::connect(url.expose(), pool_size, crate::session_limits(&settings))?;
        // Readiness has a connection of its own: a pool saturated by a flood of requests means
        // busy, not broken, and must not take every replica out of service at once.
        let probe_pool = idaas_db::connect(
            url.expose(),
            1,
            idaas_db::SessionLimits {
                statement_timeout_ms: 1_000,
                lock_timeout_ms: 1_000,
                pool_wait_ms: 1_000,
            },
        )?;

        let topics = Topics::new(settings.kafka.topic_prefix.clone());
        // A broker outage never stops a service from starting: the outbox holds events until
        // the broker is back, and the topics are created (local) or found (elsewhere, where
        // they are declared resources) as soon as it answers.
        let kafka = settings.kafka.clone();
        let names = topics.all();
        tokio::spawn(async move {
            if kafka.create_topics {
                let _ = retry("broker", u32::MAX, || {
                    idaas_kafka::ensure_topics(&kafka, &names)
                })
                .await;
            } else {
                let _ = retry("topics", u32::MAX, || topics_present(&kafka, &names)).await;
            }
        });
        let relay = OutboxRelay::new(
            pool.clone(),
            settings.kafka.clone(),
            Duration::from_millis(settings.kafka.outbox_poll_ms),
        )?;
        let handle = relay.handle();
        let heartbeats = Heartbeats::default();
        let relay_beat = heartbeats.register("outbox-relay", RELAY_MAX_SILENCE);
        let supervisor = Supervisor::default();
        supervisor.spawn("outbox-relay", move |stop| {
            relay.run(stop, move || relay_beat.beat())
        });

        let redis_timeout = Duration::from_millis(settings.redis.timeout_ms);
        let revocations = retry("redis", 30, || {
            Revocations::connect_with(settings.redis.url.expose(), redis_timeout)
        })
        .await
        .map_err(|e| StartupError::dependency("redis", e))?;
        let authenticator = Authenticator::new(verifier, revocations);
        let service_verifier = Arc::new(crate::internal_call::verifier(service, &settings)?);

        Ok(Self {
            service: service.to_owned(),
            settings,
            pool,
            topics,
            relay: handle,
            authenticator,
            probe_pool,
            heartbeats,
            supervisor,
            service_verifier,
            health_cache: Arc::new(HealthCache::new()),
            count_gauges: Arc::new(Vec::new()),
        })
    }

    /// Adds a gauge read at every scrape from this service's database (before the service
    /// starts serving: clones made earlier do not see it).
    pub fn with_count_gauge(mut self, gauge: CountGauge) -> Self {
        Arc::make_mut(&mut self.count_gauges).push(gauge);
        self
    }

    pub fn max_body(&self) -> usize {
        self.settings.http.max_body_bytes
    }
}

/// Ok once every topic exists; otherwise which are missing, for the start-up log.
async fn topics_present(
    kafka: &idaas_config::KafkaSettings,
    names: &[String],
) -> Result<(), String> {
    match idaas_kafka::missing_topics(kafka, names).await {
        Ok(missing) if missing.is_empty() => Ok(()),
        Ok(missing) => Err(format!(
            "topics missing on the brokers (kafka.create_topics is off: declare them): {}",
            missing.join(", ")
        )),
        Err(e) => Err(e.to_string()),
    }
}

impl Probes for Infra {
    /// Database, broker and Redis, each UP or DOWN; computed at most once per cache period.
    async fn health(&self) -> HealthReport {
        self.health_cache
            .get_or_compute(|| async {
                let (db, kafka, redis) = tokio::join!(
                    idaas_db::ping(&self.pool),
                    idaas_kafka::probe(&self.settings.kafka),
                    self.authenticator.revocations().ping(),
                );
                HealthReport::new()
                    .component("db", db)
                    .component("kafka", kafka)
                    .component("redis", redis)
            })
            .await
    }

    /// The process answers and every background loop (the outbox relay included) beat within
    /// its allowed silence.
    fn liveness(&self) -> HealthReport {
        let silent = self.heartbeats.silent();
        let result = if silent.is_empty() {
            Ok(())
        } else {
            Err(format!("background loops stalled: {}", silent.join(", ")))
        };
        HealthReport::new().component("workers", result)
    }

    /// Its own database only. A broker or peer outage must not take every pod out of
    /// service; the outbox holds events meanwhile.
    async fn readiness(&self) -> HealthReport {
        let db = tokio::time::timeout(READINESS_TIMEOUT, idaas_db::ping(&self.probe_pool))
            .await
            .unwrap_or_else(|_| Err(idaas_db::DbError::Pool("ping timed out".into())));
        HealthReport::new().component("db", db)
    }

    fn name(&self) -> &str {
        &self.service
    }

    async fn refresh_gauges(&self) {
        crate::scrape_gauges::refresh(&self.pool, &self.probe_pool, &self.count_gauges).await;
    }

    fn app_data(&self, cfg: &mut web::ServiceConfig) {
        cfg.app_data(web::Data::new(self.authenticator.clone()))
            .app_data(web::Data::from(self.service_verifier.clone()));
    }
}
