//! What a state change tells the outside world, as outbox messages in the same transaction:
//! the webhook the dispatcher must deliver, and the domain event.

use chrono::Utc;
use idaas_kafka::{OutboxMessage, Topics};
use idaas_proto::{
    transaction::v1::{TransactionEvent, WebhookDispatch},
    Message,
};
use idaas_service::ServiceError;
use uuid::Uuid;

use super::view::webhook_body;
use crate::store::transactions::TransactionRow;

pub const INITIATED: &str = "TRANSACTION_INITIATED";
pub const COMPLETED: &str = "TRANSACTION_COMPLETED";
pub const REJECTED: &str = "TRANSACTION_REJECTED";
pub const EXPIRED: &str = "TRANSACTION_EXPIRED";
pub const FAILED: &str = "TRANSACTION_FAILED";

fn webhook(
    topics: &Topics,
    t: &TransactionRow,
    direction: &str,
    event: &str,
    app: Uuid,
    url: Option<&str>,
) -> Result<OutboxMessage, ServiceError> {
    let event_id = Uuid::now_v7();
    let msg = WebhookDispatch {
        event_id: event_id.to_string(),
        direction: direction.to_owned(),
        event_type: event.to_owned(),
        transaction_reference: t.reference.clone(),
        target_application_id: app.to_string(),
        // The contract's "no URL" is the empty string (proto3 has no absent string here).
        target_url: url.unwrap_or("").to_owned(),
        payload_json: webhook_body(event, t).map_err(ServiceError::internal)?,
        occurred_at: Utc::now().to_rfc3339(),
        sender_application_id: t.sender_app_id.to_string(),
        receiver_application_id: t.receiver_app_id.to_string(),
    };
    Ok(OutboxMessage::new(
        event_id,
        topics.webhooks(),
        t.reference.clone(),
        "WebhookDispatch",
        msg.encode_to_vec(),
    ))
}

/// TRANSACTION_INITIATED to the receiving application.
pub fn to_receiver(topics: &Topics, t: &TransactionRow) -> Result<OutboxMessage, ServiceError> {
    webhook(
        topics,
        t,
        "RECEIVER",
        INITIATED,
        t.receiver_app_id,
        t.receiver_notify_url.as_deref(),
    )
}

/// The outcome to the sender: its `callbackUrl`, else its registered webhook URL.
pub fn to_sender(
    topics: &Topics,
    t: &TransactionRow,
    event: &str,
) -> Result<OutboxMessage, ServiceError> {
    let url = t.callback_url.as_deref().or(t.sender_notify_url.as_deref());
    webhook(topics, t, "SENDER", event, t.sender_app_id, url)
}

/// An outcome the sender hears of: its webhook and the state change, written in one statement.
pub fn sender_outcome(
    topics: &Topics,
    t: &TransactionRow,
    event: &str,
) -> Result<[OutboxMessage; 2], ServiceError> {
    Ok([to_sender(topics, t, event)?, state_changed(topics, t)])
}

pub fn state_changed(topics: &Topics, t: &TransactionRow) -> OutboxMessage {
    let event_id = Uuid::now_v7();
    let msg = TransactionEvent {
        event_id: event_id.to_string(),
        transaction_reference: t.reference.clone(),
        status: t.status.as_str().to_owned(),
        sender_application_id: t.sender_app_id.to_string(),
        receiver_application_id: t.receiver_app_id.to_string(),
        amount: format!("{:.4}", t.amount),
        currency: t.currency.clone(),
        occurred_at: Utc::now().to_rfc3339(),
    };
    OutboxMessage::new(
        event_id,
        topics.transactions(),
        t.reference.clone(),
        t.status.as_str(),
        msg.encode_to_vec(),
    )
}
