use idaas_testkit::{test_settings, TestDb, TestKeys};
use reqwest::{Client, Response, StatusCode};
use serde_json::{json, Value};

/// Identity running in-process on port 0 with its own database, topic prefix and keys.
pub struct TestApp {
    pub base: String,
    pub http: Client,
    pub keys: TestKeys,
    pub topic_prefix: String,
    pub db: TestDb,
}

pub struct RegisteredApp {
    pub id: String,
    pub handle: String,
    pub client_id: String,
    pub client_secret: String,
    pub webhook_secret: String,
    pub token: String,
}

pub async fn spawn() -> TestApp {
    spawn_with(|_| {}).await
}

/// Identity with its settings adjusted (e.g. keys of a rotation) before it starts.
pub async fn spawn_with(tweak: impl FnOnce(&mut idaas_config::Settings)) -> TestApp {
    spawn_on(std::sync::Arc::new(idaas_service::SystemClock), tweak).await
}

/// Identity on a clock the test moves, with its settings adjusted.
pub async fn spawn_on(
    clock: std::sync::Arc<dyn idaas_service::Clock>,
    tweak: impl FnOnce(&mut idaas_config::Settings),
) -> TestApp {
    let db = TestDb::create().await;
    let topic_prefix = format!("t{}.", &uuid::Uuid::new_v4().simple().to_string()[..12]);
    let keys = TestKeys::generate();
    let mut settings = test_settings("identity", &db.name, &topic_prefix, &keys);
    tweak(&mut settings);
    let served =
        idaas_testkit::serve(move |s| identity::build_with_clock(s, clock), settings).await;
    TestApp {
        base: served.base,
        http: Client::new(),
        keys,
        topic_prefix,
        db,
    }
}

pub fn unique_handle(prefix: &str) -> String {
    format!(
        "{prefix}{}",
        &uuid::Uuid::new_v4().simple().to_string()[..10]
    )
}

pub async fn body(resp: Response) -> (StatusCode, Value) {
    let status = resp.status();
    let v = resp.json::<Value>().await.unwrap_or(Value::Null);
    (status, v)
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn post(
        &self,
        path: &str,
        token: Option<&str>,
        payload: Value,
    ) -> (StatusCode, Value) {
        let mut req = self.http.post(self.url(path)).json(&payload);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        body(req.send().await.unwrap()).await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        let mut req = self.http.get(self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        body(req.send().await.unwrap()).await
    }

    pub async fn patch(&self, path: &str, token: &str) -> (StatusCode, Value) {
        body(
            self.http
                .patch(self.url(path))
                .bearer_auth(token)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    pub async fn register(&self, handle: &str) -> RegisteredApp {
        let (status, v) = self
            .post(
                "/v1/applications",
                None,
                json!({
                    "name": format!("App {handle}"),
                    "appHandle": handle,
                    "transactionWebhookUrl": "https://example.com/hook",
                }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{v}");
        let d = &v["data"];
        let client_id = d["clientId"].as_str().unwrap().to_owned();
        let client_secret = d["clientSecret"].as_str().unwrap().to_owned();
        let token = self.token(&client_id, &client_secret).await;
        RegisteredApp {
            id: d["id"].as_str().unwrap().to_owned(),
            handle: handle.to_owned(),
            client_id,
            client_secret,
            webhook_secret: d["webhookSecret"].as_str().unwrap().to_owned(),
            token,
        }
    }

    pub async fn token(&self, client_id: &str, secret: &str) -> String {
        let (status, v) = self
            .post(
                "/v1/auth/token",
                None,
                json!({"client_id": client_id, "client_secret": secret}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{v}");
        v["data"]["token"].as_str().unwrap().to_owned()
    }

    pub async fn subject(&self, token: &str, external_id: &str) -> String {
        let (status, v) = self
            .post(
                "/v1/subjects",
                Some(token),
                json!({"externalId": external_id, "displayName": "Alice Adeyemi"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{v}");
        v["data"]["id"].as_str().unwrap().to_owned()
    }

    pub async fn tag(&self, token: &str, subject: &str, tag: &str) -> (StatusCode, Value) {
        self.post(
            "/v1/tags",
            Some(token),
            json!({"tag": tag, "subjectId": subject}),
        )
        .await
    }
}

/// Calls identity's internal routes as `service` would, with its own service credential.
pub fn internal_client(app: &TestApp, service: &str) -> idaas_service::InternalClient {
    let settings =
        idaas_testkit::test_settings(service, &app.db.name, &app.topic_prefix, &app.keys);
    idaas_service::InternalClient::new(service, &settings).unwrap()
}

pub fn assert_error(resp: &(StatusCode, Value), status: u16, code: &str) {
    assert_eq!(resp.0.as_u16(), status, "{}", resp.1);
    assert_eq!(resp.1["success"], false, "{}", resp.1);
    assert_eq!(resp.1["errorCode"], code, "{}", resp.1);
}

/// Up to `n` messages of `topic` from its start (30 s at most), read in a group of their own.
pub async fn read_topic(topic: &str, n: usize) -> Vec<rdkafka::message::OwnedMessage> {
    use rdkafka::consumer::{Consumer, StreamConsumer};
    let mut kafka = idaas_config::load_from(
        &std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../config"),
        "local",
        "identity",
    )
    .unwrap()
    .kafka;
    kafka.brokers = idaas_testkit::kafka_brokers();
    let consumer: StreamConsumer =
        idaas_kafka::build_consumer(&kafka, &format!("test-{}", uuid::Uuid::new_v4())).unwrap();
    consumer.subscribe(&[topic]).unwrap();
    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    while seen.len() < n && tokio::time::Instant::now() < deadline {
        if let Ok(Ok(m)) =
            tokio::time::timeout(std::time::Duration::from_secs(5), consumer.recv()).await
        {
            seen.push(m.detach());
        }
    }
    seen
}
