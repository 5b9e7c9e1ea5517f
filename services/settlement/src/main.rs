use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("show" | "rerun") => settlement::ops::main(&args).await,
        _ => idaas_service::run(settlement::SERVICE, settlement::build).await,
    }
}
