//! One HTTP stack for every service, so no endpoint can forget tracing, request ids or the
//! envelope on bad input.

mod body;
mod extract_errors;
mod health;
pub mod idempotency_key;
mod json_body;
mod outgoing_context;
mod request_id;
mod request_metrics;

pub use body::read_limited;
pub use extract_errors::{configure_extractors, not_found, resource};
pub use health::{Component, HealthCache, HealthReport, HEALTH_CACHE_TTL};
pub use json_body::{BodyLimit, JsonBody};
pub use outgoing_context::forward_context;
pub use request_id::{loggable_target, request_id, PassedOn, RootSpan, REQUEST_ID_HEADER};
pub use request_metrics::{record_request, RouteLabel};

pub use tracing_actix_web::TracingLogger;

/// Wraps an `App` with the shared middleware: request id outermost, then the tracing span,
/// then the request's metrics (so they count every answer, the envelope errors included).
#[macro_export]
macro_rules! standard_middleware {
    ($app:expr) => {
        $app.wrap(::actix_web::middleware::from_fn($crate::record_request))
            .wrap($crate::TracingLogger::<$crate::RootSpan>::new())
            .wrap(::actix_web::middleware::from_fn($crate::request_id))
    };
}
