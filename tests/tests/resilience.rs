//! Dependencies that stall or go away while requests flow: a paused Redis must not hold a
//! request longer than about a second, and a stopped broker must neither stop the platform
//! nor lose an event. Each test runs its own Redis or broker, so pausing it disturbs no other.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::{
    collections::HashSet,
    time::{Duration, Instant},
};

use e2e::{Platform, PlatformOptions, PrivateBroker, PrivateRedis};
use idaas_kafka::rdkafka::{consumer::Consumer, Message};
use idaas_proto::{transaction::v1::WebhookDispatch, Message as _};
use reqwest::StatusCode;

#[tokio::test]
async fn a_paused_redis_holds_no_request_longer_than_a_second() {
    let redis = PrivateRedis::start().await;
    let p = Platform::start_with(PlatformOptions {
        redis_url: Some(redis.url()),
        ..PlatformOptions::default()
    })
    .await;
    let t = p.tenant("rds").await;
    let subjects = || p.http.get(p.api("/v1/subjects")).bearer_auth(&t.token);
    assert_eq!(subjects().send().await.unwrap().status(), StatusCode::OK);

    redis.pause(4000);
    let paused_at = Instant::now();
    for _ in 0..3 {
        let started = Instant::now();
        let resp = subjects().send().await.unwrap();
        let took = started.elapsed();
        // Limits fail open, revocation fails closed: a clear 503, quickly.
        assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
        let body: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(body["errorCode"], "IDAAS-SYS-9003");
        assert!(
            took < Duration::from_millis(1500),
            "answered after {took:?}"
        );
    }
    // Public tag resolution needs no revocation check: the cache fails open too.
    let started = Instant::now();
    let resolved = p
        .http
        .get(p.api(&format!("/v1/tags/{}", t.tag)))
        .send()
        .await
        .unwrap();
    assert_eq!(resolved.status(), StatusCode::OK);
    assert!(started.elapsed() < Duration::from_millis(1500));

    // Once Redis answers again, so does the platform.
    tokio::time::sleep(Duration::from_millis(4200).saturating_sub(paused_at.elapsed())).await;
    let mut status = StatusCode::SERVICE_UNAVAILABLE;
    for _ in 0..30 {
        status = subjects().send().await.unwrap().status();
        if status == StatusCode::OK {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(status, StatusCode::OK, "{}", p.logs());
}

#[tokio::test]
async fn a_stopped_broker_neither_stops_the_platform_nor_loses_an_event() {
    let mut broker = PrivateBroker::start().await;
    // Started with the broker down: every service must still come up and serve.
    broker.stop();
    let p = Platform::start_with(PlatformOptions {
        kafka_brokers: Some(broker.brokers()),
        ..PlatformOptions::default()
    })
    .await;
    let payer = p.tenant("kfa").await;
    let payee = p.tenant("kfb").await;
    let mut references = HashSet::new();
    for _ in 0..5 {
        references.insert(p.initiate(&payer, &payee, "2").await);
    }
    // Kubernetes keeps every pod in service meanwhile.
    for service in ["gateway", "identity", "transaction", "ledger"] {
        let r = p
            .http
            .get(format!(
                "{}/actuator/health/readiness",
                p.service_url(service)
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{service} readiness");
        let r = p
            .http
            .get(format!(
                "{}/actuator/health/liveness",
                p.service_url(service)
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{service} liveness");
    }
    // The public health says the broker is down, and nothing more.
    let health = p
        .http
        .get(format!("{}/actuator/health", p.gateway))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), StatusCode::SERVICE_UNAVAILABLE);
    let text = health.text().await.unwrap();
    assert!(text.contains(r#""kafka":{"status":"DOWN"}"#), "{text}");
    assert!(
        !text.contains("127.0.0.1") && !text.contains("error"),
        "{text}"
    );

    // The broker comes back (memory storage: the topics are created again, as an operator's
    // provisioning would), and every event committed meanwhile is delivered.
    broker.restart().await;
    let mut kafka = idaas_config::load_from(
        &std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../config"),
        "local",
        "gateway",
    )
    .unwrap()
    .kafka;
    kafka.brokers = broker.brokers();
    kafka.partitions = 1;
    let topics = idaas_kafka::Topics::new(p.prefix.clone());
    let mut created = false;
    for _ in 0..50 {
        if idaas_kafka::ensure_topics(&kafka, &topics.all())
            .await
            .is_ok()
        {
            created = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(created, "topics on the restarted broker");
    let consumer =
        idaas_kafka::build_consumer(&kafka, &format!("resilience-{}", uuid::Uuid::new_v4()))
            .unwrap();
    consumer.subscribe(&[topics.webhooks().as_str()]).unwrap();
    let mut seen = HashSet::new();
    let deadline = Instant::now() + Duration::from_secs(90);
    while seen.len() < references.len() && Instant::now() < deadline {
        if let Ok(Ok(m)) = tokio::time::timeout(Duration::from_secs(5), consumer.recv()).await {
            if let Some(payload) = m.payload() {
                let w = WebhookDispatch::decode(payload).unwrap();
                if w.direction == "RECEIVER" {
                    seen.insert(w.transaction_reference);
                }
            }
        }
    }
    assert_eq!(
        seen,
        references,
        "every event committed while the broker was down\n{}",
        p.logs()
    );
}
