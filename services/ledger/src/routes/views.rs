use chrono::SecondsFormat;
use idaas_domain::decimal_json::four_places;
use rust_decimal::Decimal;
use serde::Serialize;
use uuid::Uuid;

use crate::{
    domain::EntryType,
    store::{entries::EntryRow, postings::PostingRow, wallets::WalletRow},
};

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WalletView {
    pub id: Uuid,
    pub application_id: Uuid,
    pub application_name: String,
    pub currency: String,
    #[serde(serialize_with = "four_places")]
    #[schema(value_type = f64)]
    pub balance: Decimal,
    #[serde(serialize_with = "four_places")]
    #[schema(value_type = f64)]
    pub total_debited: Decimal,
    #[serde(serialize_with = "four_places")]
    #[schema(value_type = f64)]
    pub total_credited: Decimal,
    pub updated_at: String,
}

impl From<&WalletRow> for WalletView {
    fn from(w: &WalletRow) -> Self {
        Self {
            id: w.id,
            application_id: w.application_id,
            application_name: w.application_name.clone(),
            currency: w.currency.clone(),
            balance: w.balance,
            total_debited: w.total_debited,
            total_credited: w.total_credited,
            updated_at: w.updated_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EntryView {
    pub id: Uuid,
    pub transaction_reference: String,
    pub entry_type: EntryType,
    #[serde(serialize_with = "four_places")]
    #[schema(value_type = f64)]
    pub amount: Decimal,
    pub currency: String,
    #[serde(serialize_with = "four_places")]
    #[schema(value_type = f64)]
    pub opening_balance: Decimal,
    #[serde(serialize_with = "four_places")]
    #[schema(value_type = f64)]
    pub closing_balance: Decimal,
    pub description: String,
    pub created_at: String,
}

impl From<&EntryRow> for EntryView {
    fn from(e: &EntryRow) -> Self {
        Self {
            id: e.id,
            transaction_reference: e.transaction_reference.clone(),
            entry_type: e.entry_type,
            amount: e.amount,
            currency: e.currency.clone(),
            opening_balance: e.opening_balance,
            closing_balance: e.closing_balance,
            description: e.description.clone(),
            created_at: e.created_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PostingView {
    pub id: Uuid,
    pub transaction_reference: String,
    #[serde(serialize_with = "four_places")]
    #[schema(value_type = f64)]
    pub amount: Decimal,
    pub currency: String,
    pub created_at: String,
    pub entries: Vec<EntryView>,
}

impl PostingView {
    pub fn new(p: &PostingRow, entries: &[EntryRow]) -> Self {
        Self {
            id: p.id,
            transaction_reference: p.transaction_reference.clone(),
            amount: p.amount,
            currency: p.currency.clone(),
            created_at: p.created_at.to_rfc3339_opts(SecondsFormat::Secs, true),
            entries: entries.iter().map(EntryView::from).collect(),
        }
    }
}
