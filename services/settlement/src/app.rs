//! Builds the settlement on the shared chassis: its database (the outbox for now), the outbox
//! relay and the probes.

use idaas_service::{jwks_verifier, Application, Infra, StartupError};

pub const SERVICE: &str = "settlement";

pub async fn build(settings: idaas_config::Settings) -> Result<Application, StartupError> {
    let verifier = jwks_verifier(&settings)?;
    // No tables of its own yet: the chassis applies the shared outbox schema.
    let infra = Infra::start(SERVICE, settings, None, verifier).await?;
    let (settings, supervisor) = (infra.settings.clone(), infra.supervisor.clone());
    Application::serve(SERVICE, &settings, infra, supervisor, |_routes| {})
}
