//! `idaasctl settlement`: run a day's settlement through the settlement service's own code path
//! (`settlement::ops`, with settlement's settings: its database, its service key for the
//! ledger), and read the reports it published on `idaas.settlements`.

use ::settlement::ops::{self, Command};
use chrono::NaiveDate;
use idaas_config::Settings;
use serde_json::Value;

use crate::{contracts::Contracts, tail, CtlError};

/// Settles `date` now (FAILED batches too, before their retry time), recorded as asked by `by`;
/// answers every batch of the date with every application's entry. Idempotent: a COMPLETED
/// batch is answered as it is, never settled twice.
pub async fn run(settings: &Settings, date: NaiveDate, by: &str) -> Result<Value, CtlError> {
    let command = Command::Rerun {
        date,
        by: by.to_owned(),
    };
    ops::run_with(settings, &command)
        .await
        .map_err(CtlError::Settlement)
}

/// Exit non-zero unless every batch is COMPLETED: a script running "settle once fixed" must not
/// report success for a day still unsettled.
pub fn all_completed(batches: &Value) -> Result<(), CtlError> {
    let open: Vec<String> = batches
        .as_array()
        .into_iter()
        .flatten()
        .filter(|b| b["status"] != "COMPLETED")
        .map(|b| format!("{} {}", b["currency"], b["status"]))
        .collect();
    if open.is_empty() {
        Ok(())
    } else {
        Err(CtlError::Settlement(format!(
            "not settled: {} (see errorMessage)",
            open.join(", ")
        )))
    }
}

/// Every batch of `date` as settlement's database holds it (FAILED ones included).
pub async fn show(settings: &Settings, date: NaiveDate) -> Result<Value, CtlError> {
    ops::run_with(settings, &Command::Show { date })
        .await
        .map_err(CtlError::Settlement)
}

/// The reports of `date` published on the settlements topic (keyed `<date>:<currency>`), from
/// the beginning to where the topic ended when reading started.
pub async fn published(
    settings: &Settings,
    contracts: &Contracts,
    date: NaiveDate,
    mut emit: impl FnMut(Value) -> Result<(), CtlError>,
) -> Result<usize, CtlError> {
    let topic = contracts.topic("settlements", &settings.kafka.topic_prefix)?;
    let prefix = format!("{date}:");
    let how = tail::Tail {
        start: tail::Start::Beginning,
        follow: false,
        limit: None,
    };
    let mut matched = 0;
    tail::run(&settings.kafka, contracts, &topic, how, |line| {
        if line["key"].as_str().is_some_and(|k| k.starts_with(&prefix)) {
            matched += 1;
            emit(line)?;
        }
        Ok(true)
    })
    .await?;
    Ok(matched)
}
