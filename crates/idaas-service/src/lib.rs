//! Start-up shared by every service: one place decides how a process connects, migrates,
//! creates its topics, authenticates callers and reports health.

mod application;
mod batch_consumer;
mod clock;
mod error;
mod heartbeat;
mod infra;
mod internal_call;
mod message_context;
mod probes;
mod scrape_gauges;
mod startup;
mod supervisor;

pub use application::{run, Application};

/// This build: the crate version and the git revision (`/actuator/info`, `service.version` of
/// exported spans), e.g. `0.1.0+f5b445d0afe8…`.
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "+", env!("IDAAS_GIT_REVISION"));
pub use batch_consumer::{consume_in_batches, Subscription};
pub use clock::{Clock, SystemClock};
pub use error::{chain, BoxError, ServiceError, ServiceResult};
pub use heartbeat::{Heartbeat, Heartbeats};
pub use infra::Infra;
pub use internal_call::{signer, verifier, InternalCallError, InternalClient, ServiceCall};
pub use probes::Probes;
pub use scrape_gauges::CountGauge;
pub use startup::{
    bind, bind_admin, database_url, jwks_verifier, load_settings, pem_key, retry, service_url,
    session_limits, StartupError,
};
pub use supervisor::Supervisor;
pub use tokio_util::sync::CancellationToken;
