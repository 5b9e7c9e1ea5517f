//! Start-up shared by every service: one place decides how a process connects, migrates,
//! creates its topics, authenticates callers and reports health.

mod error;
mod heartbeat;
mod infra;
mod internal_call;
mod server;
mod startup;
mod supervisor;

pub use error::{ServiceError, ServiceResult};
pub use heartbeat::{Heartbeat, Heartbeats};
pub use infra::Infra;
pub use internal_call::{signer, verifier, InternalCallError, InternalClient, ServiceCall};
pub use server::{run, serve, shutdown_timeout_secs, start, Running};
pub use startup::{bind, load_settings, retry, StartupError};
pub use supervisor::Supervisor;
pub use tokio_util::sync::CancellationToken;
