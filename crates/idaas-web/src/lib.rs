//! One HTTP stack for every service, so no endpoint can forget tracing, request ids or the
//! envelope on bad input.

mod body;
mod extract_errors;
mod health;
pub mod idempotency_key;
mod json_body;
mod outgoing_context;
mod request_id;

pub use body::read_limited;
pub use extract_errors::{configure_extractors, not_found, resource};
pub use health::{Component, HealthCache, HealthReport, HEALTH_CACHE_TTL};
pub use json_body::{BodyLimit, JsonBody};
pub use outgoing_context::forward_context;
pub use request_id::{request_id, RootSpan, REQUEST_ID_HEADER};

pub use tracing_actix_web::TracingLogger;

/// Wraps an `App` with the shared middleware: request id outermost, then the tracing span.
#[macro_export]
macro_rules! standard_middleware {
    ($app:expr) => {
        $app.wrap($crate::TracingLogger::<$crate::RootSpan>::new())
            .wrap(::actix_web::middleware::from_fn($crate::request_id))
    };
}
