use idaas_config::Settings;
use std::sync::Arc;

use idaas_testkit::{test_settings, ManualClock, TestDb, TestKeys};
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

/// identity, ledger and transaction in-process, each with its own database.
pub struct Platform {
    pub identity: String,
    pub ledger: String,
    pub transaction: String,
    pub http: reqwest::Client,
    pub keys: TestKeys,
    pub prefix: String,
    pub tx_db: TestDb,
    /// Every transaction service of this platform runs on it; tests advance it.
    pub clock: Arc<ManualClock>,
    _dbs: Vec<TestDb>,
}

pub struct App {
    pub id: String,
    pub handle: String,
    pub token: String,
}

pub async fn spawn_with(tweak: impl Fn(&mut Settings)) -> Platform {
    let keys = TestKeys::generate();
    let prefix = format!("x{}.", &Uuid::new_v4().simple().to_string()[..12]);
    let (id_db, lg_db, tx_db) = (
        TestDb::create().await,
        TestDb::create().await,
        TestDb::create().await,
    );

    let s = test_settings("identity", &id_db.name, &prefix, &keys);
    let identity = idaas_testkit::serve(identity::build, s).await.base;

    let wire = |s: &mut Settings| {
        s.auth.jwks_url = format!("{identity}/.well-known/jwks.json");
        if let Some(i) = s.services.get_mut("identity") {
            i.url = identity.clone();
        }
    };
    let mut s = test_settings("ledger", &lg_db.name, &prefix, &keys);
    s.database.pool_size = 16;
    wire(&mut s);
    let ledger = idaas_testkit::serve(ledger::build, s).await.base;

    let mut platform = Platform {
        identity: identity.clone(),
        ledger,
        transaction: String::new(),
        http: reqwest::Client::new(),
        keys,
        prefix,
        tx_db,
        clock: Arc::new(ManualClock::default()),
        _dbs: vec![id_db, lg_db],
    };
    platform.transaction = platform.start_transaction(&tweak).await;
    platform
}

pub async fn spawn() -> Platform {
    spawn_with(|_| {}).await
}

impl Platform {
    /// Starts (another) transaction service on the same database.
    pub async fn start_transaction(&self, tweak: &dyn Fn(&mut Settings)) -> String {
        let mut s = test_settings("transaction", &self.tx_db.name, &self.prefix, &self.keys);
        s.database.pool_size = 16;
        s.auth.jwks_url = format!("{}/.well-known/jwks.json", self.identity);
        if let Some(i) = s.services.get_mut("identity") {
            i.url = self.identity.clone();
        }
        if let Some(l) = s.services.get_mut("ledger") {
            l.url = self.ledger.clone();
        }
        tweak(&mut s);
        let clock: Arc<dyn idaas_service::Clock> = self.clock.clone();
        idaas_testkit::serve(|s| transaction::build_with_clock(s, clock), s)
            .await
            .base
    }

    /// Posts straight to the ledger's internal route, signed as the transaction service.
    pub async fn post_to_ledger(&self, body: &Value) -> reqwest::Response {
        let s = test_settings("transaction", &self.tx_db.name, &self.prefix, &self.keys);
        let signer = idaas_service::signer("transaction", &s).unwrap();
        idaas_testkit::post_to_ledger(&self.http, &signer, &self.ledger, body.to_string()).await
    }

    pub async fn call(
        &self,
        method: reqwest::Method,
        url: String,
        token: Option<&str>,
        body: Option<Value>,
        key: Option<&str>,
    ) -> (StatusCode, Value, bool) {
        let mut req = self.http.request(method, url);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        if let Some(k) = key {
            req = req.header("Idempotency-Key", k);
        }
        let resp = req.send().await.unwrap();
        let replayed = resp.headers().get("idempotency-replayed").is_some();
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null), replayed)
    }

    pub async fn app(&self, prefix: &str, tags: &[&str]) -> App {
        self.app_with(prefix, tags, json!({})).await
    }

    /// An application registered with `extra` fields merged into the registration body.
    pub async fn app_with(&self, prefix: &str, tags: &[&str], extra: Value) -> App {
        let handle = format!("{prefix}{}", &Uuid::new_v4().simple().to_string()[..8]);
        let mut body = json!({"name": format!("App {handle}"), "appHandle": handle, "transactionWebhookUrl": "https://example.com/hook"});
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            b.extend(e.clone());
        }
        let (s, reg, _) = self
            .call(
                reqwest::Method::POST,
                format!("{}/v1/applications", self.identity),
                None,
                Some(body),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{reg}");
        let (s, tok, _) = self
            .call(reqwest::Method::POST, format!("{}/v1/auth/token", self.identity), None,
                Some(json!({"client_id": reg["data"]["clientId"], "client_secret": reg["data"]["clientSecret"]})), None)
            .await;
        assert_eq!(s, StatusCode::OK);
        let token = tok["data"]["token"].as_str().unwrap().to_owned();
        let (_, subj, _) = self
            .call(
                reqwest::Method::POST,
                format!("{}/v1/subjects", self.identity),
                Some(&token),
                Some(json!({"externalId": "u1", "displayName": "User"})),
                None,
            )
            .await;
        let subject = subj["data"]["id"].as_str().unwrap().to_owned();
        for t in tags {
            let (s, v, _) = self
                .call(
                    reqwest::Method::POST,
                    format!("{}/v1/tags", self.identity),
                    Some(&token),
                    Some(json!({"tag": t, "subjectId": subject})),
                    None,
                )
                .await;
            assert_eq!(s, StatusCode::CREATED, "{v}");
        }
        App {
            id: reg["data"]["id"].as_str().unwrap().to_owned(),
            handle,
            token,
        }
    }

    pub async fn initiate(
        &self,
        from: &App,
        body: Value,
        key: Option<&str>,
    ) -> (StatusCode, Value, bool) {
        self.call(
            reqwest::Method::POST,
            format!("{}/v1/transactions", self.transaction),
            Some(&from.token),
            Some(body),
            key,
        )
        .await
    }

    pub async fn act(
        &self,
        who: &App,
        reference: &str,
        action: &str,
        body: Option<Value>,
        key: Option<&str>,
    ) -> (StatusCode, Value, bool) {
        self.call(
            reqwest::Method::POST,
            format!("{}/v1/transactions/{reference}/{action}", self.transaction),
            Some(&who.token),
            body,
            key,
        )
        .await
    }

    pub async fn get(&self, who: &App, path: &str) -> (StatusCode, Value) {
        let (s, v, _) = self
            .call(
                reqwest::Method::GET,
                format!("{}{path}", self.transaction),
                Some(&who.token),
                None,
                None,
            )
            .await;
        (s, v)
    }

    /// The wallet as raw JSON text (four-decimal numbers survive only there).
    pub async fn wallet(&self, who: &App) -> String {
        self.http
            .get(format!("{}/v1/wallet", self.ledger))
            .bearer_auth(&who.token)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }
}

pub fn unique(prefix: &str) -> String {
    format!("{prefix}{}", &Uuid::new_v4().simple().to_string()[..8])
}
