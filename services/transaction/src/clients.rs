//! The two answers the transaction service needs now, over internal HTTP: who a tag is
//! (identity) and that a posting is applied (ledger).

use std::time::Duration;

use idaas_api::{ApiError, ErrorCode};
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::store::transactions::TransactionRow;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResolvedTag {
    pub qualified_address: String,
    pub status: String,
    pub application_id: Uuid,
    pub application_name: String,
    pub application_active: bool,
    pub transaction_webhook_url: Option<String>,
}

pub struct Clients {
    http: reqwest::Client,
    identity: String,
    ledger: String,
}

/// Why a posting did not go through.
#[derive(Debug)]
pub enum PostError {
    /// The ledger could not be reached or failed: safe to retry (postings are idempotent).
    Transient(String),
    /// The ledger refused the posting itself; retrying will not help.
    Refused(String),
}

impl Clients {
    pub fn new(identity: &str, ledger: &str) -> Result<Self, reqwest::Error> {
        Ok(Self {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .pool_max_idle_per_host(64)
                .build()?,
            identity: identity.trim_end_matches('/').to_owned(),
            ledger: ledger.trim_end_matches('/').to_owned(),
        })
    }

    /// Identity's answer, with its 404 and 409 (ambiguous, candidates) passed on as ours.
    pub async fn resolve(&self, address: &str) -> Result<ResolvedTag, ApiError> {
        let resp = self
            .http
            .get(format!("{}/internal/v1/tags/resolve", self.identity))
            .headers(idaas_web::forward_context(None))
            .query(&[("address", address)])
            .send()
            .await
            .map_err(|e| ApiError::unavailable(format!("identity: {e}")))?;
        let status = resp.status();
        let body: Value = resp
            .json()
            .await
            .map_err(|e| ApiError::unavailable(format!("identity: {e}")))?;
        if status.is_success() {
            return serde_json::from_value(body["data"].clone()).map_err(ApiError::internal);
        }
        let code = body["errorCode"]
            .as_str()
            .and_then(ErrorCode::from_code)
            .filter(|_| status.is_client_error())
            .ok_or_else(|| ApiError::unavailable(format!("identity answered {status}")))?;
        let errors = body["errors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| e.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let mut e = ApiError::new(code).with_errors(errors);
        if let Some(m) = body["message"].as_str() {
            e = e.with_message(m);
        }
        if !body["data"].is_null() {
            e = e.with_data(body["data"].clone());
        }
        Err(e)
    }

    /// Posts the payment to the ledger under its reference; a repeat is answered, not re-applied.
    pub async fn post(&self, t: &TransactionRow) -> Result<(), PostError> {
        let party = |app: Uuid, name: &str, tag: &str| json!({"applicationId": app, "applicationName": name, "tag": tag});
        let resp = self
            .http
            .post(format!("{}/internal/v1/postings", self.ledger))
            .headers(idaas_web::forward_context(None))
            .json(&json!({
                "reference": t.reference,
                "amount": format!("{:.4}", t.amount),
                "currency": t.currency,
                "sender": party(t.sender_app_id, &t.sender_app_name, &t.sender_tag),
                "receiver": party(t.receiver_app_id, &t.receiver_app_name, &t.receiver_tag),
            }))
            .send()
            .await
            .map_err(|e| PostError::Transient(e.to_string()))?;
        let status = resp.status();
        if status.is_success() {
            Ok(())
        } else if status.is_client_error() {
            Err(PostError::Refused(resp.text().await.unwrap_or_default()))
        } else {
            Err(PostError::Transient(format!("ledger answered {status}")))
        }
    }
}
