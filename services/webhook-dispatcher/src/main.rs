use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("redrive") => webhook_dispatcher::ops::main(&args[1..]).await,
        _ => idaas_service::run(webhook_dispatcher::SERVICE, webhook_dispatcher::build).await,
    }
}
