//! Logging and tracing for every process: one `init`, plus helpers that carry the trace
//! context across the process boundary (HTTP headers, Kafka headers).

mod init;
pub mod metrics;
mod propagation;
mod request_id;

pub use init::{init, init_cli, TelemetryError, TelemetryGuard};
pub use propagation::{extract_into_span, inject_from_span, TraceHeaders};
pub use request_id::{current_request_id, in_request, with_request_id, REQUEST_ID_HEADER};
