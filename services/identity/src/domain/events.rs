use chrono::Utc;
use idaas_kafka::{OutboxMessage, Topics};
use idaas_proto::{
    identity::v1::{application_event::Kind, ApplicationEvent},
    Message,
};
use uuid::Uuid;

fn event_type(kind: &Kind) -> &'static str {
    match kind {
        Kind::Registered(_) => "ApplicationRegistered",
        Kind::Deactivated(_) => "ApplicationDeactivated",
        Kind::KeysRotated(_) => "ApplicationKeysRotated",
        Kind::WebhookSecretRotated(_) => "WebhookSecretRotated",
    }
}

/// An application lifecycle event for the outbox, keyed by application so it stays ordered.
pub fn application_event(topics: &Topics, app_id: Uuid, kind: Kind) -> OutboxMessage {
    let event_id = Uuid::now_v7();
    let name = event_type(&kind);
    let event = ApplicationEvent {
        event_id: event_id.to_string(),
        application_id: app_id.to_string(),
        occurred_at: Utc::now().to_rfc3339(),
        kind: Some(kind),
    };
    OutboxMessage::new(
        event_id,
        topics.applications(),
        app_id.to_string(),
        name,
        event.encode_to_vec(),
    )
}
