use std::{sync::Arc, time::Duration};

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use diesel::{sql_types::BigInt, QueryableByName};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use idaas_auth::{ServiceSigner, TokenIssuer};
use idaas_crypto::keys::EcKeyPair;
use idaas_kafka::Topics;
use idaas_testkit::{test_settings, ManualClock, TestDb, TestKeys};
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

pub fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// The ledger and settlement in-process, each on its own manual clock, with a stand-in
/// identity serving the JWKS (tenant tokens) and application names.
pub struct Platform {
    pub ledger: String,
    pub settlement: String,
    pub http: reqwest::Client,
    pub issuer: TokenIssuer,
    /// When each posting happens.
    pub ledger_clock: Arc<ManualClock>,
    /// When settlement thinks it is.
    pub clock: Arc<ManualClock>,
    pub settlement_settings: idaas_config::Settings,
    pub settlement_db: TestDb,
    pub topics: Topics,
    signer: ServiceSigner,
    _ledger_db: TestDb,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

pub async fn spawn(settlement_starts_at: &str) -> Platform {
    let signing = EcKeyPair::generate();
    let public = signing.public_key();
    let identity = idaas_testkit::stand_in(move |cfg| {
        idaas_testkit::jwks(cfg, &[public]);
        cfg.route(
            "/v1/applications/{id}",
            web::get().to(|id: web::Path<String>| async move {
                HttpResponse::Ok().json(json!({"data": {"name": format!("App {}", &id[..8])}}))
            }),
        );
    });
    let keys = TestKeys::generate();
    let prefix = format!("s{}.", &Uuid::new_v4().simple().to_string()[..12]);
    let topics = Topics::new(prefix.clone());
    let (ledger_db, settlement_db) = (TestDb::create().await, TestDb::create().await);
    let jwks = format!("{identity}/.well-known/jwks.json");

    let mut l = test_settings("ledger", &ledger_db.name, &prefix, &keys);
    let signer = idaas_service::signer("transaction", &l).unwrap();
    l.auth.jwks_url = jwks.clone();
    if let Some(id) = l.services.get_mut("identity") {
        id.url = identity.clone();
    }
    idaas_testkit::clear_revocations().await;
    let ledger_clock = Arc::new(ManualClock::starting_at(at(settlement_starts_at)));
    let ledger = idaas_testkit::serve(
        {
            let clock = ledger_clock.clone();
            move |s| ledger::build_with_clock(s, clock)
        },
        l,
    )
    .await
    .base;

    let mut s = test_settings("settlement", &settlement_db.name, &prefix, &keys);
    s.auth.jwks_url = jwks;
    if let Some(l) = s.services.get_mut("ledger") {
        l.url = ledger.clone();
    }
    // The daily job runs once at start (for the day before the test's days); the tests run
    // their days by hand, so nothing races them.
    s.settlement.poll_seconds = 3600;
    let clock = Arc::new(ManualClock::starting_at(at(settlement_starts_at)));
    let settlement = serve_settlement(&s, clock.clone()).await;
    Platform {
        ledger,
        settlement,
        http: reqwest::Client::new(),
        issuer: TokenIssuer::new(&signing, "idaas", 3600).unwrap(),
        ledger_clock,
        clock,
        settlement_settings: s,
        settlement_db,
        topics,
        signer,
        _ledger_db: ledger_db,
    }
}

/// A settlement replica on `settings`' database and `clock`.
pub async fn serve_settlement(
    settings: &idaas_config::Settings,
    clock: Arc<ManualClock>,
) -> String {
    idaas_testkit::serve(
        move |s| settlement::build_with_clock(s, clock),
        settings.clone(),
    )
    .await
    .base
}

pub fn party(app: Uuid) -> Value {
    json!({"applicationId": app, "applicationName": format!("App {}", &app.to_string()[..8]), "tag": format!("t@{}", &app.to_string()[..8])})
}

impl Platform {
    pub fn token(&self, app: Uuid) -> String {
        self.issuer
            .issue(app, "app", false)
            .unwrap()
            .token
            .expose()
            .clone()
    }

    /// A payment posted to the ledger at `when` (the ledger's clock).
    pub async fn pay(
        &self,
        when: &str,
        from: Uuid,
        to: Uuid,
        amount: &str,
        currency: &str,
    ) -> String {
        self.ledger_clock.set(at(when));
        let reference = format!("TXN-{}", &Uuid::new_v4().simple().to_string()[..16]);
        let body = json!({
            "reference": reference, "amount": amount, "currency": currency,
            "sender": party(from), "receiver": party(to),
        })
        .to_string();
        let resp =
            idaas_testkit::post_to_ledger(&self.http, &self.signer, &self.ledger, body).await;
        assert_eq!(
            resp.status(),
            StatusCode::CREATED,
            "{}",
            resp.text().await.unwrap()
        );
        reference
    }

    pub async fn db(&self) -> AsyncPgConnection {
        AsyncPgConnection::establish(&self.settlement_db.url())
            .await
            .unwrap()
    }

    pub async fn count(&self, sql: &str) -> i64 {
        let mut c = self.db().await;
        diesel::sql_query(sql)
            .get_result::<Count>(&mut c)
            .await
            .unwrap()
            .n
    }

    /// Waits until settlement has recorded `n` ledger entries (two per posting).
    pub async fn recorded(&self, n: i64) {
        for _ in 0..300 {
            if self.count("SELECT COUNT(*) AS n FROM posted_entries").await >= n {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("settlement did not record {n} entries within 15 s");
    }

    pub async fn get(&self, path: &str, app: Uuid) -> (StatusCode, Value) {
        let resp = self
            .http
            .get(format!("{}{path}", self.settlement))
            .bearer_auth(self.token(app))
            .send()
            .await
            .unwrap();
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    pub async fn run(&self, date: &str, app: Uuid) -> (StatusCode, Value) {
        self.run_on(&self.settlement, &format!("date={date}"), app)
            .await
    }

    pub async fn run_on(&self, base: &str, query: &str, app: Uuid) -> (StatusCode, Value) {
        let resp = self
            .http
            .post(format!("{base}/v1/settlement/run?{query}"))
            .bearer_auth(self.token(app))
            .send()
            .await
            .unwrap();
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    }
}
