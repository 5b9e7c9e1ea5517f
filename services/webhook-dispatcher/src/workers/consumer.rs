//! Reads `idaas.webhooks` in the dispatcher's consumer group (replicas share the partitions)
//! and records one delivery per event. The offset is committed only after the record exists,
//! so a crash re-reads and never drops an event; a re-read finds the record and adds nothing.
//! Events that have already arrived are recorded in one commit, so the consumer keeps up with
//! a busy topic instead of paying one database round trip per event.

use std::sync::Arc;

use chrono::Utc;
use idaas_kafka::{
    headers,
    rdkafka::{message::BorrowedMessage, Message},
};
use idaas_proto::{transaction::v1::WebhookDispatch, Message as _};
use idaas_service::{consume_in_batches, CancellationToken, Infra, Subscription};
use tokio::sync::Notify;
use uuid::Uuid;

use crate::{
    domain::{DeliveryStatus, Direction},
    store::deliveries::{self, DeliveryRow},
};

fn record(d: WebhookDispatch, traceparent: Option<String>) -> Result<DeliveryRow, String> {
    let direction =
        Direction::parse(&d.direction).ok_or_else(|| format!("direction {:?}", d.direction))?;
    let application_id = Uuid::parse_str(&d.target_application_id)
        .map_err(|_| format!("target application {:?}", d.target_application_id))?;
    // Absent (empty) in events published before the parties were added.
    let party = |id: &str| Uuid::parse_str(id).ok();
    let now = Utc::now();
    Ok(DeliveryRow {
        id: Uuid::now_v7(),
        event_id: d.event_id,
        transaction_reference: d.transaction_reference,
        application_id,
        direction,
        event_type: d.event_type,
        // The contract's "no URL registered" is the empty string.
        target_url: Some(d.target_url).filter(|u| !u.is_empty()),
        payload: d.payload_json,
        status: DeliveryStatus::Pending,
        attempts: 0,
        last_error: None,
        last_attempt_at: None,
        delivered_at: None,
        next_attempt_at: Some(now),
        traceparent,
        history: serde_json::json!([]),
        created_at: now,
        sender_application_id: party(&d.sender_application_id),
        receiver_application_id: party(&d.receiver_application_id),
        manual_requested_at: None,
        manual_requested_by: None,
        manual_pending: false,
    })
}

pub async fn run(infra: Infra, wake: Arc<Notify>, stop: CancellationToken) {
    let subscription = Subscription {
        name: "webhook-consumer",
        group: "webhook-dispatcher",
        topic: infra.topics.webhooks(),
    };
    let store_infra = infra.clone();
    consume_in_batches(
        &infra,
        subscription,
        stop,
        |m| decode(m).map(|r| vec![r]),
        move |rows| {
            let (infra, wake) = (store_infra.clone(), wake.clone());
            Box::pin(async move {
                store(&infra, rows).await?;
                wake.notify_one();
                Ok(())
            })
        },
    )
    .await;
}

/// The delivery a message asks for; `None` for a message no dispatcher can ever read, which
/// would block its partition forever: it is logged with its coordinates (the outbox still holds
/// the original) and passed.
fn decode(message: &BorrowedMessage<'_>) -> Option<DeliveryRow> {
    let traceparent = message
        .headers()
        .and_then(|h| headers::get(h, "traceparent"));
    let decoded = WebhookDispatch::decode(message.payload().unwrap_or_default())
        .map_err(|e| e.to_string())
        .and_then(|d| record(d, traceparent));
    match decoded {
        Ok(row) => Some(row),
        Err(why) => {
            tracing::error!(
                topic = message.topic(), partition = message.partition(), offset = message.offset(),
                %why, "unreadable webhook event skipped"
            );
            None
        }
    }
}

async fn store(infra: &Infra, rows: &[DeliveryRow]) -> Result<(), idaas_service::ServiceError> {
    let mut conn = infra.pool.get().await?;
    let written = deliveries::insert_once(&mut conn, rows).await?;
    if written < rows.len() {
        tracing::debug!(
            already = rows.len() - written,
            "webhook events already recorded"
        );
    }
    Ok(())
}
