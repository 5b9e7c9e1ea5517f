use actix_web::{web, HttpResponse};
use diesel::{sql_types::BigInt, QueryableByName};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use idaas_auth::{ServiceSigner, TokenIssuer};
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
    /// Signs postings as the transaction service, the one caller the route allows.
    pub signer: ServiceSigner,
}

pub async fn spawn() -> TestLedger {
    let signing = EcKeyPair::generate();
    let public = signing.public_key();
    // Identity, as far as the ledger asks it: the JWKS and application names.
    let identity_url = idaas_testkit::stand_in(move |cfg| {
        idaas_testkit::jwks(cfg, &[public]);
        cfg.route(
            "/v1/applications/{id}",
            web::get().to(|id: web::Path<String>| async move {
                HttpResponse::Ok().json(json!({"data": {"name": format!("App {}", &id[..8])}}))
            }),
        );
    });
    let db = TestDb::create().await;
    let topic_prefix = format!("l{}.", &Uuid::new_v4().simple().to_string()[..12]);
    let keys = TestKeys::generate();
    let mut settings = test_settings("ledger", &db.name, &topic_prefix, &keys);
    let signer = idaas_service::signer("transaction", &settings).unwrap();
    settings.database.pool_size = 16;
    settings.auth.jwks_url = format!("{identity_url}/.well-known/jwks.json");
    if let Some(id) = settings.services.get_mut("identity") {
        id.url = identity_url;
    }
    idaas_testkit::clear_revocations().await;
    let base = idaas_testkit::serve(ledger::build, settings).await.base;
    TestLedger {
        base,
        http: reqwest::Client::new(),
        issuer: TokenIssuer::new(&signing, "idaas", 600).unwrap(),
        db,
        topic_prefix,
        signer,
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
        let body = json!({
            "reference": reference, "amount": amount, "currency": currency,
            "sender": party(from, "alice@walletapp"), "receiver": party(to, "bob@shopapp"),
        })
        .to_string();
        let resp = idaas_testkit::post_to_ledger(&self.http, &self.signer, &self.base, body).await;
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
        let checks = idaas_testkit::LEDGER_INVARIANTS;
        let mut conn = self.conn().await;
        for (name, sql) in checks.iter().copied() {
            let c: Count = diesel::sql_query(sql).get_result(&mut conn).await.unwrap();
            assert_eq!(c.n, 0, "invariant violated: {name}");
        }
    }
}
