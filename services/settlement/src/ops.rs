//! Operator commands, run with settlement's own settings (a Kubernetes Job or `kubectl exec`):
//!
//! - `settlement show --date YYYY-MM-DD` prints the date's batches with every application's
//!   entry, which no tenant can see over HTTP;
//! - `settlement rerun --date YYYY-MM-DD --by NAME` runs the date now, FAILED batches included
//!   before their retry time; `--by` is required and logged.
//!
//! Operators are not tenants: these have no HTTP surface at all. A batch completed by `rerun`
//! is published by the running service's outbox relay.

use std::{process::ExitCode, sync::Arc};

use chrono::NaiveDate;
use idaas_config::Settings;
use idaas_service::{InternalClient, SystemClock};

use crate::{
    clients::ledger::Ledger,
    domain::{run::Settler, window::parse_date},
    routes::views::BatchView,
    store::batches,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Show { date: NaiveDate },
    Rerun { date: NaiveDate, by: String },
}

const USAGE: &str =
    "usage: settlement show --date YYYY-MM-DD | settlement rerun --date YYYY-MM-DD --by NAME";

impl Command {
    pub fn parse(args: &[String]) -> Result<Self, String> {
        let (name, rest) = args.split_first().ok_or(USAGE)?;
        let (mut date, mut by) = (None, None);
        let mut it = rest.iter();
        while let Some(flag) = it.next() {
            let value = it
                .next()
                .ok_or_else(|| format!("{flag} needs a value; {USAGE}"))?;
            match flag.as_str() {
                "--date" => date = Some(parse_date(value)?),
                "--by" => by = Some(value.clone()).filter(|b| !b.trim().is_empty()),
                other => return Err(format!("unknown flag {other}; {USAGE}")),
            }
        }
        let date = date.ok_or_else(|| format!("--date is required; {USAGE}"))?;
        match name.as_str() {
            "show" => Ok(Self::Show { date }),
            "rerun" => Ok(Self::Rerun {
                date,
                by: by.ok_or_else(|| format!("--by is required: who is asking; {USAGE}"))?,
            }),
            other => Err(format!("unknown command {other}; {USAGE}")),
        }
    }
}

fn settler(settings: &Settings) -> Result<Settler, String> {
    fn fail(e: &(dyn std::error::Error + 'static)) -> String {
        idaas_service::chain(e)
    }
    let url = idaas_service::database_url(settings, crate::SERVICE).map_err(|e| fail(&e))?;
    let pool = idaas_db::connect(url.expose(), 2, idaas_service::session_limits(settings))
        .map_err(|e| fail(&e))?;
    let internal = InternalClient::new(crate::SERVICE, settings).map_err(|e| fail(&e))?;
    let ledger_url = idaas_service::service_url(settings, "ledger").map_err(|e| fail(&e))?;
    Ok(Settler {
        pool,
        ledger: Ledger::new(internal, &ledger_url),
        settings: settings.settlement.clone(),
        topic: idaas_kafka::Topics::new(settings.kafka.topic_prefix.clone()).settlements(),
        clock: Arc::new(SystemClock),
        relay: None,
    })
}

/// Every batch of `date` with every entry, as JSON.
pub async fn show(settler: &Settler, date: NaiveDate) -> Result<Vec<BatchView>, String> {
    let mut conn = settler.pool.get().await.map_err(|e| e.to_string())?;
    let rows = batches::of_date(&mut conn, date)
        .await
        .map_err(|e| e.to_string())?;
    let mut views = Vec::with_capacity(rows.len());
    for b in &rows {
        let entries = batches::entries(&mut conn, b.id, None)
            .await
            .map_err(|e| e.to_string())?;
        views.push(BatchView::new(b, &entries));
    }
    Ok(views)
}

/// Runs `command` with these settings: what `settlement show|rerun` prints, as JSON.
pub async fn run_with(settings: &Settings, command: &Command) -> Result<serde_json::Value, String> {
    let views = execute(&settler(settings)?, command).await?;
    serde_json::to_value(views).map_err(|e| e.to_string())
}

async fn execute(settler: &Settler, command: &Command) -> Result<Vec<BatchView>, String> {
    match command {
        Command::Show { date } => show(settler, *date).await,
        Command::Rerun { date, by } => {
            tracing::info!(%date, %by, "settlement re-run by an operator");
            settler
                .settle(*date, true)
                .await
                .map_err(|e| idaas_service::chain(&e))?;
            show(settler, *date).await
        }
    }
}

pub async fn main(args: &[String]) -> ExitCode {
    let command = match Command::parse(args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let settings = match idaas_service::load_settings(crate::SERVICE) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{}", idaas_service::chain(&e));
            return ExitCode::FAILURE;
        }
    };
    let _telemetry = idaas_telemetry::init_cli(
        "settlement-ops",
        idaas_service::VERSION,
        &settings.telemetry,
    );
    match run_with(&settings, &command)
        .await
        .and_then(|v| serde_json::to_string_pretty(&v).map_err(|e| e.to_string()))
    {
        Ok(json) => {
            #[allow(clippy::print_stdout)]
            {
                println!("{json}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("settlement: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn parses_and_insists_on_who_reruns() {
        let date = parse_date("2025-03-04").unwrap_or_default();
        assert_eq!(
            Command::parse(&args(&["show", "--date", "2025-03-04"])),
            Ok(Command::Show { date })
        );
        assert!(Command::parse(&args(&["rerun", "--date", "2025-03-04"])).is_err());
        assert_eq!(
            Command::parse(&args(&["rerun", "--date", "2025-03-04", "--by", "ops"])),
            Ok(Command::Rerun {
                date,
                by: "ops".into()
            })
        );
        assert!(Command::parse(&args(&["show", "--date", "2025-3-4"])).is_err());
    }
}
