//! Typed clients of the services the dispatcher asks for an answer now.

pub mod identity;
