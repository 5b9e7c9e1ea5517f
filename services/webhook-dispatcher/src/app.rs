//! Builds the webhook dispatcher: its database (deliveries), the identity client, the HTTP
//! client deliveries go out on, the consumer and deliverer workers, and the probes.

use std::{net::SocketAddr, sync::Arc, time::Duration};

use idaas_config::WebhookSettings;
use idaas_db::{embed_migrations, EmbeddedMigrations};
use idaas_service::{jwks_verifier, service_url, Application, Infra, InternalClient, StartupError};
use tokio::sync::Notify;

use crate::{clients::identity::Identity, routes, workers};

pub const SERVICE: &str = "webhook-dispatcher";
const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/webhook-dispatcher");

/// What the deliverer needs beyond the shared infrastructure.
pub struct DispatchState {
    pub identity: Identity,
    pub settings: WebhookSettings,
    /// The client for targets that need no pinning (the local profile).
    pub http: reqwest::Client,
    /// The local profile: `http://` and loopback receivers allowed.
    pub local: bool,
}

impl DispatchState {
    fn builder(&self) -> reqwest::ClientBuilder {
        reqwest::Client::builder()
            .timeout(Duration::from_millis(self.settings.attempt_timeout_ms))
            // A receiver's redirect is an answer, not an instruction: never followed.
            .redirect(reqwest::redirect::Policy::none())
    }

    /// A client that connects `host` only to the address that was checked.
    pub fn pinned_client(&self, host: &str, addr: SocketAddr) -> reqwest::Result<reqwest::Client> {
        self.builder().resolve(host, addr).build()
    }
}

pub async fn build(settings: idaas_config::Settings) -> Result<Application, StartupError> {
    let internal = InternalClient::new(SERVICE, &settings)?;
    let identity = Identity::new(internal, &service_url(&settings, "identity")?);
    let mut state = DispatchState {
        identity,
        settings: settings.webhooks.clone(),
        http: reqwest::Client::new(),
        local: settings.profile == "local",
    };
    state.http = state
        .builder()
        .pool_max_idle_per_host(16)
        .build()
        .map_err(|e| StartupError::build("the delivery HTTP client", e))?;
    let state = Arc::new(state);
    let verifier = jwks_verifier(&settings)?;
    let infra = Infra::start(SERVICE, settings, Some(MIGRATIONS), verifier).await?;
    let wake = Arc::new(Notify::new());
    let (consumer_infra, consumer_wake) = (infra.clone(), wake.clone());
    infra.supervisor.spawn("webhook-consumer", move |stop| {
        workers::consumer::run(consumer_infra, consumer_wake, stop)
    });
    let (deliverer_infra, deliverer_state) = (infra.clone(), state.clone());
    infra.supervisor.spawn("webhook-deliverer", move |stop| {
        workers::deliverer::run(deliverer_infra, deliverer_state, wake, stop)
    });
    let (settings, supervisor) = (infra.settings.clone(), infra.supervisor.clone());
    Application::serve(SERVICE, &settings, infra, supervisor, routes::configure)
}
