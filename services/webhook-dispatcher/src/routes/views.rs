//! A delivery record as section 11 shows it.

use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    domain::{DeliveryStatus, Direction},
    store::deliveries::DeliveryRow,
};

use idaas_api::timestamp as ts;

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryView {
    pub id: Uuid,
    pub transaction_reference: String,
    pub direction: Direction,
    #[schema(example = "TRANSACTION_INITIATED")]
    pub event_type: String,
    /// Only on the caller's own deliveries: the other party's endpoint is not the caller's to see.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_url: Option<String>,
    pub status: DeliveryStatus,
    pub attempts: i32,
    /// Only on the caller's own deliveries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_attempt_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivered_at: Option<String>,
    pub created_at: String,
}

impl DeliveryView {
    /// The record as `viewer` may see it.
    pub fn of(r: &DeliveryRow, viewer: Uuid) -> Self {
        let own = r.application_id == viewer;
        Self {
            id: r.id,
            transaction_reference: r.transaction_reference.clone(),
            direction: r.direction,
            event_type: r.event_type.clone(),
            target_url: r.target_url.clone().filter(|_| own),
            status: r.status,
            attempts: r.attempts,
            last_error: r.last_error.clone().filter(|_| own),
            last_attempt_at: r.last_attempt_at.as_ref().map(ts),
            delivered_at: r.delivered_at.as_ref().map(ts),
            created_at: ts(&r.created_at),
        }
    }
}
