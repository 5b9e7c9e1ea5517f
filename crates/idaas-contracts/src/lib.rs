//! The internal routes' contracts: one type per request and response, used by the service that
//! serves the route and by the client that calls it, so the two cannot drift apart.

pub mod applications;
pub mod deliveries;
pub mod ledger_window;
pub mod postings;
pub mod tags;
