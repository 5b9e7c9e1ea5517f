//! `GET /internal/v1/ledger/window?from=&to=` (ledger; caller: settlement): what the ledger
//! holds for a window of time, per wallet, so settlement can prove a batch before completing it.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const PATH: &str = "/internal/v1/ledger/window";

/// The window `[from, to)`, by each posting's own timestamp.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WindowQuery {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

/// Postings per currency in the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CurrencyPostings {
    pub currency: String,
    pub postings: i64,
}

/// One wallet's movements in the window, with its balance before the first and after the last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WalletWindow {
    pub wallet_id: Uuid,
    pub application_id: Uuid,
    pub currency: String,
    #[serde(with = "rust_decimal::serde::str")]
    pub total_credited: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub total_debited: Decimal,
    pub entries: i64,
    #[serde(with = "rust_decimal::serde::str")]
    pub opening_balance: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub closing_balance: Decimal,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WindowTotals {
    pub postings: Vec<CurrencyPostings>,
    pub wallets: Vec<WalletWindow>,
}
