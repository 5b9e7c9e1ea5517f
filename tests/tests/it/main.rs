//! The platform end to end: the six service binaries as processes, driven through the
//! gateway as an integrator would. One binary.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod api_schema;
mod attacks;
mod claims;
mod demo;
mod examples;
mod metrics;
mod onboarding;
mod payments;
mod request_ids;
mod resilience;
mod settlement;
mod shutdown;
mod swagger_ui;
mod tenant_isolation;
mod traces;
mod webhook_failures;
mod webhooks;
