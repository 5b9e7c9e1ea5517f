//! Start-up shared by every service: one place decides how a process connects, migrates,
//! creates its topics, authenticates callers and reports health.

mod error;
mod heartbeat;
mod infra;
mod internal_call;
mod server;
mod startup;

pub use error::{ServiceError, ServiceResult};
pub use heartbeat::{Heartbeat, Heartbeats};
pub use infra::Infra;
pub use internal_call::{signer, verifier, InternalCallError, InternalClient, ServiceCall};
pub use server::{run, serve, start, Running};
pub use startup::{bind, load_settings, retry, StartupError};
