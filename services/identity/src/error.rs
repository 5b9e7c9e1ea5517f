use actix_web::{http::StatusCode, HttpResponse, ResponseError};
use idaas_api::{ApiError, ErrorCode};

/// Everything a handler can fail with; mapped to the envelope in exactly one place.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error("database: {0}")]
    Db(#[from] diesel::result::Error),
    #[error("database pool: {0}")]
    Pool(#[from] diesel_async::pooled_connection::deadpool::PoolError),
    #[error("crypto: {0}")]
    Crypto(String),
    #[error("revocation list: {0}")]
    Revocation(#[from] idaas_auth::RevocationError),
}

impl From<ErrorCode> for IdentityError {
    fn from(code: ErrorCode) -> Self {
        IdentityError::Api(ApiError::new(code))
    }
}

impl IdentityError {
    pub fn crypto(e: impl std::fmt::Display) -> Self {
        IdentityError::Crypto(e.to_string())
    }

    fn is_unavailable(&self) -> bool {
        matches!(self, IdentityError::Pool(_) | IdentityError::Revocation(_))
    }
}

impl ResponseError for IdentityError {
    fn status_code(&self) -> StatusCode {
        match self {
            IdentityError::Api(e) => e.status_code(),
            other if other.is_unavailable() => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            IdentityError::Api(e) => e.error_response(),
            other if other.is_unavailable() => ApiError::unavailable(other).error_response(),
            other => ApiError::internal(other).error_response(),
        }
    }
}

pub type IdentityResult<T> = Result<T, IdentityError>;
