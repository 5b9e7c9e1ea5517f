use idaas_kafka::rdkafka::error::KafkaError;

/// Everything that can stop a command; printed once, with its causes, by `main`.
#[derive(Debug, thiserror::Error)]
pub enum CtlError {
    #[error("{0}")]
    Usage(String),
    #[error("settings")]
    Settings(#[from] idaas_service::StartupError),
    #[error("event contracts: {0}")]
    Contracts(String),
    #[error("broker")]
    Broker(#[from] KafkaError),
    #[error("database")]
    Db(#[from] idaas_db::DbError),
    #[error("database query")]
    Query(#[from] diesel::result::Error),
    #[error("database pool")]
    Pool(#[from] diesel_async::pooled_connection::deadpool::PoolError),
    #[error("re-drive")]
    Redrive(#[from] webhook_dispatcher::ops::OpsError),
    #[error("settlement: {0}")]
    Settlement(String),
    #[error("{failed} of {of} services could not be read (see their lines)")]
    Unreadable { failed: usize, of: usize },
    #[error("output")]
    Output(#[from] std::io::Error),
    #[error("output")]
    Json(#[from] serde_json::Error),
}
