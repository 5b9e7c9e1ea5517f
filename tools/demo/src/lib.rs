//! `make demo`: Flow A of the integration guide walked against a running platform by two
//! integrating applications, every step printed and checked (see `flow`).

pub mod api;
pub mod error;
pub mod flow;
pub mod inbox;
pub mod report;
pub mod webhook;

pub use error::DemoError;
pub use flow::{run, Failure, Options, Outcome};
