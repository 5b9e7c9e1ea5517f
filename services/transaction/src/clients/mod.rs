//! The two answers the transaction service needs now, over internal HTTP: who a tag is
//! (identity) and that a posting is applied (ledger).

use idaas_api::{ApiError, ApiResponse, ErrorCode, ErrorEnvelope};
use idaas_contracts::{
    deliveries::{self, DeliverySummary},
    postings::{self, DecimalText, Party, PostingCommand},
    tags::{self, TagResolution},
};
use idaas_service::InternalClient;
use uuid::Uuid;

use crate::store::transactions::TransactionRow;

pub use idaas_contracts::tags::ResolvedTag;

pub struct Clients {
    internal: InternalClient,
    identity: String,
    ledger: String,
    dispatcher: String,
}

/// The ledger's own refusal of the posting: its envelope names a validation, conflict, state or
/// missing-resource code. Returns that code.
fn ledger_verdict(body: &ErrorEnvelope) -> Option<&str> {
    body.error_code.as_deref().filter(|c| {
        ["IDAAS-VALID-", "IDAAS-CONF-", "IDAAS-STATE-", "IDAAS-RES-"]
            .iter()
            .any(|family| c.starts_with(family))
            && *c != "IDAAS-RES-3012"
    })
}

/// `ledger refused the posting (IDAAS-…): message` for the transaction's `failureReason`, which
/// both tenants see; the ledger's field-level details go to the operator's log only.
fn refusal_reason(code: &str, body: &ErrorEnvelope) -> String {
    let message = body.message.as_deref().unwrap_or("refused");
    let reason = format!("ledger refused the posting ({code}): {message}");
    reason.chars().take(500).collect()
}

/// Identity's refusal of one address, as our own error: only a client-error code of the
/// catalog passes on; anything else means identity is not answering properly (503).
fn refusal(envelope: ErrorEnvelope) -> Result<ApiError, ApiError> {
    let code = envelope
        .error_code
        .as_deref()
        .and_then(ErrorCode::from_code)
        .filter(|c| c.status().is_client_error())
        .ok_or_else(|| {
            ApiError::unavailable("identity refused a tag without a client-error code")
        })?;
    let mut e = ApiError::new(code).with_errors(envelope.errors.unwrap_or_default());
    if let Some(m) = envelope.message {
        e = e.with_message(m);
    }
    if let Some(data) = envelope.data.filter(|d| !d.is_null()) {
        e = e.with_data(data);
    }
    Ok(e)
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
    pub fn new(internal: InternalClient, identity: &str, ledger: &str, dispatcher: &str) -> Self {
        Self {
            internal,
            identity: identity.trim_end_matches('/').to_owned(),
            ledger: ledger.trim_end_matches('/').to_owned(),
            dispatcher: dispatcher.trim_end_matches('/').to_owned(),
        }
    }

    /// Where the payment's webhooks stand, from the dispatcher that owns them. `None` when it
    /// cannot say now: the payment is still answered, without its delivery status.
    pub async fn delivery_summary(&self, reference: &str) -> Option<DeliverySummary> {
        let query = serde_urlencoded::to_string([("reference", reference)]).ok()?;
        let path = format!("{}?{query}", deliveries::SUMMARY_PATH);
        let answer = async {
            let resp = self
                .internal
                .send(
                    "webhook-dispatcher",
                    &self.dispatcher,
                    reqwest::Method::GET,
                    &path,
                    None,
                )
                .await
                .map_err(|e| idaas_service::chain(&e))?;
            let status = resp.status();
            if !status.is_success() {
                return Err(format!("dispatcher answered {status}"));
            }
            let body: ApiResponse<DeliverySummary> =
                resp.json().await.map_err(|e| idaas_service::chain(&e))?;
            body.data
                .ok_or_else(|| "dispatcher answered no data".to_owned())
        };
        match answer.await {
            Ok(s) => Some(s),
            Err(e) => {
                tracing::warn!(error = %e, %reference, "delivery status unavailable; answering without it");
                None
            }
        }
    }

    /// Identity's answer for each address, in order, with its 404, 409 (ambiguous,
    /// candidates) and 400 passed on as ours. One call whatever the number of addresses.
    pub async fn resolve_all(
        &self,
        addresses: &[&str],
    ) -> Result<Vec<Result<ResolvedTag, ApiError>>, ApiError> {
        let query = serde_urlencoded::to_string(
            addresses
                .iter()
                .map(|a| ("address", *a))
                .collect::<Vec<_>>(),
        )
        .map_err(ApiError::internal)?;
        let resp = self
            .internal
            .send(
                "identity",
                &self.identity,
                reqwest::Method::GET,
                &format!("{}?{query}", tags::RESOLUTIONS_PATH),
                None,
            )
            .await
            .map_err(|e| ApiError::unavailable(format!("identity: {e}")))?;
        let status = resp.status();
        if !status.is_success() {
            return Err(ApiError::unavailable(format!("identity answered {status}")));
        }
        let body: ApiResponse<Vec<TagResolution>> = resp
            .json()
            .await
            .map_err(|e| ApiError::unavailable(format!("identity: {}", e.without_url())))?;
        let outcomes = body.data.unwrap_or_default();
        if outcomes.len() != addresses.len() {
            return Err(ApiError::unavailable(format!(
                "identity answered {} resolutions for {} addresses",
                outcomes.len(),
                addresses.len()
            )));
        }
        // A refusal identity did not word properly is that address's 503, in its place: the
        // sender's checks still come first.
        Ok(outcomes
            .into_iter()
            .map(|o| match o {
                TagResolution::Found(tag) => Ok(tag),
                TagResolution::Refused(envelope) => Err(refusal(envelope).unwrap_or_else(|e| e)),
            })
            .collect())
    }

    /// Posts the payment to the ledger under its reference; a repeat is answered, not re-applied.
    pub async fn post(&self, t: &TransactionRow) -> Result<(), PostError> {
        let party = |app: Uuid, name: &str, tag: &str| Party {
            application_id: app,
            application_name: name.to_owned(),
            tag: tag.to_owned(),
        };
        let command = PostingCommand {
            reference: t.reference.clone(),
            amount: DecimalText(format!("{:.4}", t.amount)),
            currency: Some(t.currency.clone()),
            sender: party(t.sender_app_id, &t.sender_app_name, &t.sender_tag),
            receiver: party(t.receiver_app_id, &t.receiver_app_name, &t.receiver_tag),
        };
        let body = serde_json::to_vec(&command).map_err(|e| PostError::Transient(e.to_string()))?;
        let resp = self
            .internal
            .send(
                "ledger",
                &self.ledger,
                reqwest::Method::POST,
                postings::PATH,
                Some(body),
            )
            .await
            .map_err(|e| PostError::Transient(e.to_string()))?;
        let status = resp.status();
        match status.as_u16() {
            200..=299 => Ok(()),
            // Our own credential was refused: a configuration fault of ours, not a verdict on
            // the posting. It stays ACCEPTING (and loud) until an operator fixes the keys.
            401 | 403 => Err(PostError::Transient(format!(
                "ledger refused this service's credential ({status}); check service_auth keys"
            ))),
            // A verdict only when the ledger itself says why in its envelope with a domain code;
            // a bare 404/405/413/429 (a wrong URL, a proxy, a deploy in flight) is retried.
            400 | 404 | 409 | 422 => {
                // An unreadable body is no verdict: the posting is retried, never failed.
                let body: Option<ErrorEnvelope> = resp.json().await.ok();
                match body
                    .as_ref()
                    .and_then(|b| ledger_verdict(b).map(|c| (c, b)))
                {
                    Some((code, body)) => {
                        let reason = refusal_reason(code, body);
                        // Logged once, here, with the details the tenants' reason leaves out.
                        tracing::error!(reference = %t.reference, %status, %reason,
                            details = ?body.errors, "ledger refused a posting; the transaction fails");
                        Err(PostError::Refused(reason))
                    }
                    None => Err(PostError::Transient(format!(
                        "ledger answered {status} without a domain error code"
                    ))),
                }
            }
            _ => Err(PostError::Transient(format!("ledger answered {status}"))),
        }
    }
}
