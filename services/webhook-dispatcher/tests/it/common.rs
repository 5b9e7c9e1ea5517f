use std::time::{Duration, Instant};

use diesel_async::{AsyncConnection, AsyncPgConnection};
use idaas_kafka::{
    rdkafka::producer::{FutureProducer, FutureRecord},
    Topics,
};
use idaas_proto::{transaction::v1::WebhookDispatch, Message};
use idaas_testkit::{test_settings, TestDb, TestKeys};
use serde_json::{json, Value};

pub use idaas_testkit::{receiver, Received, HANG};

pub struct Platform {
    pub identity: String,
    pub dispatcher: String,
    pub dispatcher_settings: idaas_config::Settings,
    dispatcher_workers: idaas_service::Supervisor,
    pub http: reqwest::Client,
    pub topics: Topics,
    pub kafka: idaas_config::KafkaSettings,
    pub dispatcher_db: TestDb,
    _identity_db: TestDb,
}

pub struct App {
    pub id: String,
    pub token: String,
    pub webhook_secret: String,
    pub private_jwk: Value,
}

pub async fn spawn() -> Platform {
    spawn_with(|_| {}).await
}

/// A platform whose dispatcher settings `tune` adjusts first.
pub async fn spawn_with(tune: impl FnOnce(&mut idaas_config::Settings)) -> Platform {
    let keys = TestKeys::generate();
    let prefix = format!("w{}.", &uuid::Uuid::new_v4().simple().to_string()[..12]);
    let (id_db, wh_db) = (TestDb::create().await, TestDb::create().await);
    let s = test_settings("identity", &id_db.name, &prefix, &keys);
    let kafka = s.kafka.clone();
    let topics = Topics::new(prefix.clone());
    for _ in 0..50 {
        if idaas_kafka::ensure_topics(&kafka, &topics.all())
            .await
            .is_ok()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let identity = idaas_testkit::serve(identity::build, s).await.base;
    let mut s = test_settings("webhook-dispatcher", &wh_db.name, &prefix, &keys);
    s.auth.jwks_url = format!("{identity}/.well-known/jwks.json");
    if let Some(i) = s.services.get_mut("identity") {
        i.url = identity.clone();
    }
    tune(&mut s);
    let served = idaas_testkit::serve(webhook_dispatcher::build, s.clone()).await;
    Platform {
        identity,
        dispatcher: served.base,
        dispatcher_settings: s,
        dispatcher_workers: served.supervisor,
        http: reqwest::Client::new(),
        topics,
        kafka,
        dispatcher_db: wh_db,
        _identity_db: id_db,
    }
}

impl Platform {
    pub async fn app(&self, url: &str, encrypted: bool) -> App {
        let handle = format!("h{}", &uuid::Uuid::new_v4().simple().to_string()[..10]);
        let v: Value = self
            .http
            .post(format!("{}/v1/applications", self.identity))
            .json(
                &json!({"name": format!("App {handle}"), "appHandle": handle,
                "transactionWebhookUrl": url, "encryptionEnabled": encrypted}),
            )
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let d = &v["data"];
        let t: Value = self
            .http
            .post(format!("{}/v1/auth/token", self.identity))
            .json(&json!({"client_id": d["clientId"], "client_secret": d["clientSecret"]}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        App {
            token: t["data"]["token"].as_str().unwrap().to_owned(),
            id: d["id"].as_str().unwrap().to_owned(),
            webhook_secret: d["webhookSecret"].as_str().unwrap().to_owned(),
            private_jwk: d["appPrivateJwk"].clone(),
        }
    }

    /// Publishes a webhook event exactly as the transaction service's outbox relay does.
    pub async fn publish(&self, app: &App, url: &str, reference: &str) -> String {
        let event_id = uuid::Uuid::now_v7().to_string();
        self.publish_as(&event_id, app, url, reference).await;
        event_id
    }

    /// Publishes with a given event id, as a relay that published twice would.
    pub async fn publish_as(&self, event_id: &str, app: &App, url: &str, reference: &str) {
        let event_id = event_id.to_owned();
        let msg = WebhookDispatch {
            event_id: event_id.clone(),
            direction: "RECEIVER".into(),
            event_type: "TRANSACTION_INITIATED".into(),
            transaction_reference: reference.into(),
            target_application_id: app.id.clone(),
            target_url: url.into(),
            payload_json: json!({"event": "TRANSACTION_INITIATED",
                "transaction": {"reference": reference, "amount": 1500.0}})
            .to_string(),
            occurred_at: chrono::Utc::now().to_rfc3339(),
            sender_application_id: String::new(),
            receiver_application_id: app.id.clone(),
        };
        self.send(msg).await;
    }

    /// Publishes a webhook event as given.
    pub async fn send(&self, msg: WebhookDispatch) {
        let reference = msg.transaction_reference.clone();
        let producer: FutureProducer = idaas_kafka::build_producer(&self.kafka).unwrap();
        let topic = self.topics.webhooks();
        let payload = msg.encode_to_vec();
        producer
            .send(
                FutureRecord::to(&topic).key(&reference).payload(&payload),
                Duration::from_secs(10),
            )
            .await
            .map_err(|(e, _)| e)
            .unwrap();
    }

    /// Stops the dispatcher's workers as SIGTERM would and starts another dispatcher on the
    /// same database, as a rolling update does.
    pub async fn restart_dispatcher(&mut self) {
        self.dispatcher_workers
            .shutdown(Duration::from_secs(4))
            .await;
        let served =
            idaas_testkit::serve(webhook_dispatcher::build, self.dispatcher_settings.clone()).await;
        self.dispatcher = served.base;
        self.dispatcher_workers = served.supervisor;
    }

    /// `GET` on the dispatcher with `app`'s token.
    pub async fn get(&self, app: &App, path: &str) -> (reqwest::StatusCode, Value) {
        let resp = self
            .http
            .get(format!("{}{path}", self.dispatcher))
            .bearer_auth(&app.token)
            .send()
            .await
            .unwrap();
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    /// `POST` on the dispatcher with `app`'s token.
    pub async fn post(&self, app: &App, path: &str) -> (reqwest::StatusCode, Value) {
        let resp = self
            .http
            .post(format!("{}{path}", self.dispatcher))
            .bearer_auth(&app.token)
            .send()
            .await
            .unwrap();
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    /// `(status, attempts, last_error)` of the delivery of `event_id`, once it is not PENDING
    /// (or after `within`).
    pub async fn settled(&self, event_id: &str, within: Duration) -> (String, i32, Option<String>) {
        use diesel::{sql_types::Text, QueryableByName};
        use diesel_async::RunQueryDsl;
        #[derive(QueryableByName)]
        struct Row {
            #[diesel(sql_type = Text)]
            status: String,
            #[diesel(sql_type = diesel::sql_types::Integer)]
            attempts: i32,
            #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
            last_error: Option<String>,
        }
        let mut conn = AsyncPgConnection::establish(&self.dispatcher_db.url())
            .await
            .unwrap();
        let deadline = Instant::now() + within;
        loop {
            let rows: Vec<Row> = diesel::sql_query(
                "SELECT status, attempts, last_error FROM deliveries WHERE event_id = $1",
            )
            .bind::<Text, _>(event_id)
            .load(&mut conn)
            .await
            .unwrap();
            if let Some(r) = rows.into_iter().next() {
                if r.status != "PENDING" || Instant::now() > deadline {
                    return (r.status, r.attempts, r.last_error);
                }
            } else if Instant::now() > deadline {
                return ("MISSING".into(), 0, None);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}
