//! The envelope of a transaction answer as text: the same bytes are stored for idempotent
//! replays and sent now.

use actix_web::{http::StatusCode, HttpResponse};
use idaas_api::{ApiError, ApiResponse, ErrorCode};

use crate::{store::transactions::TransactionRow, view::TransactionView};

pub struct Answer {
    pub status: u16,
    pub body: String,
}

impl Answer {
    pub fn new(status: u16, message: &str, t: &TransactionRow) -> Self {
        let envelope = ApiResponse::ok(TransactionView::from(t)).with_message(message);
        Self {
            status,
            body: serde_json::to_string(&envelope).unwrap_or_default(),
        }
    }

    /// `422 IDAAS-STATE-5010` with the FAILED transaction as `data`: stored for the key's
    /// replays like any other answer.
    pub fn failed(t: &TransactionRow) -> Self {
        let error = ApiError::new(ErrorCode::TransactionFailed)
            .with_errors(t.failure_reason.iter().cloned().collect())
            .with_data(serde_json::to_value(TransactionView::from(t)).unwrap_or_default());
        Self {
            status: error.code.status().as_u16(),
            body: serde_json::to_string(&error.envelope()).unwrap_or_default(),
        }
    }

    pub fn into_response(self) -> HttpResponse {
        HttpResponse::build(StatusCode::from_u16(self.status).unwrap_or(StatusCode::OK))
            .content_type("application/json")
            .body(self.body)
    }
}
