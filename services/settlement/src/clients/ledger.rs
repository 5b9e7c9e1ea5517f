//! The ledger's totals for a window, from its internal route, signed with settlement's service
//! credential.

use chrono::SecondsFormat;
use idaas_api::ApiResponse;
use idaas_contracts::ledger_window::{WindowTotals, PATH};
use idaas_service::{InternalCallError, InternalClient};

use crate::domain::window::Window;

#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error("ledger unavailable")]
    Unavailable(#[source] InternalCallError),
    #[error("ledger answered {0}")]
    Status(reqwest::StatusCode),
    #[error("the ledger's answer could not be read")]
    Body(#[source] reqwest::Error),
}

pub struct Ledger {
    internal: InternalClient,
    base: String,
}

impl Ledger {
    pub fn new(internal: InternalClient, base: &str) -> Self {
        Self {
            internal,
            base: base.trim_end_matches('/').to_owned(),
        }
    }

    pub async fn window(&self, w: &Window) -> Result<WindowTotals, LedgerError> {
        let at = |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(SecondsFormat::Micros, true);
        let path = format!("{PATH}?from={}&to={}", at(w.start), at(w.end));
        let resp = self
            .internal
            .send("ledger", &self.base, reqwest::Method::GET, &path, None)
            .await
            .map_err(LedgerError::Unavailable)?;
        if !resp.status().is_success() {
            return Err(LedgerError::Status(resp.status()));
        }
        let body: ApiResponse<WindowTotals> = resp.json().await.map_err(LedgerError::Body)?;
        body.data
            .ok_or(LedgerError::Status(reqwest::StatusCode::OK))
    }
}
