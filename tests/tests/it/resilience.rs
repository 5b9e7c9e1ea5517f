//! Dependencies that stall or go away while requests flow: a paused Redis must not hold a
//! request longer than about a second, and a stopped broker must neither stop the platform
//! nor lose an event. Each test runs its own Redis or broker, so pausing it disturbs no other.

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
async fn the_platform_starts_and_serves_with_the_broker_down() {
    let mut broker = PrivateBroker::start().await;
    broker.stop();
    // Platform::start waits for every readiness probe: it returns only if all six came up.
    let p = Platform::start_with(PlatformOptions {
        kafka_brokers: Some(broker.brokers()),
        ..PlatformOptions::default()
    })
    .await;
    let payer = p.tenant("kda").await;
    let payee = p.tenant("kdb").await;
    p.initiate(&payer, &payee, "1").await;
}

#[tokio::test]
async fn a_broker_stopped_while_requests_flow_loses_no_event() {
    let mut broker = PrivateBroker::start().await;
    let p = Platform::start_with(PlatformOptions {
        kafka_brokers: Some(broker.brokers()),
        ..PlatformOptions::default()
    })
    .await;
    let topics = idaas_kafka::Topics::new(p.prefix.clone());
    let kafka = kafka_settings(&broker);
    create_topics(&kafka, &topics).await;
    let payer = p.tenant("kfa").await;
    let payee = p.tenant("kfb").await;
    // Events flow while the broker is up (memory storage: what it held is gone after a
    // restart, so this one is read now).
    let before = HashSet::from([p.initiate(&payer, &payee, "2").await]);
    assert_eq!(receiver_events(&kafka, &topics, &before).await, before);

    broker.stop();
    let mut references = HashSet::new();
    for _ in 0..4 {
        references.insert(p.initiate(&payer, &payee, "2").await);
    }
    // Kubernetes keeps every pod in service meanwhile.
    for service in ["gateway", "identity", "transaction", "ledger"] {
        for probe in ["readiness", "liveness"] {
            let r = p
                .http
                .get(format!(
                    "{}/actuator/health/{probe}",
                    p.service_url(service)
                ))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::OK, "{service} {probe}");
        }
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

    // The broker comes back (the topics are created again, as an operator's provisioning
    // would), and every event committed during the outage arrives.
    broker.restart().await;
    create_topics(&kafka, &topics).await;
    let seen = receiver_events(&kafka, &topics, &references).await;
    assert_eq!(
        seen,
        references,
        "missing events for {:?}\n{}",
        references.difference(&seen).collect::<Vec<_>>(),
        p.logs()
    );
}

/// The references of RECEIVER webhook events on the topic, read until all of `want` arrived
/// (or 90 s passed).
async fn receiver_events(
    kafka: &idaas_config::KafkaSettings,
    topics: &idaas_kafka::Topics,
    want: &HashSet<String>,
) -> HashSet<String> {
    let consumer =
        idaas_kafka::build_consumer(kafka, &format!("resilience-{}", uuid::Uuid::new_v4()))
            .unwrap();
    consumer.subscribe(&[topics.webhooks().as_str()]).unwrap();
    let mut seen = HashSet::new();
    let deadline = Instant::now() + Duration::from_secs(90);
    while !want.is_subset(&seen) && Instant::now() < deadline {
        if let Ok(Ok(m)) = tokio::time::timeout(Duration::from_secs(5), consumer.recv()).await {
            if let Some(payload) = m.payload() {
                let w = WebhookDispatch::decode(payload).unwrap();
                if w.direction == "RECEIVER" {
                    seen.insert(w.transaction_reference);
                }
            }
        }
    }
    seen.retain(|r| want.contains(r));
    seen
}

fn kafka_settings(broker: &PrivateBroker) -> idaas_config::KafkaSettings {
    let mut kafka = idaas_config::load_from(
        &std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../config"),
        "local",
        "gateway",
    )
    .unwrap()
    .kafka;
    kafka.brokers = broker.brokers();
    kafka.partitions = 1;
    kafka
}

async fn create_topics(kafka: &idaas_config::KafkaSettings, topics: &idaas_kafka::Topics) {
    for _ in 0..50 {
        if idaas_kafka::ensure_topics(kafka, &topics.all())
            .await
            .is_ok()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("could not create topics on the private broker");
}
