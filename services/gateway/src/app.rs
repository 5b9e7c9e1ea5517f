//! Builds the gateway: its state (keys, rate limiter, backend URLs) and its one server.

mod probes;
mod state;

use idaas_service::{Application, StartupError, Supervisor};

pub use state::GatewayState;

pub const SERVICE: &str = "gateway";

pub async fn build(settings: idaas_config::Settings) -> Result<Application, StartupError> {
    let state = GatewayState::from_settings(settings.clone()).await?;
    // The gateway runs no background work of its own.
    Application::serve(
        SERVICE,
        &settings,
        state,
        Supervisor::default(),
        crate::routes::configure,
    )
}
