#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

use actix_web::{web, App, HttpResponse, HttpServer};
use diesel::{sql_types::BigInt, QueryableByName};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use idaas_auth::{jwks_document, Revocations, TokenIssuer};
use idaas_crypto::keys::EcKeyPair;
use idaas_testkit::{test_settings, TestDb, TestKeys};
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

/// The ledger in-process, with a stand-in identity serving the JWKS and application names.
pub struct TestLedger {
    pub base: String,
    pub http: reqwest::Client,
    pub issuer: TokenIssuer,
    pub db: TestDb,
    pub topic_prefix: String,
}

pub async fn spawn() -> TestLedger {
    let signing = EcKeyPair::generate();
    let jwks = jwks_document(&[signing.public_key()]);
    let identity = HttpServer::new(move || {
        let jwks = jwks.clone();
        App::new()
            .route(
                "/.well-known/jwks.json",
                web::get().to(move || {
                    let jwks = jwks.clone();
                    async move { HttpResponse::Ok().json(jwks) }
                }),
            )
            .route(
                "/v1/applications/{id}",
                web::get().to(|id: web::Path<String>| async move {
                    HttpResponse::Ok().json(json!({"data": {"name": format!("App {}", &id[..8])}}))
                }),
            )
    })
    .bind("127.0.0.1:0")
    .unwrap();
    let identity_url = format!("http://{}", identity.addrs()[0]);
    tokio::spawn(identity.run());

    if let Ok(guard) = idaas_telemetry::init(
        "ledger-test",
        &idaas_config::load_from(
            &std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../config"),
            "local",
            "ledger",
        )
        .unwrap()
        .telemetry,
    ) {
        std::mem::forget(guard);
    }
    let db = TestDb::create().await;
    let topic_prefix = format!("l{}.", &Uuid::new_v4().simple().to_string()[..12]);
    let mut settings = test_settings("ledger", &db.name, &topic_prefix, &TestKeys::generate());
    settings.database.pool_size = 16;
    settings.auth.jwks_url = format!("{identity_url}/.well-known/jwks.json");
    if let Some(id) = settings.services.get_mut("identity") {
        id.url = identity_url;
    }
    Revocations::connect(&idaas_testkit::redis_url())
        .await
        .unwrap()
        .sync(&[])
        .await
        .unwrap();
    let running = ledger::build(settings).await.expect("ledger starts");
    let base = format!("http://127.0.0.1:{}", running.port);
    tokio::spawn(running.server);
    TestLedger {
        base,
        http: reqwest::Client::new(),
        issuer: TokenIssuer::new(&signing, "idaas", 600).unwrap(),
        db,
        topic_prefix,
    }
}

pub fn party(app: Uuid, tag: &str) -> Value {
    json!({"applicationId": app, "applicationName": format!("App {}", &app.to_string()[..8]), "tag": tag})
}

impl TestLedger {
    pub fn token(&self, app: Uuid) -> String {
        self.issuer
            .issue(app, "app", false)
            .unwrap()
            .token
            .expose()
            .clone()
    }

    pub async fn post(
        &self,
        reference: &str,
        from: Uuid,
        to: Uuid,
        amount: Value,
        currency: &str,
    ) -> (StatusCode, Value, bool) {
        let resp = self
            .http
            .post(format!("{}/internal/v1/postings", self.base))
            .json(&json!({
                "reference": reference, "amount": amount, "currency": currency,
                "sender": party(from, "alice@walletapp"), "receiver": party(to, "bob@shopapp"),
            }))
            .send()
            .await
            .unwrap();
        let replayed = resp.headers().get("idempotency-replayed").is_some();
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null), replayed)
    }

    /// The body as text: JSON numbers keep their four decimals only there.
    pub async fn raw(&self, path: &str, app: Uuid) -> String {
        self.http
            .get(format!("{}{path}", self.base))
            .bearer_auth(self.token(app))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    pub async fn get(&self, path: &str, app: Uuid) -> (StatusCode, Value) {
        let resp = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(self.token(app))
            .send()
            .await
            .unwrap();
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    pub async fn conn(&self) -> AsyncPgConnection {
        let url = format!("{}/{}", idaas_testkit::postgres_server_url(), self.db.name);
        AsyncPgConnection::establish(&url).await.unwrap()
    }

    /// TigerBeetle-style invariants, each as a count of violations that must be zero.
    pub async fn assert_invariants(&self) {
        #[derive(QueryableByName)]
        struct Count {
            #[diesel(sql_type = BigInt)]
            n: i64,
        }
        let checks = [
            ("Σ balances per currency = 0",
             "SELECT count(*) AS n FROM (SELECT currency FROM wallets GROUP BY currency HAVING sum(balance) <> 0) x"),
            ("balance = credited − debited",
             "SELECT count(*) AS n FROM wallets WHERE balance <> total_credited - total_debited"),
            ("every posting has exactly one DEBIT and one CREDIT",
             "SELECT count(*) AS n FROM postings p WHERE (SELECT count(*) FROM ledger_entries e WHERE e.posting_id = p.id) <> 2
                 OR NOT EXISTS (SELECT 1 FROM ledger_entries e WHERE e.posting_id = p.id AND e.entry_type = 'DEBIT' AND e.wallet_id = p.sender_wallet_id)
                 OR NOT EXISTS (SELECT 1 FROM ledger_entries e WHERE e.posting_id = p.id AND e.entry_type = 'CREDIT' AND e.wallet_id = p.receiver_wallet_id)"),
            ("opening balance = previous closing balance",
             "SELECT count(*) AS n FROM (SELECT opening_balance, lag(closing_balance, 1, 0::numeric) OVER (PARTITION BY wallet_id ORDER BY sequence) AS prev FROM ledger_entries) x WHERE opening_balance <> prev"),
            ("sequences are 1..n without gaps",
             "SELECT count(*) AS n FROM wallets w WHERE w.entry_count <> (SELECT count(*) FROM ledger_entries e WHERE e.wallet_id = w.id)
                 OR w.entry_count <> COALESCE((SELECT max(sequence) FROM ledger_entries e WHERE e.wallet_id = w.id), 0)"),
            ("wallet balance = last closing balance",
             "SELECT count(*) AS n FROM wallets w WHERE w.entry_count > 0 AND w.balance <> (SELECT closing_balance FROM ledger_entries e WHERE e.wallet_id = w.id ORDER BY sequence DESC LIMIT 1)"),
        ];
        let mut conn = self.conn().await;
        for (name, sql) in checks {
            let c: Count = diesel::sql_query(sql).get_result(&mut conn).await.unwrap();
            assert_eq!(c.n, 0, "invariant violated: {name}");
        }
    }
}
