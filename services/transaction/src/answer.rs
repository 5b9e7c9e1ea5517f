//! The envelope of a transaction answer as text: the same bytes are stored for idempotent
//! replays and sent now.

use actix_web::{http::StatusCode, HttpResponse};
use idaas_api::ApiResponse;

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

    pub fn into_response(self) -> HttpResponse {
        HttpResponse::build(StatusCode::from_u16(self.status).unwrap_or(StatusCode::OK))
            .content_type("application/json")
            .body(self.body)
    }
}
