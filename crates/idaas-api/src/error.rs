use std::fmt;

use actix_web::{
    http::{header, StatusCode},
    HttpResponse, ResponseError,
};
use serde_json::Value;

use crate::{envelope::now_rfc3339, ErrorCode, ErrorEnvelope};

/// The one error type every handler returns; its status comes from the catalog. Neither its
/// Display nor its Debug shows the cause: both end up on the request's span (and so in exported
/// traces); the cause goes to the request log alone, once (`ErrorDetail`).
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    pub errors: Vec<String>,
    pub data: Option<Value>,
    pub retry_after: Option<u64>,
    /// Only for transport-level answers the catalog has no status for (413 body too large).
    status_override: Option<StatusCode>,
    /// Why a 5xx happened: logged once, by the request log, never shown to the caller.
    cause: Option<String>,
}

/// Attached to every error answer for the request log (`idaas_web::RootSpan`), which logs each
/// request once: a 5xx at ERROR (503 at WARN) with its cause, a 4xx at INFO with its code.
#[derive(Debug, Clone)]
pub struct ErrorDetail {
    pub code: &'static str,
    pub cause: Option<String>,
}

impl ApiError {
    pub fn new(code: ErrorCode) -> Self {
        Self {
            code,
            message: code.default_message().to_owned(),
            errors: Vec::new(),
            data: None,
            retry_after: None,
            status_override: None,
            cause: None,
        }
    }

    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = message.into();
        self
    }

    pub fn with_errors(mut self, errors: Vec<String>) -> Self {
        self.errors = errors;
        self
    }

    pub fn with_data(mut self, data: Value) -> Self {
        self.data = Some(data);
        self
    }

    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    /// `400 IDAAS-VALID-2001` with field messages.
    pub fn validation(errors: Vec<String>) -> Self {
        Self::new(ErrorCode::ValidationFailed).with_errors(errors)
    }

    pub fn payload_too_large(limit: usize) -> Self {
        let mut e = Self::new(ErrorCode::ValidationFailed)
            .with_message("Request body too large")
            .with_errors(vec![format!("request body exceeds {limit} bytes")]);
        e.status_override = Some(StatusCode::PAYLOAD_TOO_LARGE);
        e
    }

    /// 500; the cause reaches the request log (once, when the answer is sent), never the caller.
    pub fn internal(cause: impl fmt::Display) -> Self {
        Self::new(ErrorCode::Internal).with_cause(cause)
    }

    /// 503 (retry); the cause reaches the request log, never the caller.
    pub fn unavailable(cause: impl fmt::Display) -> Self {
        Self::new(ErrorCode::ServiceUnavailable).with_cause(cause)
    }

    fn with_cause(mut self, cause: impl fmt::Display) -> Self {
        self.cause = Some(cause.to_string());
        self
    }

    pub fn cause(&self) -> Option<&str> {
        self.cause.as_deref()
    }

    pub fn envelope(&self) -> ErrorEnvelope {
        ErrorEnvelope {
            success: false,
            message: Some(self.message.clone()),
            data: self.data.clone(),
            error_code: Some(self.code.code().to_owned()),
            errors: if self.errors.is_empty() {
                None
            } else {
                Some(self.errors.clone())
            },
            timestamp: now_rfc3339(),
            request_id: idaas_telemetry::current_request_id(),
        }
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("code", &self.code)
            .field("message", &self.message)
            .field("errors", &self.errors)
            .field("retry_after", &self.retry_after)
            .field(
                "cause",
                &self.cause.as_ref().map(|_| "[in the request log]"),
            )
            .finish_non_exhaustive()
    }
}

impl From<ErrorCode> for ApiError {
    fn from(code: ErrorCode) -> Self {
        Self::new(code)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.code(), self.message)
    }
}

impl std::error::Error for ApiError {}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status_override.unwrap_or_else(|| self.code.status())
    }

    fn error_response(&self) -> HttpResponse {
        let mut builder = HttpResponse::build(self.status_code());
        if let Some(secs) = self.retry_after {
            builder.insert_header((header::RETRY_AFTER, secs.to_string()));
            builder.insert_header(("X-RateLimit-Remaining", "0"));
        }
        let mut response = builder.json(self.envelope());
        response.extensions_mut().insert(ErrorDetail {
            code: self.code.code(),
            cause: self.cause.clone(),
        });
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_carries_code_and_errors() {
        let e = ApiError::validation(vec!["tag is required".into()]);
        let v = serde_json::to_value(e.envelope()).unwrap_or_default();
        assert_eq!(v["success"], false);
        assert_eq!(v["errorCode"], "IDAAS-VALID-2001");
        assert_eq!(v["errors"][0], "tag is required");
        assert!(v["timestamp"].is_string());
        assert_eq!(e.status_code(), StatusCode::BAD_REQUEST);
    }

    #[test]
    fn too_large_is_413_with_valid_code() {
        let e = ApiError::payload_too_large(65536);
        assert_eq!(e.status_code(), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(e.code, ErrorCode::ValidationFailed);
    }
}
