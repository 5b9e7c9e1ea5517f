use actix_web::{http::StatusCode, HttpResponse};
use chrono::{SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

/// The `ApiResponse<T>` envelope of the guide for a success: `success` true, `data` the answer.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApiResponse<T> {
    pub success: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    pub data: Option<T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<String>>,
    pub timestamp: String,
}

/// The same envelope for a refusal or failure: `success` false, `errorCode` from the catalog
/// (section 21), `errors` naming each problem, `data` only where the catalog gives it (the
/// candidates of an ambiguous tag, a FAILED transaction).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ErrorEnvelope {
    pub success: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    pub data: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "IDAAS-VALID-2001")]
    pub error_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<String>>,
    pub timestamp: String,
    /// The request's id (the `X-Request-Id` answered with it), so a support ticket quoting an
    /// error names the request in every service's log. Absent outside a request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "6f1c2b7e-3d4a-4f7e-9a51-2c8d0e4b9f10")]
    pub request_id: Option<String>,
}

pub(crate) fn now_rfc3339() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl<T: Serialize> ApiResponse<T> {
    pub fn ok(data: T) -> Self {
        Self {
            success: true,
            message: None,
            data: Some(data),
            error_code: None,
            errors: None,
            timestamp: now_rfc3339(),
        }
    }

    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }

    pub fn into_response(self, status: StatusCode) -> HttpResponse {
        HttpResponse::build(status).json(self)
    }

    /// 200 OK with this envelope.
    pub fn respond(self) -> HttpResponse {
        self.into_response(StatusCode::OK)
    }

    /// 201 Created with this envelope.
    pub fn created(self) -> HttpResponse {
        self.into_response(StatusCode::CREATED)
    }
}
