use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    idaas_service::run(settlement::SERVICE, settlement::build).await
}
