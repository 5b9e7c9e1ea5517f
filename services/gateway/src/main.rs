use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    idaas_service::run(gateway::SERVICE, gateway::build).await
}
