#[derive(Debug, thiserror::Error)]
pub enum KafkaError {
    #[error("kafka client: {0}")]
    Client(#[from] rdkafka::error::KafkaError),
    #[error("kafka admin: {0}")]
    Admin(String),
    #[error(transparent)]
    Db(#[from] idaas_db::DbError),
}

impl From<diesel::result::Error> for KafkaError {
    fn from(e: diesel::result::Error) -> Self {
        KafkaError::Db(idaas_db::DbError::Query(e))
    }
}
