//! What a batch looks like over HTTP (section 13): the batch's totals, and the entries the
//! caller may see.

use idaas_api::timestamp;
use idaas_domain::decimal_json::four_places;
use rust_decimal::Decimal;
use serde::Serialize;
use uuid::Uuid;

use crate::{
    domain::BatchStatus,
    store::batches::{BatchEntryRow, BatchRow},
};

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EntryView {
    pub application_id: Uuid,
    pub application_name: String,
    #[serde(serialize_with = "four_places")]
    #[schema(value_type = f64, example = 85000.0)]
    pub total_credited: Decimal,
    #[serde(serialize_with = "four_places")]
    #[schema(value_type = f64, example = 12000.0)]
    pub total_debited: Decimal,
    /// Credited − debited in the window.
    #[serde(serialize_with = "four_places")]
    #[schema(value_type = f64, example = 73000.0)]
    pub net_amount: Decimal,
    /// The wallet's balance before the window (the day before's closing balance).
    #[serde(serialize_with = "four_places")]
    #[schema(value_type = f64, example = 45000.0)]
    pub opening_balance: Decimal,
    /// Opening balance + net amount.
    #[serde(serialize_with = "four_places")]
    #[schema(value_type = f64, example = 118000.0)]
    pub closing_balance: Decimal,
    pub transaction_count: i64,
}

impl From<&BatchEntryRow> for EntryView {
    fn from(e: &BatchEntryRow) -> Self {
        Self {
            application_id: e.application_id,
            application_name: e.application_name.clone(),
            total_credited: e.total_credited,
            total_debited: e.total_debited,
            net_amount: e.net_amount,
            opening_balance: e.opening_balance,
            closing_balance: e.closing_balance,
            transaction_count: e.transaction_count,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BatchView {
    pub id: Uuid,
    #[schema(example = "2025-03-04")]
    pub settlement_date: String,
    #[schema(example = "NGN")]
    pub currency: String,
    #[serde(serialize_with = "four_places")]
    #[schema(value_type = f64, example = 250000.0)]
    pub total_credited: Decimal,
    #[serde(serialize_with = "four_places")]
    #[schema(value_type = f64, example = 250000.0)]
    pub total_debited: Decimal,
    pub transaction_count: i64,
    pub application_count: i32,
    pub status: BatchStatus,
    /// Why the batch is FAILED (it is tried again later). Applications get the kind of
    /// failure; the differences, which name other applications' wallets, are for operators.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    /// The window the batch covers, `[windowStart, windowEnd)`, by each posting's own time.
    pub window_start: String,
    pub window_end: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<String>,
    /// The caller's own entry (if it moved money that day); operators see every entry.
    pub entries: Vec<EntryView>,
}

/// What a tenant is told about a FAILED batch: never another application's figures.
const TENANT_FAILURE: &str = "The batch does not reconcile with the ledger yet (an event may \
still be on its way); it is tried again automatically and completes only when it does.";

impl BatchView {
    /// As an application sees it: its own entries (the caller chose them), and the kind of a
    /// failure only.
    pub fn for_tenant(b: &BatchRow, entries: &[BatchEntryRow]) -> Self {
        let mut view = Self::new(b, entries);
        if view.error_message.is_some() {
            view.error_message = Some(TENANT_FAILURE.to_owned());
        }
        view
    }

    /// As an operator sees it: every entry given, the failure in full.
    pub fn new(b: &BatchRow, entries: &[BatchEntryRow]) -> Self {
        Self {
            id: b.id,
            settlement_date: b.settlement_date.to_string(),
            currency: b.currency.clone(),
            total_credited: b.total_credited,
            total_debited: b.total_debited,
            transaction_count: b.transaction_count,
            application_count: b.application_count,
            status: b.status,
            // A FAILED batch says why; one being run again says nothing yet.
            error_message: (b.status == BatchStatus::Failed)
                .then(|| b.error_message.clone())
                .flatten(),
            window_start: timestamp(&b.window_start),
            window_end: timestamp(&b.window_end),
            completed_at: b.completed_at.as_ref().map(timestamp),
            entries: entries.iter().map(EntryView::from).collect(),
        }
    }
}
