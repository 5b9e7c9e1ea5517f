//! `webhooks`: events straight onto `<prefix>webhooks`, as the transaction service's outbox
//! relay publishes them after its commit, spread over `--receivers` applications whose URLs are
//! local receivers run here. Reports delivered events/s and publish → first attempt latency of
//! the healthy receivers; with `--hanging N` the first N receivers never answer (each attempt
//! runs into the dispatcher's timeout), to show they do not hold the others back.
//!
//! The clock starts when the event is handed to the producer: the relay publishes right after
//! the commit, so this is commit → first attempt less the relay's own wake-up.

use std::{
    collections::{hash_map::Entry, HashMap},
    sync::{Arc, Mutex},
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use idaas_config::KafkaSettings;
use idaas_kafka::{
    rdkafka::producer::{FutureProducer, FutureRecord},
    Topics,
};
use idaas_proto::{transaction::v1::WebhookDispatch, Message};
use reqwest::Client;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::{options::Options, report::Report};

/// How long a hanging receiver keeps a request open: well past any attempt timeout.
const HANG: Duration = Duration::from_secs(120);
/// After the last event is offered, how long healthy deliveries may still arrive.
const DRAIN: Duration = Duration::from_secs(30);

fn micros_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
        .unwrap_or_default()
}

/// First arrivals per receiver: delivery id → publish → arrival latency.
#[derive(Default)]
struct Arrivals {
    first: HashMap<String, (usize, Duration)>,
    repeats: usize,
}

type Shared = Arc<Mutex<Arrivals>>;

async fn receive(
    req: HttpRequest,
    body: web::Bytes,
    path: web::Path<usize>,
    hanging: web::Data<usize>,
    seen: web::Data<Shared>,
) -> HttpResponse {
    let receiver = path.into_inner();
    let arrived = micros_now();
    let delivery = req
        .headers()
        .get("X-IDaaS-Delivery")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let sent = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v["loadgen"]["publishedAtMicros"].as_u64());
    if let (Some(sent), Ok(mut seen)) = (sent, seen.lock()) {
        let latency = Duration::from_micros(arrived.saturating_sub(sent));
        match seen.first.entry(delivery) {
            Entry::Occupied(_) => seen.repeats += 1,
            Entry::Vacant(v) => {
                v.insert((receiver, latency));
            }
        }
    }
    if receiver < **hanging {
        tokio::time::sleep(HANG).await;
    }
    HttpResponse::Ok().finish()
}

fn start_receivers(o: &Options, seen: Shared) -> Result<String, String> {
    let hanging = web::Data::new(o.hanging);
    let seen = web::Data::new(seen);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(hanging.clone())
            .app_data(seen.clone())
            .route("/hook/{receiver}", web::post().to(receive))
    })
    .workers(2)
    // Hanging requests hold connections; room for every one the dispatcher may open.
    .max_connections(100_000)
    .bind("127.0.0.1:0")
    .map_err(|e| format!("receiver: {e}"))?;
    let base = format!("http://{}", server.addrs()[0]);
    tokio::spawn(server.run());
    Ok(base)
}

async fn register(http: &Client, gateway: &str, url: &str) -> Result<String, String> {
    let handle = format!("ldhook{}", &Uuid::new_v4().simple().to_string()[..8]);
    let resp = http
        .post(format!("{gateway}/api/v1/applications"))
        .json(&json!({
            "name": format!("Load {handle}"), "appHandle": handle,
            "transactionWebhookUrl": url, "encryptionEnabled": false
        }))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = resp.status();
    let body: Value = resp.json().await.unwrap_or(Value::Null);
    match body["data"]["id"].as_str() {
        Some(id) if status.is_success() => Ok(id.to_owned()),
        _ => Err(format!(
            "registering a receiver application: {status} {body}"
        )),
    }
}

fn event(app: &str, url: &str, n: u64) -> WebhookDispatch {
    let reference = format!("LOADHOOK-{}", Uuid::now_v7().simple());
    let payload = json!({
        "event": "TRANSACTION_INITIATED",
        "transaction": {"reference": reference, "amount": "1.0000", "currency": "NGN"},
        "loadgen": {"n": n, "publishedAtMicros": micros_now()},
    });
    WebhookDispatch {
        event_id: Uuid::now_v7().to_string(),
        direction: "RECEIVER".into(),
        event_type: "TRANSACTION_INITIATED".into(),
        transaction_reference: reference,
        target_application_id: app.to_owned(),
        target_url: url.to_owned(),
        payload_json: payload.to_string(),
        occurred_at: chrono::Utc::now().to_rfc3339(),
        sender_application_id: app.to_owned(),
        receiver_application_id: app.to_owned(),
    }
}

async fn publish(
    producer: &FutureProducer,
    topic: &str,
    d: &WebhookDispatch,
) -> Result<(), String> {
    let bytes = d.encode_to_vec();
    let headers = idaas_kafka::headers::build(
        &d.event_id,
        "WebhookDispatch",
        &idaas_telemetry::TraceHeaders::default(),
    );
    producer
        .send(
            FutureRecord::to(topic)
                .key(&d.transaction_reference)
                .payload(&bytes)
                .headers(headers),
            Duration::from_secs(30),
        )
        .await
        .map(|_| ())
        .map_err(|(e, _)| e.to_string())
}

/// The platform's broker and topic prefix, with the load tool's own producer batching.
pub fn kafka_settings(o: &Options) -> KafkaSettings {
    KafkaSettings {
        brokers: o.brokers.clone(),
        topic_prefix: o.topic_prefix.clone(),
        linger_ms: o.linger_ms,
        fetch_wait_max_ms: 10,
        partitions: 1,
        replication_factor: 1,
        outbox_poll_ms: 1_000,
        create_topics: true,
        security_protocol: "plaintext".into(),
        sasl_mechanism: String::new(),
        sasl_username: String::new(),
        sasl_password: Default::default(),
        ssl_ca_location: String::new(),
    }
}

pub async fn run(o: &Options) -> Result<Report, String> {
    let rate = if o.rate == 0 { 1_000 } else { o.rate };
    let seen: Shared = Arc::default();
    let base = start_receivers(o, seen.clone())?;
    let http = Client::new();
    let mut apps = Vec::new();
    for r in 0..o.receivers {
        let url = format!("{base}/hook/{r}");
        apps.push((register(&http, &o.gateway, &url).await?, url));
    }
    let kafka = kafka_settings(o);
    let producer = idaas_kafka::build_producer(&kafka).map_err(|e| e.to_string())?;
    let topic = Topics::new(o.topic_prefix.clone()).webhooks();
    // The first send sets the producer up (metadata, producer id): done before the clock runs,
    // as the platform's relay producers are long-lived. The receiver does not count it.
    let mut warm_up = event(&apps[0].0, &apps[0].1, 0);
    warm_up.payload_json = json!({"event": "TRANSACTION_INITIATED", "warmUp": true}).to_string();
    publish(&producer, &topic, &warm_up).await?;

    // Open loop: one event every 1/rate seconds whatever happens downstream.
    let every = Duration::from_secs_f64(1.0 / rate as f64);
    let started = Instant::now();
    let mut next = started;
    let (mut offered, mut errors, mut first_error) = (0u64, 0usize, None);
    let mut sends = tokio::task::JoinSet::new();
    while started.elapsed() < o.duration {
        tokio::time::sleep_until(next.into()).await;
        next += every;
        let (app, url) = &apps[(offered % apps.len() as u64) as usize];
        let d = event(app, url, offered);
        offered += 1;
        let (producer, topic) = (producer.clone(), topic.clone());
        sends.spawn(async move { publish(&producer, &topic, &d).await });
        while let Some(done) = sends.try_join_next() {
            if let Err(e) = done.map_err(|e| e.to_string()).and_then(|r| r) {
                errors += 1;
                first_error.get_or_insert(e);
            }
        }
    }
    while let Some(done) = sends.join_next().await {
        if let Err(e) = done.map_err(|e| e.to_string()).and_then(|r| r) {
            errors += 1;
            first_error.get_or_insert(e);
        }
    }
    let offered_for = started.elapsed();

    let healthy = |r: usize| r >= o.hanging;
    let expected_healthy = (0..offered)
        .filter(|n| healthy((n % apps.len() as u64) as usize))
        .count();
    let drain_until = Instant::now() + DRAIN;
    let mut last_count = 0;
    let mut last_arrival = Instant::now();
    loop {
        let count = healthy_count(&seen, &healthy);
        if count != last_count {
            (last_count, last_arrival) = (count, Instant::now());
        }
        if count >= expected_healthy || Instant::now() > drain_until {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let elapsed = last_arrival.duration_since(started).max(offered_for);

    let arrivals = seen.lock().map_err(|_| "receiver state poisoned")?;
    let latencies: Vec<Duration> = arrivals
        .first
        .values()
        .filter(|(r, _)| healthy(*r))
        .map(|(_, l)| *l)
        .collect();
    let hanging_attempted = arrivals
        .first
        .values()
        .filter(|(r, _)| !healthy(*r))
        .count();
    let mut notes = vec![
        format!(
            "offered {offered} events at {rate}/s over {:.1} s to {} receivers ({} hanging)",
            offered_for.as_secs_f64(),
            o.receivers,
            o.hanging
        ),
        format!(
            "healthy receivers: {} of {expected_healthy} delivered; latency is publish → first attempt",
            latencies.len()
        ),
        format!("repeat attempts seen (same delivery id): {}", arrivals.repeats),
    ];
    if o.hanging > 0 {
        notes.push(format!(
            "hanging receivers: {hanging_attempted} deliveries attempted (each held until the dispatcher's timeout)"
        ));
    }
    if let Some(e) = first_error {
        notes.push(format!("first publish error: {e}"));
    }
    Ok(Report {
        what: format!("webhook deliveries ({} receivers)", o.receivers),
        completed: latencies.len(),
        errors: errors + expected_healthy.saturating_sub(latencies.len()),
        elapsed,
        latencies,
        notes,
    })
}

fn healthy_count(seen: &Shared, healthy: &impl Fn(usize) -> bool) -> usize {
    seen.lock()
        .map(|s| s.first.values().filter(|(r, _)| healthy(*r)).count())
        .unwrap_or_default()
}
