use std::time::Duration;

use idaas_config::KafkaSettings;
use rdkafka::{
    admin::{AdminClient, AdminOptions, NewTopic, TopicReplication},
    client::DefaultClientContext,
    consumer::{BaseConsumer, Consumer},
    types::RDKafkaErrorCode,
};

use crate::KafkaError;

/// Which of `topics` the brokers do not have.
pub async fn missing_topics(
    settings: &KafkaSettings,
    topics: &[String],
) -> Result<Vec<String>, KafkaError> {
    let config = crate::client_config(settings);
    let wanted = topics.to_vec();
    tokio::task::spawn_blocking(move || -> Result<Vec<String>, KafkaError> {
        let consumer: BaseConsumer = config.create()?;
        let metadata = consumer.fetch_metadata(None, Duration::from_secs(10))?;
        let present: std::collections::HashSet<&str> = metadata
            .topics()
            .iter()
            .filter(|t| t.error().is_none())
            .map(|t| t.name())
            .collect();
        Ok(wanted
            .into_iter()
            .filter(|t| !present.contains(t.as_str()))
            .collect())
    })
    .await
    .map_err(|e| KafkaError::Admin(e.to_string()))?
}

/// Creates missing topics; "already exists" is success, so every replica may call it.
pub async fn ensure_topics(settings: &KafkaSettings, topics: &[String]) -> Result<(), KafkaError> {
    let admin: AdminClient<DefaultClientContext> = crate::client_config(settings).create()?;
    let new: Vec<NewTopic<'_>> = topics
        .iter()
        .map(|t| {
            NewTopic::new(
                t,
                settings.partitions,
                TopicReplication::Fixed(settings.replication_factor),
            )
        })
        .collect();
    let opts = AdminOptions::new().operation_timeout(Some(Duration::from_secs(10)));
    for result in admin.create_topics(new.iter(), &opts).await? {
        match result {
            Ok(_) | Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
            Err((topic, code)) => {
                return Err(KafkaError::Admin(format!("create {topic}: {code}")));
            }
        }
    }
    Ok(())
}

/// Fetches cluster metadata: the broker answers, for health checks.
pub async fn probe(settings: &KafkaSettings) -> Result<(), KafkaError> {
    let config = crate::client_config(settings);
    tokio::task::spawn_blocking(move || -> Result<(), KafkaError> {
        let consumer: BaseConsumer = config.create()?;
        consumer.fetch_metadata(None, Duration::from_secs(3))?;
        Ok(())
    })
    .await
    .map_err(|e| KafkaError::Admin(e.to_string()))?
}
