//! What identity publishes through its outbox: application lifecycle events, tag events
//! (claims, transfers) and the claim webhooks it asks the dispatcher to deliver.

use chrono::{DateTime, Utc};
use idaas_api::timestamp;
use idaas_kafka::{OutboxMessage, Topics};
use idaas_proto::{
    identity::v1::{application_event::Kind, tag_event, ApplicationEvent, TagEvent},
    transaction::v1::WebhookDispatch,
    Message,
};
use uuid::Uuid;

use crate::store::{applications::ApplicationRow, tags::TagRow};

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

/// A claim or transfer event for the outbox, keyed by tag so a tag's history stays ordered.
pub fn tag_event(
    topics: &Topics,
    tag: &TagRow,
    now: DateTime<Utc>,
    kind: tag_event::Kind,
) -> OutboxMessage {
    let event_id = Uuid::now_v7();
    let name = match &kind {
        tag_event::Kind::Claim(_) => "ClaimChanged",
        tag_event::Kind::Transferred(_) => "TagTransferred",
    };
    let event = TagEvent {
        event_id: event_id.to_string(),
        tag_id: tag.id.to_string(),
        qualified_address: tag.qualified_address.clone(),
        occurred_at: timestamp(&now),
        kind: Some(kind),
    };
    OutboxMessage::new(
        event_id,
        topics.tags(),
        tag.id.to_string(),
        name,
        event.encode_to_vec(),
    )
}

/// Who a claim webhook goes to.
#[derive(Debug, Clone, Copy)]
pub enum ClaimAudience {
    /// The application holding the tag (CLAIM_REQUESTED).
    TagOwner,
    /// The application that asked for the claim (its outcome).
    Claimant,
}

/// A claim webhook for the dispatcher, which signs and delivers it like a transaction's. Both
/// parties of the claim may read its delivery records.
pub struct ClaimWebhook<'a> {
    pub claim: Uuid,
    pub audience: ClaimAudience,
    pub event_type: &'static str,
    pub target: &'a ApplicationRow,
    pub requesting_app: Uuid,
    pub owner_app: Uuid,
    pub payload: serde_json::Value,
    pub now: DateTime<Utc>,
}

impl ClaimWebhook<'_> {
    pub fn into_outbox(self, topics: &Topics) -> OutboxMessage {
        let event_id = Uuid::now_v7();
        let direction = match self.audience {
            ClaimAudience::TagOwner => "TAG_OWNER",
            ClaimAudience::Claimant => "CLAIMANT",
        };
        let dispatch = WebhookDispatch {
            event_id: event_id.to_string(),
            direction: direction.to_owned(),
            event_type: self.event_type.to_owned(),
            transaction_reference: self.claim.to_string(),
            target_application_id: self.target.id.to_string(),
            target_url: self
                .target
                .transaction_webhook_url
                .clone()
                .unwrap_or_default(),
            payload_json: self.payload.to_string(),
            occurred_at: timestamp(&self.now),
            sender_application_id: self.requesting_app.to_string(),
            receiver_application_id: self.owner_app.to_string(),
        };
        OutboxMessage::new(
            event_id,
            topics.webhooks(),
            self.claim.to_string(),
            "WebhookDispatch",
            dispatch.encode_to_vec(),
        )
    }
}
