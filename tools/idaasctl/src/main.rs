//! `idaasctl`: what an operator runs against the platform's brokers and databases, with the
//! platform's own configuration (`IDAAS_CONFIG_DIR`, `IDAAS_PROFILE`, `IDAAS__*` variables, as
//! the services read it). Output is JSON lines on stdout; errors go to stderr with a non-zero
//! exit. Runbooks: docs/operations.md.

mod contracts;
mod dlt;
mod error;
mod outbox;
mod settlement;
mod tail;

use std::{io::Write, process::ExitCode};

use chrono::{DateTime, Utc};
use clap::{Args, Parser, Subcommand, ValueEnum};
use idaas_config::Settings;
use serde_json::{json, Value};
use uuid::Uuid;

use contracts::Contracts;
pub use error::CtlError;

/// Operate IDaaS: read its Kafka topics as JSON, inspect and re-drive dead-lettered webhooks,
/// check each service's outbox backlog, run and read a day's settlement.
///
/// Configuration is the platform's own: the files in IDAAS_CONFIG_DIR (default ./config) for
/// IDAAS_PROFILE (unset: production), overridden by IDAAS__SECTION__KEY variables, e.g.
/// IDAAS__KAFKA__BROKERS and IDAAS__DATABASE__URL. Run it where a service runs (a pod, a Job)
/// and it sees what that service sees.
#[derive(Debug, Parser)]
#[command(name = "idaasctl", version)]
struct Cli {
    /// Brokers to use instead of kafka.brokers.
    #[arg(long, global = true)]
    brokers: Option<String>,
    /// Topic prefix instead of kafka.topic_prefix (default "idaas.").
    #[arg(long, global = true)]
    prefix: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// List the topics and the event contract (proto/) each one carries.
    Topics,
    /// Print a topic's events as JSON lines: position, key, headers and the event decoded.
    ///
    /// Reads without a consumer group's offsets, so it never moves what services committed.
    /// Without --follow it stops at the end of every partition.
    Tail(TailArgs),
    /// The dead-letter topic (webhooks that failed every attempt).
    #[command(subcommand)]
    Dlt(DltCommand),
    /// Each service's outbox: events committed and not yet published, and the oldest one's age.
    Outbox {
        /// Services to report (default: all five that own a database).
        services: Vec<String>,
    },
    /// End-of-day settlement: run a day, read its batches and the reports published.
    #[command(subcommand)]
    Settlement(SettlementCommand),
}

#[derive(Debug, Subcommand)]
enum SettlementCommand {
    /// Settle a closed day now, through the settlement service's own code path: FAILED batches
    /// are tried again at once, COMPLETED ones answered as they are (never settled twice).
    /// Prints {date, by, batches} with every application's entry, as JSON; exits 1 unless
    /// every batch is COMPLETED.
    ///
    /// Needs settlement's settings (its database and its service key for the ledger): run it
    /// with settlement's configuration, e.g. as a Job from the settlement image.
    Run {
        /// The day to settle, YYYY-MM-DD (UTC); it must have closed.
        #[arg(long)]
        date: String,
        /// Who is asking; logged with the run.
        #[arg(long)]
        by: String,
    },
    /// Every batch of a day as settlement's database holds it, FAILED ones included, with every
    /// application's entry, as JSON. Needs settlement's settings.
    Show {
        /// YYYY-MM-DD (UTC).
        #[arg(long)]
        date: String,
    },
    /// The reports of a day published on the settlements topic, as JSON lines (what ops and
    /// finance consumers received). Needs only the brokers.
    Published {
        /// YYYY-MM-DD (UTC).
        #[arg(long)]
        date: String,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum StartAt {
    Beginning,
    End,
}

#[derive(Debug, Args)]
struct TailArgs {
    /// Topic: applications, tags, transactions, webhooks, webhooks.dlt, ledger, settlements
    /// (with or without the prefix).
    topic: String,
    /// Where to start on every partition.
    #[arg(
        long,
        value_enum,
        default_value = "beginning",
        conflicts_with = "since"
    )]
    from: StartAt,
    /// Start at the first event at or after this time (RFC 3339, e.g. 2026-11-29T00:00:00Z).
    #[arg(long)]
    since: Option<DateTime<Utc>>,
    /// Keep waiting for new events (stop with Ctrl-C).
    #[arg(long)]
    follow: bool,
    /// Stop after this many events.
    #[arg(long)]
    limit: Option<usize>,
}

#[derive(Debug, Args)]
struct DltFilter {
    /// Only deliveries that failed at or after this time (RFC 3339).
    #[arg(long)]
    since: Option<DateTime<Utc>>,
    /// Only this application's deliveries.
    #[arg(long)]
    application: Option<Uuid>,
}

#[derive(Debug, Subcommand)]
enum DltCommand {
    /// Print the dead letters that match, as JSON lines.
    List(DltFilter),
    /// Give each matching delivery that is still FAILED one more attempt (the dispatcher's own
    /// path, recorded as asked by --by). Idempotent: running it twice re-drives nothing twice.
    ///
    /// Needs the dispatcher's settings (its database): run it with the dispatcher's
    /// configuration, e.g. as a Job from the dispatcher's image.
    Redrive {
        #[command(flatten)]
        filter: DltFilter,
        /// Who is asking; kept on every re-driven delivery and logged.
        #[arg(long)]
        by: String,
    },
}

/// The settings a command reads the brokers and (for re-drives) the dispatcher's database
/// from, with the command line's overrides.
fn settings(cli: &Cli) -> Result<Settings, CtlError> {
    settings_of(cli, "webhook-dispatcher")
}

/// Settlement's own settings, without --brokers/--prefix: a run publishes its report through
/// settlement's outbox, and another prefix would send it where no consumer looks.
fn settlement_settings(cli: &Cli) -> Result<Settings, CtlError> {
    if cli.brokers.is_some() || cli.prefix.is_some() {
        return Err(CtlError::Usage(
            "settlement run/show use settlement's own settings; drop --brokers/--prefix".into(),
        ));
    }
    Ok(idaas_service::load_settings("settlement")?)
}

/// `service`'s settings (for what runs through that service's code), with the overrides.
fn settings_of(cli: &Cli, service: &str) -> Result<Settings, CtlError> {
    let mut s = idaas_service::load_settings(service)?;
    if let Some(b) = &cli.brokers {
        s.kafka.brokers = b.clone();
    }
    if let Some(p) = &cli.prefix {
        s.kafka.topic_prefix = p.clone();
    }
    Ok(s)
}

fn print(line: &Value) -> Result<(), CtlError> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer(&mut out, line)?;
    out.write_all(b"\n")?;
    out.flush()?;
    Ok(())
}

fn day(raw: &str) -> Result<chrono::NaiveDate, CtlError> {
    chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map_err(|e| CtlError::Usage(format!("--date {raw:?}: {e} (expected YYYY-MM-DD)")))
}

fn filter(f: &DltFilter) -> dlt::Filter {
    dlt::Filter {
        since: f.since,
        application: f.application,
    }
}

async fn run(cli: Cli) -> Result<(), CtlError> {
    let contracts = Contracts::load()?;
    match &cli.command {
        Command::Topics => {
            let s = settings(&cli)?;
            for (short, message) in contracts::TOPICS {
                let topic = format!("{}{short}", s.kafka.topic_prefix);
                print(&json!({ "topic": topic, "message": message }))?;
            }
        }
        Command::Tail(args) => {
            let s = settings(&cli)?;
            let topic = contracts.topic(&args.topic, &s.kafka.topic_prefix)?;
            let start = match (args.since, args.from) {
                (Some(t), _) => tail::Start::Since(t),
                (None, StartAt::Beginning) => tail::Start::Beginning,
                (None, StartAt::End) => tail::Start::End,
            };
            let how = tail::Tail {
                start,
                follow: args.follow,
                limit: args.limit,
            };
            tail::run(&s.kafka, &contracts, &topic, how, |line| {
                print(&line)?;
                Ok(true)
            })
            .await?;
        }
        Command::Dlt(DltCommand::List(f)) => {
            let s = settings(&cli)?;
            let n = dlt::list(&s, &contracts, &filter(f), |line| print(&line)).await?;
            eprintln!("{n} dead letters matched");
        }
        Command::Dlt(DltCommand::Redrive { filter: f, by }) => {
            let s = settings(&cli)?;
            let done = dlt::redrive(&s, &filter(f), by).await?;
            print(&json!({ "matched": done.matched, "queued": done.queued, "by": by }))?;
        }
        Command::Outbox { services } => {
            let services: Vec<String> = if services.is_empty() {
                outbox::SERVICES.iter().map(|s| (*s).to_owned()).collect()
            } else {
                services.clone()
            };
            let lines = outbox::report(&services).await;
            for line in &lines {
                print(line)?;
            }
            let failed = lines.iter().filter(|l| l.get("error").is_some()).count();
            if failed > 0 {
                return Err(CtlError::Unreadable {
                    failed,
                    of: lines.len(),
                });
            }
        }
        Command::Settlement(SettlementCommand::Run { date, by }) => {
            let date = day(date)?;
            if by.trim().is_empty() {
                return Err(CtlError::Usage("--by must name who is asking".into()));
            }
            let s = settlement_settings(&cli)?;
            // The run is an operator's action on money: its log line (with --by) goes to
            // stderr, and the answer repeats who asked.
            let _telemetry =
                idaas_telemetry::init_cli("idaasctl", idaas_service::VERSION, &s.telemetry);
            let batches = settlement::run(&s, date, by).await?;
            print(&json!({ "date": date.to_string(), "by": by, "batches": batches }))?;
            settlement::all_completed(&batches)?;
        }
        Command::Settlement(SettlementCommand::Show { date }) => {
            let date = day(date)?;
            let s = settlement_settings(&cli)?;
            print(&settlement::show(&s, date).await?)?;
        }
        Command::Settlement(SettlementCommand::Published { date }) => {
            let date = day(date)?;
            let s = settings(&cli)?;
            let n = settlement::published(&s, &contracts, date, |line| print(&line)).await?;
            eprintln!("{n} settlement reports published for {date}");
        }
    }
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("idaasctl: {}", idaas_service::chain(&e));
            ExitCode::FAILURE
        }
    }
}
