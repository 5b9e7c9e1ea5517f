//! The dead-letter topic: what failed (filtered by time and application), and re-driving it
//! through the dispatcher's own code path (`webhook_dispatcher::ops`), idempotently.

use std::time::Duration;

use chrono::{DateTime, Utc};
use idaas_config::Settings;
use serde_json::Value;
use uuid::Uuid;
use webhook_dispatcher::ops::{self, Redrive, Redriven};

use crate::{
    contracts::Contracts,
    tail::{self, Start, Tail},
    CtlError,
};

/// Which dead letters: since a time (by when the delivery failed), for one application.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub since: Option<DateTime<Utc>>,
    pub application: Option<Uuid>,
}

impl Filter {
    fn matches(&self, event: &Value) -> bool {
        let field = |name: &str| event[name].as_str().unwrap_or_default();
        ops::dead_letter_matches(
            self.since,
            self.application,
            field("failedAt"),
            field("applicationId"),
        )
    }
}

/// Every dead letter on the topic that matches, from its start to its end.
pub async fn list(
    settings: &Settings,
    contracts: &Contracts,
    filter: &Filter,
    mut emit: impl FnMut(Value) -> Result<(), CtlError>,
) -> Result<usize, CtlError> {
    let topic = contracts.topic("webhooks.dlt", &settings.kafka.topic_prefix)?;
    let how = Tail {
        start: Start::Beginning,
        follow: false,
        limit: None,
    };
    let mut matched = 0;
    tail::run(&settings.kafka, contracts, &topic, how, |line| {
        if filter.matches(&line["event"]) {
            matched += 1;
            emit(line)?;
        }
        Ok(true)
    })
    .await?;
    Ok(matched)
}

/// Gives every matching delivery that is still FAILED one more attempt, recorded as asked by
/// `by`. Running it twice re-drives nothing twice.
pub async fn redrive(settings: &Settings, filter: &Filter, by: &str) -> Result<Redriven, CtlError> {
    if by.trim().is_empty() {
        return Err(CtlError::Usage("--by is required: who is asking".into()));
    }
    let ask = Redrive {
        since: filter.since,
        application: filter.application,
        by: by.to_owned(),
    };
    Ok(ops::redrive(settings, &ask, Duration::from_secs(5)).await?)
}
