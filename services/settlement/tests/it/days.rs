//! Which day a posting settles in, what each application sees, and a day run once.

use reqwest::StatusCode;
use serde_json::Value;
use uuid::Uuid;

use crate::common::{at, serve_settlement, spawn};

fn money(v: &Value) -> String {
    format!("{:.4}", v.as_f64().unwrap_or(f64::NAN))
}

#[tokio::test]
async fn payments_on_either_side_of_the_cut_off_settle_in_their_own_day() {
    let p = spawn("2024-05-10T12:00:00Z").await;
    let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
    p.pay("2024-05-10T09:00:00Z", a, b, "100.00", "NGN").await;
    p.pay("2024-05-10T23:58:59Z", b, a, "30.00", "NGN").await;
    // After the 23:59 cut-off: the next day's.
    p.pay("2024-05-10T23:59:30Z", a, b, "5.00", "NGN").await;
    p.recorded(6).await;

    // Not before its window has closed (23:59 + the 60 s grace).
    p.clock.set(at("2024-05-10T23:59:59Z"));
    let (s, v) = p.run("2024-05-10", a).await;
    assert_eq!(
        (s, v["errorCode"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("IDAAS-STATE-5011")),
        "{v}"
    );
    assert!(
        v["message"]
            .as_str()
            .unwrap_or_default()
            .contains("2024-05-11T00:00:00Z"),
        "{v}"
    );

    p.clock.set(at("2024-05-11T00:00:30Z"));
    let (s, v) = p.run("2024-05-10", a).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let batch = &v["data"];
    assert_eq!(batch["status"], "COMPLETED", "{v}");
    assert_eq!(batch["settlementDate"], "2024-05-10");
    assert_eq!(batch["currency"], "NGN");
    assert_eq!(batch["transactionCount"], 2);
    assert_eq!(batch["applicationCount"], 2);
    assert_eq!(money(&batch["totalCredited"]), "130.0000");
    assert_eq!(money(&batch["totalDebited"]), "130.0000");
    assert_eq!(batch["windowStart"], "2024-05-09T23:59:00Z");
    assert_eq!(batch["windowEnd"], "2024-05-10T23:59:00Z");
    // The caller's own entry, and only it.
    let entries = batch["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{v}");
    let mine = &entries[0];
    assert_eq!(mine["applicationId"], a.to_string());
    assert_eq!(money(&mine["totalCredited"]), "30.0000");
    assert_eq!(money(&mine["totalDebited"]), "100.0000");
    assert_eq!(money(&mine["netAmount"]), "-70.0000");
    assert_eq!(money(&mine["openingBalance"]), "0.0000");
    assert_eq!(money(&mine["closingBalance"]), "-70.0000");
    assert_eq!(mine["transactionCount"], 2);

    // Idempotent: the same batch, unchanged.
    let (s, again) = p.run("2024-05-10", a).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(again["data"]["id"], batch["id"]);
    assert_eq!(again["data"]["completedAt"], batch["completedAt"]);

    // The next day starts where this one closed.
    p.clock.set(at("2024-05-12T00:01:00Z"));
    let (s, v) = p.run("2024-05-11", a).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["data"]["transactionCount"], 1, "{v}");
    let mine = &v["data"]["entries"][0];
    assert_eq!(money(&mine["openingBalance"]), "-70.0000");
    assert_eq!(money(&mine["closingBalance"]), "-75.0000");

    // The operator's view: every entry, nets summing to zero.
    let shown = settlement::ops::run_with(
        &p.settlement_settings,
        &settlement::ops::Command::parse(&["show".into(), "--date".into(), "2024-05-10".into()])
            .unwrap(),
    )
    .await
    .unwrap();
    let entries = shown[0]["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    let net: f64 = entries
        .iter()
        .map(|e| e["netAmount"].as_f64().unwrap())
        .sum();
    assert_eq!(net, 0.0);

    // Published once, keyed by date and currency.
    assert_eq!(
        p.count("SELECT COUNT(*) AS n FROM outbox WHERE event_type = 'SettlementCompleted' AND message_key = '2024-05-10:NGN'")
            .await,
        1
    );
}

#[tokio::test]
async fn bad_dates_and_unknown_batches_are_clear_errors() {
    let p = spawn("2024-05-10T12:00:00Z").await;
    let app = Uuid::new_v4();
    for bad in [
        "2024-5-10",
        "2024-02-30",
        "yesterday",
        "2024-05-10T00:00:00Z",
        "%00",
    ] {
        let (s, v) = p.run(bad, app).await;
        assert_eq!(
            (s, v["errorCode"].as_str()),
            (StatusCode::BAD_REQUEST, Some("IDAAS-VALID-2001")),
            "{bad}: {v}"
        );
        let (s, v) = p.get(&format!("/v1/settlement/date/{bad}"), app).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}: {v}");
    }
    let (s, v) = p.run_on(&p.settlement, "", app).await;
    assert_eq!(
        (s, v["errorCode"].as_str()),
        (StatusCode::BAD_REQUEST, Some("IDAAS-VALID-2001"))
    );
    let (s, v) = p
        .run_on(&p.settlement, "date=2024-05-09&currency=NAIRA", app)
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    // A day far in the future is still open, whatever it holds.
    let (s, _) = p.run("2999-01-01", app).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    for path in [
        format!("/v1/settlement/{}", Uuid::new_v4()),
        "/v1/settlement/not-a-uuid".to_owned(),
        "/v1/settlement/date/2024-05-01".to_owned(),
    ] {
        let (s, v) = p.get(&path, app).await;
        assert_eq!(
            (s, v["errorCode"].as_str()),
            (StatusCode::NOT_FOUND, Some("IDAAS-RES-3012")),
            "{path}: {v}"
        );
    }
    // No token, no batch.
    let resp = p
        .http
        .get(format!("{}/v1/settlement", p.settlement))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_tenant_sees_every_batchs_totals_and_only_its_own_entry() {
    let p = spawn("2024-05-10T12:00:00Z").await;
    let (a, b, stranger) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    p.pay("2024-05-10T10:00:00Z", a, b, "12.5", "NGN").await;
    p.recorded(2).await;
    p.clock.set(at("2024-05-11T01:00:00Z"));
    let (s, v) = p.run("2024-05-10", a).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let id = v["data"]["id"].as_str().unwrap().to_owned();

    let (s, v) = p.get(&format!("/v1/settlement/{id}"), stranger).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(money(&v["data"]["totalCredited"]), "12.5000");
    assert_eq!(
        v["data"]["entries"],
        Value::Array(vec![]),
        "another tenant's entry is absent"
    );
    let (_, v) = p.get("/v1/settlement/date/2024-05-10", b).await;
    let entries = v["data"]["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["applicationId"], b.to_string());
    let (s, v) = p.get("/v1/settlement?size=100", stranger).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    for batch in v["data"]["content"].as_array().unwrap() {
        assert_eq!(batch["entries"], Value::Array(vec![]), "{batch}");
    }
}

#[tokio::test]
async fn several_currencies_on_one_day_settle_as_a_batch_each() {
    let p = spawn("2024-05-10T12:00:00Z").await;
    let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
    p.pay("2024-05-10T10:00:00Z", a, b, "10", "NGN").await;
    p.pay("2024-05-10T11:00:00Z", b, a, "3", "USD").await;
    p.pay("2024-05-10T12:00:00Z", b, a, "4", "USD").await;
    p.recorded(6).await;
    p.clock.set(at("2024-05-11T01:00:00Z"));
    let (s, v) = p
        .run_on(&p.settlement, "date=2024-05-10&currency=USD", a)
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["data"]["currency"], "USD");
    assert_eq!(v["data"]["transactionCount"], 2);
    assert_eq!(money(&v["data"]["entries"][0]["netAmount"]), "7.0000");
    let (_, v) = p.get("/v1/settlement/date/2024-05-10", a).await;
    assert_eq!(
        (
            v["data"]["currency"].as_str(),
            v["data"]["transactionCount"].as_i64()
        ),
        (Some("NGN"), Some(1))
    );
    let (_, v) = p
        .get("/v1/settlement/date/2024-05-10?currency=USD", a)
        .await;
    assert_eq!(v["data"]["currency"], "USD", "{v}");
}

#[tokio::test]
async fn two_replicas_racing_for_a_day_settle_it_once() {
    let p = spawn("2024-05-10T12:00:00Z").await;
    let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
    for n in 0..20 {
        p.pay(&format!("2024-05-10T10:{n:02}:00Z"), a, b, "1", "NGN")
            .await;
    }
    p.recorded(40).await;
    p.clock.set(at("2024-05-11T01:00:00Z"));
    let replica = serve_settlement(&p.settlement_settings, p.clock.clone()).await;
    let (one, two) = tokio::join!(
        p.run_on(&p.settlement, "date=2024-05-10", a),
        p.run_on(&replica, "date=2024-05-10", b),
    );
    assert_eq!(
        (one.0, two.0),
        (StatusCode::OK, StatusCode::OK),
        "{one:?} {two:?}"
    );
    assert_eq!(one.1["data"]["id"], two.1["data"]["id"]);
    // Whoever lost the race answered the batch as it stood; once the winner is done it is
    // COMPLETED, with one event.
    let (_, v) = p.get("/v1/settlement/date/2024-05-10", a).await;
    assert_eq!(v["data"]["status"], "COMPLETED", "{v}");
    assert_eq!(v["data"]["transactionCount"], 20);
    assert_eq!(
        p.count("SELECT COUNT(*) AS n FROM batches WHERE settlement_date = '2024-05-10'")
            .await,
        1
    );
    assert_eq!(
        p.count("SELECT COUNT(*) AS n FROM outbox WHERE event_type = 'SettlementCompleted' AND message_key = '2024-05-10:NGN'")
            .await,
        1
    );
}
