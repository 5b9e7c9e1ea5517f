use std::error::Error as StdError;

use actix_web::{http::StatusCode, HttpResponse, ResponseError};
use idaas_api::{ApiError, ErrorCode};

/// Any cause, kept whole so its `source()` chain reaches the log.
pub type BoxError = Box<dyn StdError + Send + Sync>;

/// What a handler can fail with, in any service; mapped to the envelope in exactly one place.
/// Domain refusals are `Api`; infrastructure failures become 503 (retry) or 500 (logged).
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error("database")]
    Db(#[from] diesel::result::Error),
    #[error("database pool")]
    Pool(#[from] diesel_async::pooled_connection::deadpool::PoolError),
    #[error("dependency unavailable")]
    Unavailable(#[source] BoxError),
    #[error("internal failure")]
    Internal(#[source] BoxError),
}

pub type ServiceResult<T> = Result<T, ServiceError>;

/// `statement_timeout` or `lock_timeout` fired: the database is busy, not the request wrong,
/// so the answer is 503 (retry), never 500. PostgreSQL reports both as a cancelled statement.
fn is_timeout(e: &diesel::result::Error) -> bool {
    match e {
        diesel::result::Error::DatabaseError(_, info) => {
            let m = info.message();
            m.contains("statement timeout") || m.contains("lock timeout")
        }
        _ => false,
    }
}

impl From<ErrorCode> for ServiceError {
    fn from(code: ErrorCode) -> Self {
        ServiceError::Api(ApiError::new(code))
    }
}

impl From<idaas_auth::RevocationError> for ServiceError {
    fn from(e: idaas_auth::RevocationError) -> Self {
        ServiceError::Unavailable(Box::new(e))
    }
}

/// `outer: cause: root cause`, the form every 5xx is logged in, once.
pub fn chain(e: &(dyn StdError + 'static)) -> String {
    let mut out = e.to_string();
    let mut next = e.source();
    while let Some(cause) = next {
        out.push_str(": ");
        out.push_str(&cause.to_string());
        next = cause.source();
    }
    out
}

impl ServiceError {
    pub fn internal(e: impl Into<BoxError>) -> Self {
        ServiceError::Internal(e.into())
    }

    pub fn unavailable(e: impl Into<BoxError>) -> Self {
        ServiceError::Unavailable(e.into())
    }

    fn is_unavailable(&self) -> bool {
        match self {
            ServiceError::Pool(_) | ServiceError::Unavailable(_) => true,
            ServiceError::Db(e) => is_timeout(e),
            _ => false,
        }
    }
}

impl ResponseError for ServiceError {
    fn status_code(&self) -> StatusCode {
        match self {
            ServiceError::Api(e) => e.status_code(),
            other if other.is_unavailable() => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            ServiceError::Api(e) => e.error_response(),
            other if other.is_unavailable() => ApiError::unavailable(chain(other)).error_response(),
            other => ApiError::internal(chain(other)).error_response(),
        }
    }
}

#[cfg(test)]
mod tests {
    use diesel::result::{DatabaseErrorInformation, DatabaseErrorKind, Error};

    use super::*;

    struct Info(&'static str);

    impl DatabaseErrorInformation for Info {
        fn message(&self) -> &str {
            self.0
        }
        fn details(&self) -> Option<&str> {
            None
        }
        fn hint(&self) -> Option<&str> {
            None
        }
        fn table_name(&self) -> Option<&str> {
            None
        }
        fn column_name(&self) -> Option<&str> {
            None
        }
        fn constraint_name(&self) -> Option<&str> {
            None
        }
        fn statement_position(&self) -> Option<i32> {
            None
        }
    }

    fn db(message: &'static str) -> ServiceError {
        ServiceError::Db(Error::DatabaseError(
            DatabaseErrorKind::Unknown,
            Box::new(Info(message)),
        ))
    }

    #[test]
    fn database_timeouts_are_503_and_other_failures_500() {
        // PostgreSQL's own wording for statement_timeout and lock_timeout.
        for m in [
            "canceling statement due to statement timeout",
            "canceling statement due to lock timeout",
        ] {
            assert_eq!(db(m).status_code(), StatusCode::SERVICE_UNAVAILABLE, "{m}");
        }
        assert_eq!(
            db("division by zero").status_code(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }

    #[actix_web::test]
    async fn the_answer_carries_the_whole_cause_for_the_request_log_and_the_body_none_of_it() {
        let e = ServiceError::Internal(Box::new(std::io::Error::other("disk on fire")));
        let response = e.error_response();
        let cause = response
            .extensions()
            .get::<idaas_api::ErrorDetail>()
            .and_then(|d| d.cause.clone());
        assert_eq!(cause.as_deref(), Some("internal failure: disk on fire"));

        let response = db("division by zero").error_response();
        let cause = response
            .extensions()
            .get::<idaas_api::ErrorDetail>()
            .and_then(|d| d.cause.clone())
            .unwrap_or_default();
        assert!(cause.contains("division by zero"), "{cause}");
        let body = actix_web::body::to_bytes(response.into_body())
            .await
            .unwrap_or_default();
        let body = String::from_utf8_lossy(&body);
        assert!(
            !body.contains("division") && body.contains("IDAAS-SYS-9001"),
            "{body}"
        );
    }
}
