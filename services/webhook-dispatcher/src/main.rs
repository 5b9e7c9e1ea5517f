use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    idaas_service::run(webhook_dispatcher::SERVICE, webhook_dispatcher::build).await
}
