use std::{net::TcpListener, process::ExitCode, time::Duration};

use actix_web::{dev::Server, web, App, HttpResponse, HttpServer};
use idaas_web::HealthReport;

use crate::{Infra, StartupError, Supervisor};

/// A bound, running HTTP server and the workers beside it, as `build` returns it (tests read
/// the port and spawn the server).
pub struct Running {
    pub port: u16,
    pub server: Server,
    pub supervisor: Supervisor,
}

/// In-flight requests get this long to finish after SIGTERM; the workers get `WORKER_GRACE`
/// after that, so a pod is gone well within Kubernetes' default 30 s (and our 10 s aim).
const SHUTDOWN_SECS: u64 = 5;
const WORKER_GRACE: Duration = Duration::from_secs(4);

async fn health(infra: web::Data<Infra>) -> HttpResponse {
    infra.health().await.into_response()
}

async fn liveness(infra: web::Data<Infra>) -> HttpResponse {
    let silent = infra.silent_loops();
    let result = if silent.is_empty() {
        Ok(())
    } else {
        Err(format!("background loops stalled: {}", silent.join(", ")))
    };
    HealthReport::new()
        .component("workers", result)
        .into_response()
}

async fn readiness(infra: web::Data<Infra>) -> HttpResponse {
    infra.readiness().await.into_response()
}

async fn info(infra: web::Data<Infra>) -> HttpResponse {
    HttpResponse::Ok().json(infra.info())
}

/// Serves `routes` behind the shared stack: request id, tracing span, envelope errors for
/// bad input, `/actuator/health`, `/actuator/info` and `404 IDAAS-RES-3012` for the rest.
pub fn serve<F>(infra: Infra, listener: TcpListener, routes: F) -> Result<Running, StartupError>
where
    F: Fn(&mut web::ServiceConfig) + Send + Clone + 'static,
{
    let port = listener
        .local_addr()
        .map_err(|e| StartupError::Other(e.to_string()))?
        .port();
    let max_body = infra.max_body();
    let supervisor = infra.supervisor.clone();
    let auth = web::Data::new(infra.authenticator.clone());
    let service_verifier = web::Data::from(infra.service_verifier.clone());
    let infra = web::Data::new(infra);
    let server = HttpServer::new(move || {
        let app = App::new()
            .app_data(infra.clone())
            .app_data(auth.clone())
            .app_data(service_verifier.clone())
            .configure(|c| idaas_web::configure_extractors(c, max_body))
            .route("/actuator/health", web::get().to(health))
            .route("/actuator/health/liveness", web::get().to(liveness))
            .route("/actuator/health/readiness", web::get().to(readiness))
            .route("/actuator/info", web::get().to(info))
            .configure(routes.clone())
            .default_service(web::to(idaas_web::not_found));
        idaas_web::standard_middleware!(app)
    })
    .shutdown_timeout(SHUTDOWN_SECS)
    .listen(listener)
    .map_err(|e| StartupError::Other(e.to_string()))?
    .run();
    Ok(Running {
        port,
        server,
        supervisor,
    })
}

/// Graceful stop for servers built outside `serve` (the gateway).
pub fn shutdown_timeout_secs() -> u64 {
    SHUTDOWN_SECS
}

/// `main` of every service: settings, telemetry, build, serve until stopped.
pub async fn run<F, Fut>(service: &str, build: F) -> ExitCode
where
    F: FnOnce(idaas_config::Settings) -> Fut,
    Fut: std::future::Future<Output = Result<Running, StartupError>>,
{
    let settings = match crate::load_settings(service) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{service}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let _telemetry = match idaas_telemetry::init(service, &settings.telemetry) {
        Ok(g) => g,
        Err(e) => {
            eprintln!("{service}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let running = match build(settings).await {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, "{service} failed to start");
            return ExitCode::FAILURE;
        }
    };
    tracing::info!(port = running.port, "{service} listening");
    let Running {
        server, supervisor, ..
    } = running;
    let handle = server.handle();
    // SIGTERM/SIGINT: the server stops accepting and finishes in-flight requests; then the
    // workers finish their current unit of work. A worker that dies takes the process down
    // (non-zero), so Kubernetes restarts it instead of running half a service.
    let code = tokio::select! {
        result = server => match result {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                tracing::error!(error = %e, "{service} server stopped with an error");
                ExitCode::FAILURE
            }
        },
        worker = supervisor.first_failure() => {
            tracing::error!(%worker, "{service}: a background worker stopped; shutting down");
            handle.stop(true).await;
            ExitCode::FAILURE
        }
    };
    supervisor.shutdown(WORKER_GRACE).await;
    tracing::info!("{service} stopped");
    code
}

/// Builds a service that verifies tokens against the platform JWKS (every service but identity).
pub async fn start<F>(
    service: &str,
    settings: idaas_config::Settings,
    migrations: Option<idaas_db::EmbeddedMigrations>,
    routes: F,
) -> Result<Running, StartupError>
where
    F: Fn(&mut web::ServiceConfig) + Send + Clone + 'static,
{
    let verifier = std::sync::Arc::new(
        idaas_auth::TokenVerifier::from_jwks_url(&settings.auth.issuer, &settings.auth.jwks_url)
            .map_err(|e| StartupError::Other(e.to_string()))?,
    );
    let infra = Infra::start(service, settings, migrations, verifier).await?;
    let listener = crate::bind(&infra.settings, service)?;
    serve(infra, listener, routes)
}
