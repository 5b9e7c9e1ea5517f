//! `make demo` against the platform: the demo's own walk of Flow A (sections 3 and 23) must
//! hold at every step, and must stop, naming the step, when the platform cannot carry it.

use std::time::Duration;

use e2e::Platform;
use rust_decimal::Decimal;

fn options(p: &Platform) -> idaas_demo::Options {
    idaas_demo::Options {
        api: p.api(""),
        listen: "127.0.0.1:0".parse().unwrap(),
        webhook_wait: Duration::from_secs(30),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_walks_flow_a_and_every_step_holds() {
    let p = Platform::start().await;
    let yesterday = || {
        (chrono::Utc::now() - chrono::Duration::days(1))
            .date_naive()
            .to_string()
    };
    let before = yesterday();
    let outcome = idaas_demo::run(&options(&p))
        .await
        .unwrap_or_else(|failure| panic!("the demo failed at {failure}\n{}", p.logs()));
    assert!(outcome.reference.starts_with("TXN-"), "{outcome:?}");
    assert_eq!(outcome.sender_moved, Decimal::from(-500));
    assert_eq!(outcome.receiver_moved, Decimal::from(500));
    // The last closed day, as of some moment during the run (it may have crossed midnight).
    assert!(
        [before, yesterday()].contains(&outcome.settled_date),
        "{outcome:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_stops_at_the_first_step_that_does_not_hold() {
    let mut p = Platform::start().await;
    // Without its dispatcher the platform reports itself DOWN: the demo says so and stops.
    p.kill("webhook-dispatcher");
    let failure = idaas_demo::run(&options(&p))
        .await
        .expect_err("the demo cannot pass without the webhook dispatcher");
    let said = failure.to_string();
    assert!(said.starts_with("step [1]"), "{said}");
    assert!(
        said.contains("/actuator/health") && said.contains("503"),
        "{said}"
    );
}
