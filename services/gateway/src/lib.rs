//! The gateway: the only public entry. It routes `/api/v1/...` to the owning service, checks
//! the bearer token first, enforces rate limits, decrypts JWE bodies and answers the envelope
//! for anything that fails.

mod app;
mod clients;
mod domain;
mod routes;
mod store;

pub use app::{build, SERVICE};
/// The route table, for the tests that walk every endpoint.
pub use domain::routing::{Access, Route, ROUTES};
