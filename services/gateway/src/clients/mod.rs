//! The hop to the services behind the gateway.

pub mod backends;
