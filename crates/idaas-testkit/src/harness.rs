//! What every service's integration tests need around the service itself: the service built
//! and serving on port 0, a stand-in peer (e.g. identity's JWKS) on port 0, telemetry once
//! per test binary, and a clean revocation list.

use actix_web::{web, App, HttpResponse, HttpServer};
use idaas_auth::{jwks_document, Revocations};
use idaas_config::Settings;
use idaas_service::{Application, StartupError, Supervisor};

/// A service started by its own `app::build`, serving in the background.
pub struct Served {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// `http://127.0.0.1:<admin port>`: `/actuator/prometheus`.
    pub admin: String,
    /// Its workers; a test may shut them down to stop the service's background work.
    pub supervisor: Supervisor,
}

/// Builds the service exactly as `main` does and serves it on the port the settings give (0 in
/// tests); panics with the start-up error if it cannot start.
pub async fn serve<F, Fut>(build: F, settings: Settings) -> Served
where
    F: FnOnce(Settings) -> Fut,
    Fut: std::future::Future<Output = Result<Application, StartupError>>,
{
    init_telemetry(&settings);
    let app = build(settings)
        .await
        .unwrap_or_else(|e| panic!("service starts: {}", idaas_service::chain(&e)));
    tokio::spawn(app.server);
    Served {
        base: format!("http://127.0.0.1:{}", app.port),
        admin: format!("http://127.0.0.1:{}", app.admin_port),
        supervisor: app.supervisor,
    }
}

/// As `main` does; the first call in a test binary installs it, which is enough.
pub fn init_telemetry(settings: &Settings) {
    if let Ok(guard) = idaas_telemetry::init("test", "test", &settings.telemetry) {
        std::mem::forget(guard);
    }
}

/// A stand-in for a peer the service under test calls: `routes` on port 0, returning its
/// base URL. [`jwks`] adds identity's key set to it.
pub fn stand_in<F>(routes: F) -> String
where
    F: Fn(&mut web::ServiceConfig) + Send + Clone + 'static,
{
    let server = HttpServer::new(move || App::new().configure(routes.clone()))
        .workers(1)
        .bind("127.0.0.1:0")
        .expect("stand-in binds");
    let base = format!("http://{}", server.addrs()[0]);
    tokio::spawn(server.run());
    base
}

/// `GET /.well-known/jwks.json` with the given token-signing keys, as identity serves it.
pub fn jwks(cfg: &mut web::ServiceConfig, keys: &[p256::PublicKey]) {
    let document = jwks_document(keys);
    cfg.route(
        "/.well-known/jwks.json",
        web::get().to(move || {
            let document = document.clone();
            async move { HttpResponse::Ok().json(document) }
        }),
    );
}

/// No application revoked: every test starts from an empty revocation list.
pub async fn clear_revocations() {
    Revocations::connect(&crate::redis_url())
        .await
        .expect("redis")
        .sync(&[])
        .await
        .expect("revocations cleared");
}

/// `POST /internal/v1/postings` on the ledger at `ledger`, signed by `signer` (the transaction
/// service's credential is the one the route admits), as the transaction service sends it.
pub async fn post_to_ledger(
    http: &reqwest::Client,
    signer: &idaas_auth::ServiceSigner,
    ledger: &str,
    body: String,
) -> reqwest::Response {
    let path = idaas_contracts::postings::PATH;
    let credential = signer
        .credential("ledger", "POST", path, body.as_bytes())
        .expect("service credential");
    http.post(format!("{ledger}{path}"))
        .header(idaas_auth::SERVICE_CREDENTIAL_HEADER, credential)
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .expect("ledger answers")
}
