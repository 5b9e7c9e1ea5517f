//! Delivery end to end on the dispatcher: events from the topic to a real receiver, signed and
//! retried on the guide's schedule, dead-lettered when the attempts run out.

use std::time::Duration;

use idaas_kafka::rdkafka::{consumer::Consumer, Message};
use idaas_proto::{webhook::v1::WebhookDeadLetter, Message as _};

use crate::common::{receiver, spawn, spawn_with, Received, HANG};

/// `v0=hex(HMAC-SHA256(secret, "v0:" + ts + ":" + body))`, computed with ring, not our code.
fn expected_v0(secret: &str, r: &Received) -> String {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.as_bytes());
    let msg = format!("v0:{}:{}", r.header("X-IDaaS-Timestamp"), r.body);
    format!(
        "v0={}",
        hex(ring::hmac::sign(&key, msg.as_bytes()).as_ref())
    )
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test]
async fn two_failures_then_success_is_one_signed_delivery_in_three_attempts() {
    let p = spawn().await;
    let hook = receiver(vec![500, 503]);
    let app = p.app(&hook.url, false).await;
    let event = p.publish(&app, &hook.url, "TXN-1741082580-AAAAAAAA").await;

    let (status, attempts, error) = p.settled(&event, Duration::from_secs(20)).await;
    assert_eq!((status.as_str(), attempts, error), ("DELIVERED", 3, None));
    let seen = hook.all();
    assert_eq!(seen.len(), 3);
    let id = seen[0].header("X-IDaaS-Delivery").to_owned();
    assert!(!id.is_empty());
    for r in &seen {
        assert_eq!(
            r.header("X-IDaaS-Delivery"),
            id,
            "one delivery id across attempts"
        );
        assert_eq!(r.header("webhook-id"), id);
        assert_eq!(
            r.header("X-IDaaS-Signature"),
            expected_v0(&app.webhook_secret, r)
        );
        assert!(r.header("webhook-signature").starts_with("v1,"));
        assert_eq!(r.header("Content-Type"), "application/json");
        assert_eq!(r.header("Content-Encryption"), "");
        let body: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(body["event"], "TRANSACTION_INITIATED");
    }
}

#[tokio::test]
async fn exhausted_attempts_fail_and_reach_the_dead_letter_topic_once() {
    let p = spawn().await;
    let hook = receiver(vec![500; 10]);
    let app = p.app(&hook.url, false).await;
    let dlt =
        idaas_kafka::build_consumer(&p.kafka, &format!("t-{}", uuid::Uuid::new_v4())).unwrap();
    dlt.subscribe(&[p.topics.webhooks_dlt().as_str()]).unwrap();
    let event = p.publish(&app, &hook.url, "TXN-1741082580-BBBBBBBB").await;

    let (status, attempts, error) = p.settled(&event, Duration::from_secs(20)).await;
    assert_eq!((status.as_str(), attempts), ("FAILED", 3));
    assert_eq!(error.as_deref(), Some("HTTP 500 Internal Server Error"));
    assert_eq!(hook.count(), 3, "no attempt after the last");

    let message = tokio::time::timeout(Duration::from_secs(30), dlt.recv())
        .await
        .expect("a dead letter within 30 s")
        .unwrap();
    let letter = WebhookDeadLetter::decode(message.payload().unwrap()).unwrap();
    assert_eq!(letter.source_event_id, event);
    assert_eq!(letter.application_id, app.id);
    assert_eq!(letter.attempts.len(), 3);
    assert!(letter.attempts.iter().all(|a| a.status == 500));
    assert_eq!(letter.delivery_id, hook.all()[0].header("X-IDaaS-Delivery"));
}

#[tokio::test]
async fn an_encrypted_application_gets_a_jwe_to_its_key_signed_as_sent() {
    let p = spawn().await;
    let hook = receiver(vec![]);
    let app = p.app(&hook.url, true).await;
    let event = p.publish(&app, &hook.url, "TXN-1741082580-CCCCCCCC").await;
    let (status, attempts, _) = p.settled(&event, Duration::from_secs(20)).await;
    assert_eq!((status.as_str(), attempts), ("DELIVERED", 1));
    let r = &hook.all()[0];
    assert_eq!(r.header("Content-Encryption"), "JWE");
    assert_eq!(r.body.split('.').count(), 5, "a compact JWE: {}", r.body);
    assert_eq!(
        r.header("X-IDaaS-Signature"),
        expected_v0(&app.webhook_secret, r)
    );
    let key = idaas_crypto::keys::EcKeyPair::from_private_jwk(&app.private_jwk).unwrap();
    let plain = idaas_crypto::jwe::decrypt_compact(&r.body, key.secret_key()).unwrap();
    let body: serde_json::Value = serde_json::from_slice(&plain).unwrap();
    assert_eq!(body["transaction"]["reference"], "TXN-1741082580-CCCCCCCC");
}

#[tokio::test]
async fn an_application_without_a_url_gets_a_failed_record_not_a_loop() {
    let p = spawn().await;
    let hook = receiver(vec![]);
    let app = p.app(&hook.url, false).await;
    let event = p.publish(&app, "", "TXN-1741082580-DDDDDDDD").await;
    let (status, attempts, error) = p.settled(&event, Duration::from_secs(20)).await;
    assert_eq!((status.as_str(), attempts), ("FAILED", 0));
    assert!(error
        .unwrap_or_default()
        .contains("no transactionWebhookUrl"));
    assert_eq!(hook.count(), 0);
}

#[tokio::test]
async fn an_event_published_twice_is_delivered_once() {
    let p = spawn().await;
    let hook = receiver(vec![]);
    let app = p.app(&hook.url, false).await;
    let event = p.publish(&app, &hook.url, "TXN-1741082580-EEEEEEEE").await;
    let (status, _, _) = p.settled(&event, Duration::from_secs(20)).await;
    assert_eq!(status, "DELIVERED");
    // The relay publishes at least once: the same event again changes nothing.
    p.publish_as(&event, &app, &hook.url, "TXN-1741082580-EEEEEEEE")
        .await;
    let marker = p.publish(&app, &hook.url, "TXN-1741082580-FFFFFFFF").await;
    p.settled(&marker, Duration::from_secs(20)).await;
    let refs: Vec<String> = hook
        .all()
        .iter()
        .map(|r| {
            serde_json::from_str::<serde_json::Value>(&r.body).unwrap()["transaction"]["reference"]
                .to_string()
        })
        .collect();
    assert_eq!(
        refs.iter().filter(|r| r.contains("EEEEEEEE")).count(),
        1,
        "{refs:?}"
    );
}

#[tokio::test]
async fn a_hanging_receiver_never_delays_another_applications_delivery() {
    let p = spawn().await;
    let (stuck, healthy) = (receiver(vec![HANG, HANG, HANG]), receiver(vec![]));
    let slow = p.app(&stuck.url, false).await;
    let fine = p.app(&healthy.url, false).await;
    // Same partition key order: the stuck one first.
    let blocked = p
        .publish(&slow, &stuck.url, "TXN-1741082580-HANGING1")
        .await;
    while stuck.count() == 0 {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let other = p
        .publish(&fine, &healthy.url, "TXN-1741082580-HANGING1")
        .await;
    let (status, attempts, _) = p.settled(&other, Duration::from_secs(5)).await;
    assert_eq!((status.as_str(), attempts), ("DELIVERED", 1));
    // ... while the stuck receiver's first attempt is still waiting for its answer.
    let (status, attempts, _) = p.settled(&blocked, Duration::ZERO).await;
    assert_eq!((status.as_str(), attempts), ("PENDING", 0));
}

#[tokio::test]
async fn a_receiver_hanging_on_many_deliveries_holds_only_its_own_share_of_slots() {
    // Four slots, two per application: ten hanging deliveries would take every slot without
    // the per-application cap.
    let p = spawn_with(|s| {
        s.webhooks.concurrency = 4;
        s.webhooks.per_application_concurrency = 2;
    })
    .await;
    let (stuck, healthy) = (receiver(vec![HANG; 40]), receiver(vec![]));
    let slow = p.app(&stuck.url, false).await;
    let fine = p.app(&healthy.url, false).await;
    for n in 0..10 {
        p.publish(&slow, &stuck.url, &format!("TXN-1741082580-STUCK{n:03}"))
            .await;
    }
    stuck.wait_for(2, Duration::from_secs(10)).await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(
        stuck.count(),
        2,
        "the hanging application holds only its cap"
    );
    // Well inside the 10 s a slot would take to come free from a hanging attempt.
    let other = p
        .publish(&fine, &healthy.url, "TXN-1741082580-HEALTHY1")
        .await;
    let (status, attempts, _) = p.settled(&other, Duration::from_secs(5)).await;
    assert_eq!((status.as_str(), attempts), ("DELIVERED", 1));
}

#[tokio::test]
async fn a_rotated_secret_signs_the_next_delivery() {
    let p = spawn().await;
    let hook = receiver(vec![]);
    let app = p.app(&hook.url, false).await;
    let rotated: serde_json::Value = p
        .http
        .post(format!(
            "{}/v1/applications/webhook-secret/rotate",
            p.identity
        ))
        .bearer_auth(&app.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let new_secret = rotated["data"]["webhookSecret"].as_str().unwrap();
    assert_ne!(new_secret, app.webhook_secret);
    let event = p.publish(&app, &hook.url, "TXN-1741082580-ROTATED1").await;
    assert_eq!(
        p.settled(&event, Duration::from_secs(20)).await.0,
        "DELIVERED"
    );
    let r = &hook.all()[0];
    assert_eq!(r.header("X-IDaaS-Signature"), expected_v0(new_secret, r));
}

#[tokio::test]
async fn a_restart_between_attempts_neither_loses_the_delivery_nor_repeats_it() {
    let mut p = spawn().await;
    let hook = receiver(vec![500]);
    let app = p.app(&hook.url, false).await;
    let event = p.publish(&app, &hook.url, "TXN-1741082580-RESTART1").await;
    while hook.count() == 0 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // The first attempt failed; the second is due in about a second. Restart meanwhile.
    p.restart_dispatcher().await;
    let (status, attempts, _) = p.settled(&event, Duration::from_secs(20)).await;
    assert_eq!((status.as_str(), attempts), ("DELIVERED", 2));
    assert_eq!(
        hook.count(),
        2,
        "one failed attempt, one delivery, nothing repeated"
    );
    let ids: Vec<String> = hook
        .all()
        .iter()
        .map(|r| r.header("X-IDaaS-Delivery").to_owned())
        .collect();
    assert_eq!(ids[0], ids[1]);
}

#[tokio::test]
async fn an_operator_redrives_dead_letters_once() {
    use webhook_dispatcher::ops::{redrive, Redrive};
    let p = spawn().await;
    let hook = receiver(vec![500, 500, 500]);
    let app = p.app(&hook.url, false).await;
    let other = p.app(&hook.url, false).await;
    let event = p.publish(&app, &hook.url, "TXN-1741082580-REDRIVE1").await;
    assert_eq!(p.settled(&event, Duration::from_secs(20)).await.0, "FAILED");

    let ask = |application| Redrive {
        since: None,
        application: Some(application),
        by: "test-operator".into(),
    };
    let quiet = Duration::from_secs(3);
    // Another application's filter matches nothing.
    let none = redrive(
        &p.dispatcher_settings,
        &ask(uuid::Uuid::parse_str(&other.id).unwrap()),
        quiet,
    )
    .await
    .unwrap();
    assert_eq!(none.queued, 0);
    let app_id = uuid::Uuid::parse_str(&app.id).unwrap();
    let done = redrive(&p.dispatcher_settings, &ask(app_id), quiet)
        .await
        .unwrap();
    assert_eq!((done.matched, done.queued), (1, 1));
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while hook.count() < 4 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (status, attempts, _) = p.settled(&event, Duration::from_secs(5)).await;
    assert_eq!((status.as_str(), attempts), ("DELIVERED", 4));
    // Idempotent: the same re-drive again queues nothing.
    let again = redrive(&p.dispatcher_settings, &ask(app_id), quiet)
        .await
        .unwrap();
    assert_eq!((again.matched, again.queued), (1, 0));
    assert_eq!(hook.count(), 4);
}
