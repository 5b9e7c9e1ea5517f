//! `make demo` (`cargo run -p idaas-demo -- --api URL`): exits 0 only if every step of Flow A
//! held.
// The verdict is the program's output.
#![allow(clippy::print_stdout)]

use std::{net::SocketAddr, process::ExitCode, time::Duration};

use clap::Parser;

/// Walks Flow A of the integration guide (sections 3 and 23) against a running platform.
#[derive(Parser)]
#[command(name = "idaas-demo")]
struct Cli {
    /// The gateway's API root.
    #[arg(long, default_value = "http://127.0.0.1:8080/api")]
    api: String,
    /// Where the two applications' webhook endpoints listen (port 0: any free port); the
    /// platform's webhook dispatcher must be able to reach it.
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// How long each webhook endpoint waits for its webhook, in seconds.
    #[arg(long, default_value_t = 30)]
    webhook_wait_seconds: u64,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let opts = idaas_demo::Options {
        api: cli.api,
        listen: cli.listen,
        webhook_wait: Duration::from_secs(cli.webhook_wait_seconds),
    };
    match idaas_demo::run(&opts).await {
        Ok(outcome) => {
            println!(
                "\nOK: every step of Flow A held ({} completed, {} settled)",
                outcome.reference, outcome.settled_date
            );
            ExitCode::SUCCESS
        }
        Err(failure) => {
            eprintln!("\nFAILED at {failure}");
            ExitCode::FAILURE
        }
    }
}
