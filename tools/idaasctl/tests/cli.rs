//! idaasctl against the local broker and PostgreSQL: events produced as the services produce
//! them (protobuf, event id and type headers) come out as JSON lines, from a position or a
//! time; the dead-letter list filters; the outbox report counts what waits; a day's settlement
//! runs through the service's own path and reads back, from its database and from the topic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::{path::PathBuf, time::Duration};

use idaas_kafka::{
    headers,
    rdkafka::producer::{FutureProducer, FutureRecord},
};
use idaas_proto::{
    settlement::v1::SettlementCompleted, transaction::v1::TransactionEvent,
    webhook::v1::WebhookDeadLetter, Message,
};
use idaas_testkit::{kafka_brokers, TestDb};
use serde_json::Value;

struct Run {
    ok: bool,
    lines: Vec<Value>,
    stderr: String,
}

/// Runs idaasctl; one that has not finished within a minute is killed and fails the test.
async fn idaasctl(prefix: &str, env: &[(&str, String)], args: &[&str]) -> Run {
    let config = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../config");
    let run = tokio::process::Command::new(env!("CARGO_BIN_EXE_idaasctl"))
        .args(if prefix.is_empty() {
            vec![]
        } else {
            vec!["--prefix", prefix]
        })
        .args(args)
        .env("IDAAS_CONFIG_DIR", config)
        .env("IDAAS_PROFILE", "local")
        .env("IDAAS__KAFKA__BROKERS", kafka_brokers())
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(Duration::from_secs(60), run)
        .await
        .unwrap_or_else(|_| panic!("idaasctl {args:?} still running after 60 s"))
        .expect("idaasctl runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    Run {
        ok: out.status.success(),
        lines: stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

async fn produce(p: &FutureProducer, topic: &str, key: &str, id: &str, kind: &str, body: Vec<u8>) {
    let h = headers::build(id, kind, &Default::default());
    p.send(
        FutureRecord::to(topic).key(key).payload(&body).headers(h),
        Duration::from_secs(10),
    )
    .await
    .unwrap_or_else(|(e, _)| panic!("produce: {e}"));
}

/// A fresh prefix with its topics created, and a producer.
async fn broker() -> (String, idaas_config::KafkaSettings, FutureProducer) {
    let prefix = format!("c{}.", &uuid::Uuid::new_v4().simple().to_string()[..10]);
    let mut kafka = idaas_config::load_from(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../config"),
        "local",
        "webhook-dispatcher",
    )
    .unwrap()
    .kafka;
    kafka.brokers = kafka_brokers();
    kafka.topic_prefix = prefix.clone();
    kafka.partitions = 1;
    let names = idaas_kafka::Topics::new(prefix.clone()).all();
    idaas_kafka::ensure_topics(&kafka, &names).await.unwrap();
    let producer = idaas_kafka::build_producer(&kafka).unwrap();
    (prefix, kafka, producer)
}

#[tokio::test]
async fn tail_prints_each_event_decoded_from_a_position_or_a_time() {
    let (prefix, _, producer) = broker().await;
    let topic = format!("{prefix}transactions");
    for (i, status) in ["AWAITING_ACCEPTANCE", "COMPLETED"].iter().enumerate() {
        let event = TransactionEvent {
            event_id: format!("ev-{i}"),
            transaction_reference: "TXN-1700000000-CTL00001".into(),
            status: (*status).into(),
            amount: "12.5000".into(),
            currency: "NGN".into(),
            ..Default::default()
        };
        let id = format!("ev-{i}");
        produce(
            &producer,
            &topic,
            "TXN-1700000000-CTL00001",
            &id,
            status,
            event.encode_to_vec(),
        )
        .await;
    }

    let all = idaasctl(&prefix, &[], &["tail", "transactions"]).await;
    assert!(all.ok, "{}", all.stderr);
    assert_eq!(all.lines.len(), 2, "{:?}", all.lines);
    let first = &all.lines[0];
    assert_eq!(first["topic"], topic.as_str());
    assert_eq!(first["offset"], 0);
    assert_eq!(first["key"], "TXN-1700000000-CTL00001");
    assert_eq!(first["eventId"], "ev-0");
    assert_eq!(first["eventType"], "AWAITING_ACCEPTANCE");
    assert_eq!(
        first["event"]["transactionReference"],
        "TXN-1700000000-CTL00001"
    );
    assert_eq!(first["event"]["amount"], "12.5000");
    assert_eq!(all.lines[1]["event"]["status"], "COMPLETED");
    assert!(first["timestamp"]
        .as_str()
        .is_some_and(|t| t.starts_with("20")));

    // The full name works too; --limit stops early; the end of the topic has nothing yet.
    let one = idaasctl(&prefix, &[], &["tail", &topic, "--limit", "1"]).await;
    assert_eq!(one.lines.len(), 1, "{}", one.stderr);
    let end = idaasctl(&prefix, &[], &["tail", "transactions", "--from", "end"]).await;
    assert!(
        end.ok && end.lines.is_empty(),
        "{:?} {}",
        end.lines,
        end.stderr
    );
    // From a time: everything since a minute ago, nothing since tomorrow.
    let ago = (chrono::Utc::now() - chrono::Duration::minutes(1)).to_rfc3339();
    let since = idaasctl(&prefix, &[], &["tail", "transactions", "--since", &ago]).await;
    assert_eq!(since.lines.len(), 2, "{}", since.stderr);
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
    let later = idaasctl(
        &prefix,
        &[],
        &["tail", "transactions", "--since", &tomorrow],
    )
    .await;
    assert!(
        later.ok && later.lines.is_empty(),
        "{:?} {}",
        later.lines,
        later.stderr
    );

    // Bytes that are not the topic's contract are shown, not dropped.
    produce(&producer, &topic, "k", "ev-x", "?", vec![0xff, 0xff, 0xff]).await;
    let raw = idaasctl(&prefix, &[], &["tail", "transactions", "--since", &ago]).await;
    assert_eq!(raw.lines.len(), 3, "{}", raw.stderr);
    assert_eq!(raw.lines[2]["undecodable"], "////");

    let wrong = idaasctl(&prefix, &[], &["tail", "payments"]).await;
    assert!(!wrong.ok);
    assert!(wrong.stderr.contains("unknown topic"), "{}", wrong.stderr);
}

#[tokio::test]
async fn dead_letters_list_by_application_and_time() {
    let (prefix, _, producer) = broker().await;
    let topic = format!("{prefix}webhooks.dlt");
    let (a, b) = (uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
    for (app, failed_at) in [
        (a, "2026-11-01T10:00:00Z"),
        (a, "2026-11-20T10:00:00Z"),
        (b, "2026-11-20T11:00:00Z"),
    ] {
        let letter = WebhookDeadLetter {
            event_id: uuid::Uuid::new_v4().to_string(),
            delivery_id: uuid::Uuid::new_v4().to_string(),
            application_id: app.to_string(),
            reason: "HTTP 500".into(),
            failed_at: failed_at.into(),
            ..Default::default()
        };
        let id = letter.event_id.clone();
        produce(
            &producer,
            &topic,
            "TXN",
            &id,
            "WebhookDeadLetter",
            letter.encode_to_vec(),
        )
        .await;
    }
    let all = idaasctl(&prefix, &[], &["dlt", "list"]).await;
    assert!(all.ok, "{}", all.stderr);
    assert_eq!(all.lines.len(), 3);
    assert!(
        all.stderr.contains("3 dead letters matched"),
        "{}",
        all.stderr
    );
    let mine = idaasctl(
        &prefix,
        &[],
        &["dlt", "list", "--application", &a.to_string()],
    )
    .await;
    assert_eq!(mine.lines.len(), 2);
    assert!(mine
        .lines
        .iter()
        .all(|l| l["event"]["applicationId"] == a.to_string().as_str()));
    let recent = idaasctl(
        &prefix,
        &[],
        &[
            "dlt",
            "list",
            "--application",
            &a.to_string(),
            "--since",
            "2026-11-10T00:00:00Z",
        ],
    )
    .await;
    assert_eq!(recent.lines.len(), 1);
    assert_eq!(recent.lines[0]["event"]["failedAt"], "2026-11-20T10:00:00Z");

    // A re-drive needs to know who asks.
    let anonymous = idaasctl(&prefix, &[], &["dlt", "redrive", "--by", " "]).await;
    assert!(!anonymous.ok);
    assert!(anonymous.stderr.contains("--by"), "{}", anonymous.stderr);
}

#[tokio::test]
async fn the_outbox_report_counts_what_waits_and_names_what_it_cannot_read() {
    let db = TestDb::create().await;
    idaas_db::run_migrations(&db.url(), idaas_kafka::OUTBOX_MIGRATIONS)
        .await
        .unwrap();
    let pool = idaas_db::connect(&db.url(), 1, Default::default()).unwrap();
    let mut conn = pool.get().await.unwrap();
    let waiting = idaas_kafka::OutboxMessage::new(
        uuid::Uuid::new_v4(),
        "idaas.transactions",
        "k",
        "COMPLETED",
        vec![1],
    );
    idaas_kafka::insert_outbox(&mut conn, &waiting)
        .await
        .unwrap();

    let env = [
        ("IDAAS__DATABASE__URL", idaas_testkit::postgres_server_url()),
        ("IDAAS__SERVICES__LEDGER__DATABASE", db.name.clone()),
    ];
    let clean = idaasctl("idaas.", &env, &["outbox", "ledger"]).await;
    assert!(clean.ok, "{}", clean.stderr);
    assert_eq!(clean.lines.len(), 1);
    // A service it cannot read: the others are still reported, and the exit says it failed.
    let report = idaasctl("idaas.", &env, &["outbox", "ledger", "nosuch"]).await;
    assert!(!report.ok);
    assert!(report.stderr.contains("1 of 2"), "{}", report.stderr);
    assert_eq!(report.lines.len(), 2, "{:?}", report.lines);
    assert_eq!(report.lines[0]["service"], "ledger");
    assert_eq!(report.lines[0]["unpublished"], 1);
    assert!(report.lines[0]["oldestAgeSeconds"].as_f64().is_some());
    assert_eq!(report.lines[1]["service"], "nosuch");
    assert!(report.lines[1]["error"]
        .as_str()
        .is_some_and(|e| e.contains("nosuch")));
}

#[tokio::test]
async fn settlement_published_prints_only_the_days_reports() {
    let (prefix, _, producer) = broker().await;
    let topic = format!("{prefix}settlements");
    for (date, id) in [("2024-05-10", "st-1"), ("2024-05-11", "st-2")] {
        let event = SettlementCompleted {
            event_id: id.into(),
            settlement_date: date.into(),
            currency: "NGN".into(),
            total_credited: "7.0000".into(),
            ..Default::default()
        };
        let key = format!("{date}:NGN");
        let body = event.encode_to_vec();
        produce(&producer, &topic, &key, id, "SettlementCompleted", body).await;
    }
    let day = idaasctl(
        &prefix,
        &[],
        &["settlement", "published", "--date", "2024-05-10"],
    )
    .await;
    assert!(day.ok, "{}", day.stderr);
    assert_eq!(day.lines.len(), 1, "{:?}", day.lines);
    assert_eq!(day.lines[0]["key"], "2024-05-10:NGN");
    assert_eq!(day.lines[0]["event"]["settlementDate"], "2024-05-10");
    assert_eq!(day.lines[0]["event"]["totalCredited"], "7.0000");
    assert!(
        day.stderr.contains("1 settlement reports"),
        "{}",
        day.stderr
    );

    let bad = idaasctl(
        &prefix,
        &[],
        &["settlement", "published", "--date", "10/05/2024"],
    )
    .await;
    assert!(
        !bad.ok && bad.stderr.contains("YYYY-MM-DD"),
        "{}",
        bad.stderr
    );
}

/// Settlement's settings for idaasctl: a migrated database of its own, its service key, and a
/// ledger at `ledger_url`.
async fn settlement_env(db: &TestDb, ledger_url: &str) -> Vec<(&'static str, String)> {
    const MIGRATIONS: idaas_db::EmbeddedMigrations =
        idaas_db::embed_migrations!("../../migrations/settlement");
    idaas_db::run_migrations(&db.url(), MIGRATIONS)
        .await
        .unwrap();
    let keys = idaas_testkit::TestKeys::generate();
    let signing = keys
        .service_auth_env()
        .into_iter()
        .find(|(k, _)| k == "IDAAS__SERVICE_AUTH__SIGNING_KEYS__SETTLEMENT")
        .map(|(_, v)| v)
        .unwrap();
    vec![
        ("IDAAS__DATABASE__URL", idaas_testkit::postgres_server_url()),
        ("IDAAS__SERVICES__SETTLEMENT__DATABASE", db.name.clone()),
        ("IDAAS__SERVICES__LEDGER__URL", ledger_url.to_owned()),
        ("IDAAS__SERVICE_AUTH__SIGNING_KEYS__SETTLEMENT", signing),
    ]
}

#[tokio::test]
async fn settlement_run_settles_through_the_services_path_and_show_reads_it_back() {
    let db = TestDb::create().await;
    // No ledger answers on port 9: the run records a FAILED batch with its reason, as the
    // service's own run would, and the operator sees it. ("": settlement's own prefix.)
    let env = settlement_env(&db, "http://127.0.0.1:9").await;
    let ctl = |args: &'static [&'static str]| idaasctl("", &env, args);

    let open = ctl(&["settlement", "run", "--date", "2999-01-01", "--by", "ops"]).await;
    assert!(!open.ok, "settled a day that has not closed");
    assert!(open.stderr.contains("2999-01-01"), "{}", open.stderr);

    let unnamed = ctl(&["settlement", "run", "--date", "2024-05-10"]).await;
    assert!(
        !unnamed.ok && unnamed.stderr.contains("--by"),
        "{}",
        unnamed.stderr
    );

    // Its own settings only: another prefix would publish the report where nobody reads.
    let args = ["settlement", "run", "--date", "2024-05-10", "--by", "ops"];
    let elsewhere = idaasctl("other.", &env, &args).await;
    assert!(!elsewhere.ok, "ran with another topic prefix");
    assert!(
        elsewhere.stderr.contains("--prefix"),
        "{}",
        elsewhere.stderr
    );

    let run = ctl(&[
        "settlement",
        "run",
        "--date",
        "2024-05-10",
        "--by",
        "ops-on-call",
    ])
    .await;
    // The FAILED batch is printed, and the exit says the day is not settled.
    assert!(!run.ok, "exit 0 for a day left FAILED");
    assert!(run.stderr.contains("not settled"), "{}", run.stderr);
    assert!(
        run.stderr.contains("ops-on-call"),
        "the run's log names who asked: {}",
        run.stderr
    );
    assert_eq!(run.lines[0]["by"], "ops-on-call");
    let batches = run.lines[0]["batches"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(batches.len(), 1, "{:?}", run.lines);
    assert_eq!(batches[0]["status"], "FAILED", "{:?}", batches[0]);
    assert!(batches[0]["errorMessage"]
        .as_str()
        .is_some_and(|m| m.contains("ledger")));

    let shown = ctl(&["settlement", "show", "--date", "2024-05-10"]).await;
    assert!(shown.ok, "{}", shown.stderr);
    assert_eq!(
        shown.lines[0][0]["id"], batches[0]["id"],
        "{:?}",
        shown.lines
    );
    let none = ctl(&["settlement", "show", "--date", "2024-05-09"]).await;
    assert!(none.ok, "{}", none.stderr);
    assert_eq!(none.lines[0], serde_json::json!([]));
}
