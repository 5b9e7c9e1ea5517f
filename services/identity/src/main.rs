use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    idaas_service::run(identity::SERVICE, identity::build).await
}
