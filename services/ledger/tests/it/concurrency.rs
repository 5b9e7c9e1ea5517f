//! Races: the same posting fifty times at once, and many postings over few wallets.

use crate::common::spawn;
use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

#[tokio::test]
async fn fifty_concurrent_identical_postings_move_money_once() {
    let l = spawn().await;
    let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
    let results = join_all((0..50).map(|_| l.post("TXN-RACE-1", a, b, json!(7), "NGN"))).await;
    let created = results
        .iter()
        .filter(|r| r.0 == StatusCode::CREATED)
        .count();
    let replayed = results
        .iter()
        .filter(|r| r.0 == StatusCode::OK && r.2)
        .count();
    assert_eq!(
        created,
        1,
        "{:?}",
        results.iter().map(|r| r.0).collect::<Vec<_>>()
    );
    assert_eq!(replayed, 49);
    let w = l.raw("/v1/wallet", b).await;
    assert!(w.contains(r#""balance":7.0000"#), "{w}");
    l.assert_invariants().await;
}

#[tokio::test]
async fn concurrent_postings_over_shared_wallets_keep_every_invariant() {
    let l = spawn().await;
    let apps: Vec<Uuid> = (0..4).map(|_| Uuid::new_v4()).collect();
    let mut jobs = Vec::new();
    for i in 0..200usize {
        let from = apps[i % 4];
        let to = apps[(i * 7 + 1) % 4];
        // Opposite directions on the same pair run at once: the classic deadlock shape.
        let amount = json!(format!("{}.{:04}", i % 97 + 1, i));
        let currency = if i % 5 == 0 { "USD" } else { "NGN" };
        jobs.push((format!("TXN-LOAD-{i}"), from, to, amount, currency));
    }
    for chunk in jobs.chunks(25) {
        let results = join_all(
            chunk
                .iter()
                .map(|(r, f, t, a, c)| l.post(r, *f, *t, a.clone(), c)),
        )
        .await;
        for (status, v, _) in results {
            assert_eq!(status, StatusCode::CREATED, "{v}");
        }
    }
    l.assert_invariants().await;
}
