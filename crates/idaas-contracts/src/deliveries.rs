//! `GET /internal/v1/deliveries/summary?reference=` (webhook-dispatcher; caller: transaction):
//! where each direction's webhook of a payment stands, for `GET /v1/transactions/{reference}`.

use serde::{Deserialize, Serialize};

pub const SUMMARY_PATH: &str = "/internal/v1/deliveries/summary";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SummaryQuery {
    pub reference: String,
}

/// One direction's delivery: its status and attempts so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DirectionSummary {
    /// PENDING, DELIVERED or FAILED.
    #[schema(example = "DELIVERED")]
    pub status: String,
    pub attempts: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivered_at: Option<String>,
}

/// Each direction's delivery, when recorded (the SENDER one exists once the outcome is known).
/// The transaction service shows it to the payment's parties as `webhooks`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeliverySummary {
    pub receiver: Option<DirectionSummary>,
    pub sender: Option<DirectionSummary>,
}
