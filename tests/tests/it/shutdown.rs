//! SIGTERM, as Kubernetes sends it on every rolling update: each service stops accepting,
//! finishes what it was doing (requests, the outbox batch, the worker pass) and exits cleanly
//! within 10 s.

use std::time::Duration;

use e2e::Platform;

#[tokio::test]
async fn every_service_stops_cleanly_and_quickly_on_sigterm() {
    let mut p = Platform::start().await;
    // Some work in flight first: events in the outbox, workers running.
    let payer = p.tenant("sta").await;
    let payee = p.tenant("stb").await;
    let reference = p.initiate(&payer, &payee, "3").await;
    let (s, v) = p.accept(&payee, &reference).await;
    assert!(s.is_success(), "{v}");
    for service in [
        "gateway",
        "transaction",
        "ledger",
        "identity",
        "webhook-dispatcher",
        "settlement",
    ] {
        let (status, took) = p.terminate(service).await;
        assert!(
            status.success(),
            "{service} exited with {status}\n{}",
            p.logs()
        );
        assert!(
            took < Duration::from_secs(10),
            "{service} took {took:?} to stop"
        );
    }
}
