//! The gateway: the only public entry. It routes `/api/v1/...` to the owning service, checks
//! the bearer token first, enforces rate limits, decrypts JWE bodies and answers the envelope
//! for anything that fails.

mod body;
mod canonical;
mod client_ip;
mod forward;
mod health;
mod proxy;
mod rate_limit;
mod routing;
mod state;

use actix_web::{web, App, HttpServer};
use idaas_service::{Running, StartupError};

pub use canonical::{CanonicalPath, PathError};
pub use routing::{find, Access, Backend, Route, ROUTES};
pub use state::GatewayState;

pub const SERVICE: &str = "gateway";

pub async fn build(settings: idaas_config::Settings) -> Result<Running, StartupError> {
    let listener = idaas_service::bind(&settings, SERVICE)?;
    let port = listener
        .local_addr()
        .map_err(|e| StartupError::Other(e.to_string()))?
        .port();
    let state = web::Data::new(GatewayState::from_settings(settings).await?);
    let server = HttpServer::new(move || {
        let app = App::new()
            .app_data(state.clone())
            .route("/actuator/health", web::get().to(health::health))
            .route("/actuator/health/liveness", web::get().to(health::serving))
            .route("/actuator/health/readiness", web::get().to(health::serving))
            .route("/actuator/info", web::get().to(health::info))
            .route("/.well-known/jwks.json", web::get().to(proxy::jwks))
            .default_service(web::to(proxy::proxy));
        idaas_web::standard_middleware!(app)
    })
    .shutdown_timeout(idaas_service::shutdown_timeout_secs())
    .listen(listener)
    .map_err(|e| StartupError::Other(e.to_string()))?
    .run();
    Ok(Running {
        port,
        server,
        supervisor: idaas_service::Supervisor::default(),
    })
}
