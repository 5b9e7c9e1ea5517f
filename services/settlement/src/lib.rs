//! Settlement service: end-of-day net positions per application, published to the settlements topic.
//!
//! Its domain arrives with a later issue; today it runs on the shared chassis: it migrates its
//! own database, creates the platform topics, relays its outbox and answers health.

use idaas_db::{embed_migrations, EmbeddedMigrations};
use idaas_service::{Running, StartupError};

pub const SERVICE: &str = "settlement";
const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/settlement");

pub async fn build(settings: idaas_config::Settings) -> Result<Running, StartupError> {
    idaas_service::start(SERVICE, settings, MIGRATIONS, |_routes| {}).await
}
