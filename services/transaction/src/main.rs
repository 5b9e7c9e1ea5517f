use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    idaas_service::run(transaction::SERVICE, transaction::build).await
}
