//! The envelope of a transaction answer as text: the same bytes are stored for idempotent
//! replays and sent now.

use idaas_api::{ApiError, ApiResponse, ErrorCode};
use idaas_service::ServiceError;

use super::view::TransactionView;
use crate::store::transactions::TransactionRow;

/// An HTTP status and the exact envelope bytes, as stored for the key's replays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub body: String,
}

fn text<T: serde::Serialize>(value: &T) -> Result<String, ServiceError> {
    serde_json::to_string(value).map_err(ServiceError::internal)
}

impl Answer {
    pub fn new(status: u16, message: &str, t: &TransactionRow) -> Result<Self, ServiceError> {
        let envelope = ApiResponse::ok(TransactionView::from(t)).with_message(message);
        Ok(Self {
            status,
            body: text(&envelope)?,
        })
    }

    /// `422 IDAAS-STATE-5010` with the FAILED transaction as `data`: stored for the key's
    /// replays like any other answer.
    pub fn failed(t: &TransactionRow) -> Result<Self, ServiceError> {
        let data =
            serde_json::to_value(TransactionView::from(t)).map_err(ServiceError::internal)?;
        let error = ApiError::new(ErrorCode::TransactionFailed)
            .with_errors(t.failure_reason.iter().cloned().collect())
            .with_data(data);
        Ok(Self {
            status: error.code.status().as_u16(),
            body: text(&error.envelope())?,
        })
    }
}
