//! Webhooks when things go wrong, end to end with the service processes: a dispatcher outside
//! the local profile refuses targets on internal networks, and a dispatcher killed (SIGKILL)
//! in the middle of an attempt delivers after its restart, once.

use std::{
    net::TcpListener,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use e2e::{Platform, PlatformOptions};
use idaas_testkit::{receiver, HANG};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::webhooks::{app, verify, App};

/// Pays `to` from `from` and returns the reference.
async fn pay(p: &Platform, from: &App, to: &App) -> String {
    let (s, v) = p
        .send(
            p.http
                .post(p.api("/v1/transactions"))
                .bearer_auth(&from.token)
                .json(&json!({"senderTag": from.tag, "receiverTag": to.tag, "amount": "3.00"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v["data"]["reference"].as_str().unwrap().to_owned()
}

/// The receiver's record of a payment once it is no longer PENDING (or after `within`).
async fn settled_record(p: &Platform, who: &App, reference: &str, within: Duration) -> Value {
    let path = format!("/v1/transactions/{reference}/webhooks/receiver");
    let deadline = Instant::now() + within;
    loop {
        let (s, v) = p
            .send(p.http.get(p.api(&path)).bearer_auth(&who.token))
            .await;
        if s == StatusCode::OK {
            if let Some(r) = v["data"].as_array().and_then(|a| a.first()) {
                if r["status"] != "PENDING" {
                    return r.clone();
                }
            }
        }
        assert!(
            Instant::now() < deadline,
            "no settled record within {within:?}: {s} {v}\n{}",
            p.logs()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A TCP listener that counts the connections made to it and answers none.
fn listener() -> (u16, Arc<AtomicUsize>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let accepted = Arc::new(AtomicUsize::new(0));
    let a = accepted.clone();
    std::thread::spawn(move || {
        for conn in l.incoming() {
            a.fetch_add(1, Ordering::SeqCst);
            drop(conn);
        }
    });
    (port, accepted)
}

#[tokio::test]
async fn outside_the_local_profile_internal_targets_are_refused_never_connected() {
    // Identity (local) accepts these URLs at registration; the dispatcher, in the production
    // profile, is the one that must refuse to reach them at delivery time.
    let p = Platform::start_with(PlatformOptions {
        service_env: vec![(
            "webhook-dispatcher",
            "IDAAS_PROFILE".into(),
            "production".into(),
        )],
        ..Default::default()
    })
    .await;
    let (_, key) = p.send(p.http.get(p.api("/v1/keys/idaas"))).await;
    let platform_jwk = key["data"]["jwk"].clone();
    let (port, accepted) = listener();
    let sender = app(&p, "https://sender.example.com/hook", false, &platform_jwk).await;
    let targets = [
        (format!("https://127.0.0.1:{port}/hook"), "loopback"),
        (format!("https://localhost:{port}/hook"), "loopback by name"),
        (
            "https://169.254.169.254/latest/meta-data/".into(),
            "cloud metadata",
        ),
        ("https://10.20.30.40/hook".into(), "private network"),
        (format!("http://127.0.0.1:{port}/hook"), "plain http"),
    ];
    let mut payments = Vec::new();
    for (url, what) in &targets {
        let receiver = app(&p, url, false, &platform_jwk).await;
        let reference = pay(&p, &sender, &receiver).await;
        payments.push((receiver, reference, *what));
    }
    for (receiver, reference, what) in &payments {
        let r = settled_record(&p, receiver, reference, Duration::from_secs(30)).await;
        assert_eq!(r["status"], "FAILED", "{what}: {r}");
        let error = r["lastError"].as_str().unwrap_or_default();
        assert!(error.starts_with("target refused"), "{what}: {r}");
        // And it is listed among the application's failed deliveries.
        let (s, v) = p
            .send(
                p.http
                    .get(p.api("/v1/webhooks/failed"))
                    .bearer_auth(&receiver.token),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(
            v["data"]["content"][0]["transactionReference"],
            reference.as_str(),
            "{v}"
        );
    }
    assert_eq!(
        accepted.load(Ordering::SeqCst),
        0,
        "the dispatcher connected to a refused target"
    );
}

#[tokio::test]
async fn a_dispatcher_killed_mid_attempt_delivers_after_restart_once() {
    let mut p = Platform::start_with(PlatformOptions {
        service_env: vec![(
            "webhook-dispatcher",
            "IDAAS__WEBHOOKS__ATTEMPT_TIMEOUT_MS".into(),
            "2000".into(),
        )],
        ..Default::default()
    })
    .await;
    let (_, key) = p.send(p.http.get(p.api("/v1/keys/idaas"))).await;
    let platform_jwk = key["data"]["jwk"].clone();
    // First attempt fails, the second hangs (the dispatcher dies while it waits), then 200.
    let hook = receiver(vec![500, HANG]);
    let sender = app(&p, "https://sender.example.com/hook", false, &platform_jwk).await;
    let payee = app(&p, &hook.url, false, &platform_jwk).await;
    let reference = pay(&p, &sender, &payee).await;

    hook.wait_for(2, Duration::from_secs(30)).await;
    p.kill("webhook-dispatcher");
    p.restart("webhook-dispatcher").await;

    // The lost attempt's lease runs out (timeout + margin) and the delivery is made again.
    let r = settled_record(&p, &payee, &reference, Duration::from_secs(60)).await;
    assert_eq!(r["status"], "DELIVERED", "{r}");
    // The attempt in flight at the kill has no outcome to record: two are on the record.
    assert_eq!(r["attempts"], 2, "{r}");
    tokio::time::sleep(Duration::from_secs(2)).await;
    let seen = hook.all();
    assert_eq!(seen.len(), 3, "delivered once, then nothing more");
    let id = seen[0].header("X-IDaaS-Delivery");
    assert!(!id.is_empty());
    for got in &seen {
        assert_eq!(got.header("X-IDaaS-Delivery"), id, "one delivery id");
        verify(&payee.secret, got);
    }
}
