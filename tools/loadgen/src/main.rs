//! `cargo run -p loadgen --release -- <mode> [--seconds N] [--concurrency N] ...`
//!
//! Modes: `bench` (pgbench, ledger, hot and payments in one run, one table of figures and
//! ratios against issue 11's targets, then the ledger invariants), `payments` (initiate + accept through the gateway), `ledger` (postings straight to
//! the ledger over uniform wallets), `hot` (every posting on ONE wallet pair), `webhooks`
//! (events through the dispatcher to local receivers), `settlement` (a day of postings seeded
//! through the ledger's database and events, then settled), `pgbench` (the box's
//! durable-commit ceiling, for ratios). Runs are bounded in time and talk only to the
//! addresses given (loopback by default).
#![allow(clippy::print_stdout)]

mod bench;
mod options;
mod pgbench;
mod report;
mod scenarios;
mod settlement;
mod webhooks;

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let opts = match options::Options::parse(std::env::args().skip(1)) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}\n\n{}", options::USAGE);
            return ExitCode::from(2);
        }
    };
    if opts.mode == "bench" {
        return match bench::run(&opts).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("loadgen: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let result = match opts.mode.as_str() {
        "payments" => scenarios::payments(&opts).await,
        "ledger" => scenarios::ledger(&opts, false).await,
        "hot" => scenarios::ledger(&opts, true).await,
        "webhooks" => webhooks::run(&opts).await,
        "settlement" => settlement::run(&opts).await,
        "pgbench" => pgbench::run(&opts),
        other => Err(format!("unknown mode {other:?}")),
    };
    match result {
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("loadgen: {e}");
            ExitCode::FAILURE
        }
    }
}
