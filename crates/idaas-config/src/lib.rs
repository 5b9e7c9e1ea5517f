//! Settings shared by every service, loaded in layers and validated once at start-up.

mod load;
mod settings;

pub use load::{config_dir, load, load_from, ConfigError};
pub use settings::{
    AuthSettings, ClaimSettings, DatabaseSettings, HttpSettings, InternalRouteSettings,
    KafkaSettings, KeySettings, LedgerSettings, LogFormat, RateLimitSettings, RedisSettings,
    ServiceAuthSettings, ServiceSettings, Settings, SettlementSettings, SmtpSettings,
    TelemetrySettings, TransactionSettings, WebhookSettings,
};
