//! PostgreSQL plumbing shared by the services: each service owns its own database.

mod admin;
mod error;
mod migrate;
mod pool;
mod text_enum;
pub mod tls;

pub use admin::{drop_database, ensure_database};
pub use error::{unique_violation, DbError};
pub use migrate::run_migrations;
pub use pool::{connect, ping, with_session_limits, PgConn, PgPool, SessionLimits};

pub use diesel_migrations::{embed_migrations, EmbeddedMigrations};

/// For `text_enum!`: the enum's OpenAPI schema, without every user depending on utoipa.
#[doc(hidden)]
pub use utoipa as __utoipa;
