use std::{sync::Arc, time::Duration};

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{scoped_futures::ScopedFutureExt, AsyncConnection, RunQueryDsl};
use futures::future::join_all;
use idaas_config::KafkaSettings;
use idaas_db::PgPool;
use idaas_telemetry::metrics::{counter, histogram};
use idaas_telemetry::TraceHeaders;
use rdkafka::{
    producer::{FutureProducer, FutureRecord},
    util::Timeout,
};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::{headers, outbox::outbox, KafkaError};

const BATCH: i64 = 500;
/// One relay at a time per database publishes, which keeps the outbox order on the topic.
const RELAY_LOCK: i64 = 0x0001_DAA5_0002;
const RETENTION_DAYS: i64 = 7;

#[derive(Queryable, Selectable)]
#[diesel(table_name = outbox)]
struct Row {
    id: Uuid,
    topic: String,
    message_key: String,
    event_type: String,
    payload: Vec<u8>,
    headers: serde_json::Value,
}

/// Wakes the relay right after a commit so events leave without waiting for the next poll.
#[derive(Clone, Default)]
pub struct RelayHandle(Arc<Notify>);

impl RelayHandle {
    pub fn wake(&self) {
        self.0.notify_one();
    }
}

/// Publishes committed outbox rows at least once, in commit order, then marks them published.
pub struct OutboxRelay {
    pool: PgPool,
    kafka: KafkaSettings,
    producer: FutureProducer,
    poll: Duration,
    handle: RelayHandle,
}

impl OutboxRelay {
    pub fn new(pool: PgPool, kafka: KafkaSettings, poll: Duration) -> Result<Self, KafkaError> {
        Ok(Self {
            pool,
            producer: crate::build_producer(&kafka)?,
            kafka,
            poll,
            handle: RelayHandle::default(),
        })
    }

    pub fn handle(&self) -> RelayHandle {
        self.handle.clone()
    }

    /// Publishes until `stop` is cancelled; a pass under way is finished first (its batch is
    /// either published and marked, or rolled back to go again after a restart). `on_pass` is
    /// called at the start of every pass, successful or not (the liveness heartbeat).
    pub async fn run(mut self, stop: CancellationToken, on_pass: impl Fn() + Send) {
        let mut since_cleanup = 0u32;
        loop {
            if stop.is_cancelled() {
                tracing::info!("outbox relay stopped");
                return;
            }
            on_pass();
            match self.relay_once().await {
                Ok(n) if n > 0 => {
                    counter!("idaas_outbox_published_total").increment(n as u64);
                    histogram!("idaas_outbox_relay_batch_size").record(n as f64);
                    continue;
                }
                Ok(_) => {}
                // After a failed pass the producer is built anew (cheap next to a 30 s send
                // timeout): a broker that came back without its state, or a producer left in a
                // fatal state, is not waited on forever. Anything the old producer still
                // delivers is deduped by event id.
                Err(e) => {
                    counter!("idaas_outbox_relay_errors_total").increment(1);
                    tracing::warn!(error = %e, "outbox relay pass failed; retrying with a new producer");
                    match crate::build_producer(&self.kafka) {
                        Ok(p) => self.producer = p,
                        Err(e) => tracing::warn!(error = %e, "new Kafka producer failed"),
                    }
                }
            }
            since_cleanup += 1;
            if since_cleanup >= 3000 {
                since_cleanup = 0;
                if let Err(e) = self.cleanup().await {
                    tracing::warn!(error = %e, "outbox cleanup failed");
                }
            }
            tokio::select! {
                _ = stop.cancelled() => {}
                _ = self.handle.0.notified() => {}
                _ = tokio::time::sleep(self.poll) => {}
            }
        }
    }

    /// One pass: returns how many events were published.
    // DEBUG: a pass runs every poll interval, mostly finding nothing; at INFO each would be a
    // trace of its own in the exported spans. Events keep the trace of the request that caused
    // them (their headers), which is the trace worth following.
    #[tracing::instrument(level = "debug", name = "outbox.relay", skip(self))]
    pub async fn relay_once(&self) -> Result<usize, KafkaError> {
        let mut conn = self.pool.get().await.map_err(idaas_db::DbError::from)?;
        let producer = &self.producer;
        conn.transaction::<usize, KafkaError, _>(|c| {
            async move {
                let locked: bool = diesel::select(diesel::dsl::sql::<diesel::sql_types::Bool>(
                    &format!("pg_try_advisory_xact_lock({RELAY_LOCK})"),
                ))
                .get_result(c)
                .await?;
                if !locked {
                    return Ok(0);
                }
                let rows: Vec<Row> = outbox::table
                    .filter(outbox::published_at.is_null())
                    .order(outbox::seq.asc())
                    .limit(BATCH)
                    .select(Row::as_select())
                    .load(c)
                    .await?;
                if rows.is_empty() {
                    return Ok(0);
                }
                // All sends in flight at once; the idempotent producer keeps per-partition order.
                let sends = rows.iter().map(|r| {
                    // Trace context is best effort: an unreadable one never holds an event back.
                    let trace: TraceHeaders = serde_json::from_value(r.headers.clone())
                        .unwrap_or_else(|e| {
                            tracing::warn!(error = %e, id = %r.id, "outbox row without usable trace headers");
                            TraceHeaders::default()
                        });
                    let h = headers::build(&r.id.to_string(), &r.event_type, &trace);
                    producer.send(
                        FutureRecord::to(&r.topic)
                            .key(&r.message_key)
                            .payload(&r.payload)
                            .headers(h),
                        Timeout::After(Duration::from_secs(30)),
                    )
                });
                for result in join_all(sends).await {
                    // A failure rolls the batch back; what was sent goes again and is deduped.
                    result.map_err(|(e, _)| KafkaError::Client(e))?;
                }
                let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
                diesel::update(outbox::table.filter(outbox::id.eq_any(&ids)))
                    .set(outbox::published_at.eq(Utc::now()))
                    .execute(c)
                    .await?;
                tracing::debug!(published = ids.len(), "outbox batch published");
                Ok(ids.len())
            }
            .scope_boxed()
        })
        .await
    }

    async fn cleanup(&self) -> Result<(), KafkaError> {
        let mut conn = self.pool.get().await.map_err(idaas_db::DbError::from)?;
        let cutoff = Utc::now() - chrono::Duration::days(RETENTION_DAYS);
        diesel::delete(outbox::table.filter(outbox::published_at.lt(cutoff)))
            .execute(&mut conn)
            .await?;
        Ok(())
    }
}
