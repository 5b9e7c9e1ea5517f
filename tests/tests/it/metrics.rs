//! `/actuator/prometheus` on every service's admin port, after one payment through the
//! gateway: requests by route, the outbox, the ledger's postings, webhook attempts, the
//! revocation sync. Never on a public port, nor through the gateway.

use std::time::Duration;

use e2e::Platform;
use reqwest::StatusCode;

async fn scrape(p: &Platform, service: &str) -> String {
    let resp = p
        .http
        .get(format!("{}/actuator/prometheus", p.admin_url(service)))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK, "{service}");
    let kind = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(kind.starts_with("text/plain"), "{service}: {kind}");
    resp.text().await.unwrap()
}

/// The value of the first series whose line starts with `name` and holds every label.
fn value(text: &str, name: &str, labels: &[&str]) -> Option<f64> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter(|l| l.starts_with(name) && l[name.len()..].starts_with(['{', ' ']))
        .find(|l| labels.iter().all(|label| l.contains(label)))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

/// Scrapes `service` until `name` (with `labels`) appears: the work behind it is asynchronous.
async fn eventually(p: &Platform, service: &str, name: &str, labels: &[&str]) -> f64 {
    until(p, service, name, labels, |_| true).await
}

/// Scrapes `service` until `name` (with `labels`) has a value `wanted` accepts.
async fn until(
    p: &Platform,
    service: &str,
    name: &str,
    labels: &[&str],
    wanted: impl Fn(f64) -> bool,
) -> f64 {
    for _ in 0..100 {
        if let Some(v) = value(&scrape(p, service).await, name, labels).filter(|v| wanted(*v)) {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!(
        "{service}: no wanted {name} {labels:?} after 20 s\n{}\n{}",
        scrape(p, service).await,
        p.logs()
    );
}

#[tokio::test]
async fn one_payment_shows_in_every_service_and_metrics_are_never_public() {
    let p = Platform::start().await;
    let a = p.tenant("ma").await;
    let b = p.tenant("mb").await;
    let reference = p.initiate(&a, &b, "12.50").await;
    let (s, v) = p.accept(&b, &reference).await;
    assert_eq!(s, StatusCode::OK, "{v}");

    // The gateway labels by its route table's pattern, never by the path (ids stay out).
    let gateway = scrape(&p, "gateway").await;
    let route = r#"route="/v1/transactions/{reference}/accept""#;
    assert_eq!(
        value(
            &gateway,
            "http_server_requests_total",
            &[route, r#"status="200""#]
        ),
        Some(1.0),
        "{gateway}"
    );
    assert!(
        !gateway.contains(&reference),
        "a reference leaked into a label"
    );
    assert!(
        value(
            &gateway,
            "http_server_request_duration_seconds_count",
            &[r#"route="/v1/transactions""#, r#"method="POST""#]
        )
        .is_some(),
        "{gateway}"
    );

    let identity = scrape(&p, "identity").await;
    assert!(
        value(
            &identity,
            "http_server_requests_total",
            &[r#"route="/internal/v1/tags/resolutions""#]
        )
        .is_some(),
        "{identity}"
    );
    eventually(
        &p,
        "identity",
        "idaas_revocation_last_sync_timestamp_seconds",
        &[],
    )
    .await;

    let ledger = eventually(
        &p,
        "ledger",
        "idaas_ledger_postings_total",
        &[r#"outcome="applied""#],
    );
    assert_eq!(ledger.await, 1.0);
    eventually(&p, "ledger", "idaas_ledger_batch_size_count", &[]).await;

    // Every event published: the backlog drains to zero and the relay counted them.
    let transaction = "transaction";
    assert_eq!(
        eventually(&p, transaction, "idaas_payments_accepting_stale", &[]).await,
        0.0
    );
    until(&p, transaction, "idaas_outbox_backlog", &[], |v| v == 0.0).await;
    let text = scrape(&p, transaction).await;
    assert!(
        value(&text, "idaas_outbox_published_total", &[]).unwrap_or(0.0) >= 4.0,
        "{text}"
    );
    assert!(
        value(&text, "idaas_db_pool_max_connections", &[]).is_some(),
        "{text}"
    );

    // The receiver's TRANSACTION_INITIATED, the sender's COMPLETED: attempted, whatever the
    // receivers answered.
    eventually(
        &p,
        "webhook-dispatcher",
        "idaas_webhook_attempts_total",
        &[],
    )
    .await;
    // librdkafka reports lag every 15 s; by then the dispatcher has read everything.
    let webhooks = format!(r#"topic="{}webhooks""#, p.prefix);
    assert_eq!(
        eventually(&p, "webhook-dispatcher", "idaas_consumer_lag", &[&webhooks]).await,
        0.0
    );

    // Which build answers: the git revision in /actuator/info (the tests run from a checkout).
    let (_, info) = p
        .send(
            p.http
                .get(format!("{}/actuator/info", p.service_url("ledger"))),
        )
        .await;
    let revision = info["git"]["revision"].as_str().unwrap_or_default();
    assert!(
        revision.len() == 40 && revision.bytes().all(|b| b.is_ascii_hexdigit()),
        "{info}"
    );

    // Not on any public port, not through the gateway; and the admin port serves nothing but
    // /actuator/*: no API behind the scrape rule.
    let mut refused: Vec<String> = ["gateway", "ledger", "transaction"]
        .iter()
        .map(|s| format!("{}/actuator/prometheus", p.service_url(s)))
        .collect();
    refused.extend(
        [
            ("gateway", "/api/v1/keys/idaas"),
            ("identity", "/v1/keys/idaas"),
            ("identity", "/internal/v1/tags/resolutions?address=x"),
        ]
        .iter()
        .map(|(s, path)| format!("{}{path}", p.admin_url(s))),
    );
    refused.extend(
        ["/actuator/prometheus", "/api/actuator/prometheus"]
            .iter()
            .map(|path| format!("http://{}{path}", p.gateway_addr())),
    );
    for url in refused {
        let (status, _) = p.send(p.http.get(&url)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{url}");
    }
}
