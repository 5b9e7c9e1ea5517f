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

#[tokio::test]
async fn a_bad_posting_in_a_batch_fails_alone_and_its_neighbours_commit() {
    let l = spawn().await;
    let apps: Vec<Uuid> = (0..6).map(|_| Uuid::new_v4()).collect();
    let (status, v, _) = l
        .post("TXN-TAKEN", apps[0], apps[1], json!("5"), "NGN")
        .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    // Arriving together, these share batches: the taken reference with other fields (refused),
    // the same with its own fields (a replay), and ordinary postings around them.
    let mut jobs: Vec<(String, Uuid, Uuid, serde_json::Value)> = (0..60usize)
        .map(|i| {
            (
                format!("TXN-NEIGHBOUR-{i}"),
                apps[i % 6],
                apps[(i + 1) % 6],
                json!("1.5000"),
            )
        })
        .collect();
    jobs.insert(20, ("TXN-TAKEN".into(), apps[0], apps[1], json!("6")));
    jobs.insert(40, ("TXN-TAKEN".into(), apps[0], apps[1], json!("5")));
    let results = join_all(
        jobs.iter()
            .map(|(r, f, t, a)| l.post(r, *f, *t, a.clone(), "NGN")),
    )
    .await;
    for ((reference, _, _, amount), (status, v, replayed)) in jobs.iter().zip(&results) {
        match (reference.as_str(), amount.as_str()) {
            ("TXN-TAKEN", Some("6")) => {
                assert_eq!(*status, StatusCode::CONFLICT, "{v}");
                assert_eq!(v["errorCode"], "IDAAS-CONF-4008");
            }
            ("TXN-TAKEN", _) => assert!(*status == StatusCode::OK && *replayed, "{v}"),
            _ => assert_eq!(*status, StatusCode::CREATED, "{reference}: {v}"),
        }
    }
    // 5 once, and 60 × 1.5 around a ring of six wallets: each nets to zero but the first pair.
    let w = l.raw("/v1/wallet", apps[1]).await;
    assert!(w.contains(r#""balance":5.0000"#), "{w}");
    l.assert_invariants().await;
}

#[tokio::test]
async fn one_hot_pair_both_ways_at_once_never_deadlocks_and_stays_exact() {
    let l = spawn().await;
    let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
    let ledger = &l;
    let results = join_all((0..120usize).map(|i| {
        let (from, to) = if i % 2 == 0 { (a, b) } else { (b, a) };
        let reference = format!("TXN-HOT-{i}");
        let amount = json!(format!("{}.0001", i % 7 + 1));
        async move { l_post(ledger, reference, from, to, amount).await }
    }))
    .await;
    for (status, v) in results {
        assert_eq!(status, StatusCode::CREATED, "{v}");
    }
    l.assert_invariants().await;
}

async fn l_post(
    l: &crate::common::TestLedger,
    reference: String,
    from: Uuid,
    to: Uuid,
    amount: serde_json::Value,
) -> (StatusCode, serde_json::Value) {
    let (s, v, _) = l.post(&reference, from, to, amount, "NGN").await;
    (s, v)
}
