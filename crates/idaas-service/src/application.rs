//! The one way a service runs: `main` calls [`run`] with the service's `app::build`, which
//! returns an [`Application`] made by [`Application::serve`]: the HTTP server behind the shared
//! middleware and probes, and the supervised workers beside it.

use std::{process::ExitCode, time::Duration};

use actix_web::{
    body::{EitherBody, MessageBody},
    dev::{Server, ServiceRequest, ServiceResponse},
    middleware::{self, Next},
    web, App, HttpRequest, HttpResponse, HttpServer,
};
use idaas_config::Settings;

use crate::{Probes, StartupError, Supervisor};

/// In-flight requests get this long to finish after SIGTERM; the workers get `WORKER_GRACE`
/// after that, so a pod is gone well within Kubernetes' default 30 s (and our 10 s aim).
const SHUTDOWN_SECS: u64 = 5;
const WORKER_GRACE: Duration = Duration::from_secs(4);

/// A built service: its bound HTTP server and the workers beside it. Tests read the port and
/// spawn the server; [`run`] drives both until SIGTERM or a worker failure.
pub struct Application {
    pub port: u16,
    /// Where `/actuator/prometheus` answers (and nowhere else).
    pub admin_port: u16,
    pub server: Server,
    pub supervisor: Supervisor,
}

async fn health<P: Probes>(probes: web::Data<P>) -> HttpResponse {
    probes.health().await.into_response()
}

async fn liveness<P: Probes>(probes: web::Data<P>) -> HttpResponse {
    probes.liveness().into_response()
}

async fn readiness<P: Probes>(probes: web::Data<P>) -> HttpResponse {
    probes.readiness().await.into_response()
}

/// The admin listener's port: `/actuator/prometheus` answers only a request that came in on it.
#[derive(Clone, Copy)]
struct AdminPort(u16);

/// The Prometheus text, with the gauges read at scrape time refreshed first. On the public
/// port it does not exist (404, like any unknown path).
async fn prometheus<P: Probes>(
    req: HttpRequest,
    admin: web::Data<AdminPort>,
    probes: web::Data<P>,
) -> HttpResponse {
    if req.app_config().local_addr().port() != admin.0 {
        return idaas_web::not_found(req).await;
    }
    probes.refresh_gauges().await;
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(idaas_telemetry::metrics::render())
}

/// The admin port answers `/actuator/*` only: the API is never served on it, so opening it to
/// the monitoring namespace opens nothing else.
async fn admin_gate<B: MessageBody>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    let admin = req.app_data::<web::Data<AdminPort>>().map(|a| a.0);
    if admin == Some(req.app_config().local_addr().port()) && !req.path().starts_with("/actuator/")
    {
        let (request, _) = req.into_parts();
        let refused = idaas_web::not_found(request.clone()).await;
        return Ok(ServiceResponse::new(request, refused).map_into_right_body());
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

async fn info<P: Probes>(probes: web::Data<P>) -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({
        "app": { "name": probes.name(), "version": env!("CARGO_PKG_VERSION") },
        "git": { "revision": env!("IDAAS_GIT_REVISION") },
    }))
}

impl Application {
    /// Binds `services.<service>.port` (0 picks a free one, as tests do) and serves `routes`
    /// behind the shared stack: request id, tracing span, envelope errors for bad input, the
    /// `/actuator/*` probes, and `404 IDAAS-RES-3012` for anything `routes` leaves unclaimed
    /// (unless `routes` sets its own default service, as the gateway's proxy does).
    pub fn serve<P, F>(
        service: &str,
        settings: &Settings,
        probes: P,
        supervisor: Supervisor,
        routes: F,
    ) -> Result<Self, StartupError>
    where
        P: Probes,
        F: Fn(&mut web::ServiceConfig) + Send + Clone + 'static,
    {
        idaas_telemetry::metrics::install();
        let listener = crate::bind(settings, service)?;
        let admin_listener = crate::bind_admin(settings, service)?;
        let local_port = |l: &std::net::TcpListener| {
            l.local_addr()
                .map(|a| a.port())
                .map_err(|source| StartupError::Bind {
                    addr: settings.http.host.clone(),
                    source,
                })
        };
        let port = local_port(&listener)?;
        let admin_port = local_port(&admin_listener)?;
        let max_body = settings.http.max_body_bytes;
        let probes = web::Data::new(probes);
        let admin = web::Data::new(AdminPort(admin_port));
        let server = HttpServer::new(move || {
            let app = App::new()
                .app_data(probes.clone())
                .app_data(admin.clone())
                .configure(|c| probes.app_data(c))
                .configure(|c| idaas_web::configure_extractors(c, max_body))
                .route("/actuator/health", web::get().to(health::<P>))
                .route("/actuator/health/liveness", web::get().to(liveness::<P>))
                .route("/actuator/health/readiness", web::get().to(readiness::<P>))
                .route("/actuator/info", web::get().to(info::<P>))
                .service(
                    idaas_web::resource("/actuator/prometheus")
                        .route(web::get().to(prometheus::<P>)),
                )
                .default_service(web::to(idaas_web::not_found))
                .configure(routes.clone())
                .wrap(middleware::from_fn(admin_gate));
            idaas_web::standard_middleware!(app)
        })
        .shutdown_timeout(SHUTDOWN_SECS)
        .listen(listener)
        .and_then(|s| s.listen(admin_listener))
        .map_err(|source| StartupError::Bind {
            addr: format!("{}:{port}", settings.http.host),
            source,
        })?
        .run();
        Ok(Self {
            port,
            admin_port,
            server,
            supervisor,
        })
    }
}

/// `main` of every service: settings, telemetry, build, serve until stopped.
pub async fn run<F, Fut>(service: &str, build: F) -> ExitCode
where
    F: FnOnce(Settings) -> Fut,
    Fut: std::future::Future<Output = Result<Application, StartupError>>,
{
    let settings = match crate::load_settings(service) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{service}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let _telemetry = match idaas_telemetry::init(service, crate::VERSION, &settings.telemetry) {
        Ok(g) => g,
        Err(e) => {
            eprintln!("{service}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let app = match build(settings).await {
        Ok(a) => a,
        Err(e) => {
            tracing::error!(error = %crate::error::chain(&e), "{service} failed to start");
            return ExitCode::FAILURE;
        }
    };
    tracing::info!(
        port = app.port,
        admin_port = app.admin_port,
        "{service} listening"
    );
    let Application {
        server, supervisor, ..
    } = app;
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
