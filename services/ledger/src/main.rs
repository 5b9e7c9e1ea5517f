use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    idaas_service::run(ledger::SERVICE, ledger::build).await
}
