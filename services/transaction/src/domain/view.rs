//! The transaction as both parties see it, and the webhook body built from it.

use idaas_domain::decimal_json::four_places;
use rust_decimal::Decimal;
use serde::Serialize;
use uuid::Uuid;

use super::TransactionStatus;
use crate::store::transactions::TransactionRow;

use idaas_api::timestamp as ts;

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TransactionView {
    pub id: Uuid,
    pub reference: String,
    pub sender_tag: String,
    pub sender_app_name: String,
    pub sender_app_id: Uuid,
    pub receiver_tag: String,
    pub receiver_app_name: String,
    pub receiver_app_id: Uuid,
    /// A JSON number with exactly four decimals.
    #[serde(serialize_with = "four_places")]
    #[schema(value_type = f64, example = 1500.0)]
    pub amount: Decimal,
    #[schema(example = "NGN")]
    pub currency: String,
    pub status: TransactionStatus,
    pub narration: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rejection_reason: Option<String>,
    pub expires_at: String,
    pub created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accepted_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rejected_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expired_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed_at: Option<String>,
}

impl From<&TransactionRow> for TransactionView {
    fn from(t: &TransactionRow) -> Self {
        Self {
            id: t.id,
            reference: t.reference.clone(),
            sender_tag: t.sender_tag.clone(),
            sender_app_name: t.sender_app_name.clone(),
            sender_app_id: t.sender_app_id,
            receiver_tag: t.receiver_tag.clone(),
            receiver_app_name: t.receiver_app_name.clone(),
            receiver_app_id: t.receiver_app_id,
            amount: t.amount,
            currency: t.currency.clone(),
            status: t.status,
            narration: t.narration.clone(),
            rejection_reason: t.rejection_reason.clone(),
            expires_at: ts(&t.expires_at),
            created_at: ts(&t.created_at),
            accepted_at: t.accepted_at.as_ref().map(ts),
            completed_at: t.completed_at.as_ref().map(ts),
            rejected_at: t.rejected_at.as_ref().map(ts),
            expired_at: t.expired_at.as_ref().map(ts),
            failure_reason: t.failure_reason.clone(),
            failed_at: t.failed_at.as_ref().map(ts),
        }
    }
}

/// `GET /v1/transactions/{reference}`: the payment and, when the dispatcher could say, where
/// its webhooks stand (section 22: "transaction + webhook delivery status").
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TransactionWithDeliveries {
    #[serde(flatten)]
    pub transaction: TransactionView,
    /// Absent when the dispatcher could not be asked just now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhooks: Option<idaas_contracts::deliveries::DeliverySummary>,
}

/// `{"event": "TRANSACTION_...", "transaction": {...}}`, as section 9 shows.
pub fn webhook_body(event: &str, t: &TransactionRow) -> Result<String, serde_json::Error> {
    #[derive(Serialize)]
    struct Body<'a> {
        event: &'a str,
        transaction: TransactionView,
    }
    serde_json::to_string(&Body {
        event,
        transaction: TransactionView::from(t),
    })
}
