//! The three load shapes. Workers run until the deadline; every request is timed.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use reqwest::Client;
use serde_json::{json, Value};
use tokio::sync::Mutex;
use uuid::Uuid;

use crate::{options::Options, report::Report};

#[derive(Default)]
struct Tally {
    completed: usize,
    errors: usize,
    latencies: Vec<Duration>,
    first_error: Option<String>,
}

async fn json_call(req: reqwest::RequestBuilder) -> Result<Value, String> {
    let resp = req.send().await.map_err(|e| e.to_string())?;
    let status = resp.status();
    let body: Value = resp.json().await.unwrap_or(Value::Null);
    if status.is_success() {
        Ok(body)
    } else {
        Err(format!(
            "{status}: {}",
            body["errorCode"].as_str().unwrap_or("?")
        ))
    }
}

struct Party {
    token: String,
    tag: String,
}

async fn onboard(http: &Client, gateway: &str, prefix: &str) -> Result<Party, String> {
    let api = |p: &str| format!("{gateway}/api{p}");
    let handle = format!("{prefix}{}", &Uuid::new_v4().simple().to_string()[..8]);
    let reg = json_call(http.post(api("/v1/applications")).json(&json!({
        "name": format!("Load {handle}"), "appHandle": handle, "encryptionEnabled": false
    })))
    .await?;
    let tok = json_call(http.post(api("/v1/auth/token")).json(&json!({
        "client_id": reg["data"]["clientId"], "client_secret": reg["data"]["clientSecret"]
    })))
    .await?;
    let token = tok["data"]["token"].as_str().unwrap_or_default().to_owned();
    json_call(http.post(api("/v1/wallet")).bearer_auth(&token)).await?;
    let subject = json_call(
        http.post(api("/v1/subjects"))
            .bearer_auth(&token)
            .json(&json!({"externalId": "load"})),
    )
    .await?;
    json_call(
        http.post(api("/v1/tags"))
            .bearer_auth(&token)
            .json(&json!({"tag": "payer", "subjectId": subject["data"]["id"]})),
    )
    .await?;
    Ok(Party {
        token,
        tag: format!("payer@{handle}"),
    })
}

/// Paces one worker so that all of them together offer `rate` operations per second.
struct Pacer {
    every: Option<Duration>,
    next: Instant,
}

impl Pacer {
    fn new(o: &Options, worker: usize) -> Self {
        let every =
            (o.rate > 0).then(|| Duration::from_secs_f64(o.concurrency as f64 / o.rate as f64));
        // Stagger the workers across one interval.
        let offset = every
            .map(|e| e.mul_f64(worker as f64 / o.concurrency as f64))
            .unwrap_or_default();
        Self {
            every,
            next: Instant::now() + offset,
        }
    }

    async fn wait(&mut self) {
        if let Some(every) = self.every {
            tokio::time::sleep_until(self.next.into()).await;
            self.next += every;
        }
    }
}

fn record(tally: &mut Tally, started: Instant, result: Result<(), String>) {
    match result {
        Ok(()) => {
            tally.completed += 1;
            tally.latencies.push(started.elapsed());
        }
        Err(e) => {
            tally.errors += 1;
            tally.first_error.get_or_insert(e);
        }
    }
}

/// Initiate + accept through the gateway; latency is the accept call.
pub async fn payments(o: &Options) -> Result<Report, String> {
    let http = Client::new();
    let mut pairs = Vec::new();
    // One sender/receiver pair per worker group of four, so no single app is the bottleneck.
    for _ in 0..o.concurrency.div_ceil(4) {
        pairs.push(Arc::new((
            onboard(&http, &o.gateway, "ldsend").await?,
            onboard(&http, &o.gateway, "ldrecv").await?,
        )));
    }
    let tally = Arc::new(Mutex::new(Tally::default()));
    let deadline = Instant::now() + o.duration;
    let started = Instant::now();
    let mut workers = Vec::new();
    for w in 0..o.concurrency {
        let (http, tally, pair, gateway) = (
            http.clone(),
            tally.clone(),
            pairs[w % pairs.len()].clone(),
            o.gateway.clone(),
        );
        let mut pacer = Pacer::new(o, w);
        workers.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                pacer.wait().await;
                let (sender, receiver) = (&pair.0, &pair.1);
                let init = json_call(
                    http.post(format!("{gateway}/api/v1/transactions"))
                        .bearer_auth(&sender.token)
                        .header("Idempotency-Key", Uuid::new_v4().to_string())
                        .json(&json!({"senderTag": sender.tag, "receiverTag": receiver.tag, "amount": 1})),
                )
                .await;
                let reference = match init {
                    Ok(v) => v["data"]["reference"].as_str().unwrap_or_default().to_owned(),
                    Err(e) => {
                        record(&mut *tally.lock().await, Instant::now(), Err(e));
                        continue;
                    }
                };
                let t = Instant::now();
                let accepted = json_call(
                    http.post(format!("{gateway}/api/v1/transactions/{reference}/accept"))
                        .bearer_auth(&receiver.token),
                )
                .await
                .map(|_| ());
                record(&mut *tally.lock().await, t, accepted);
            }
        }));
    }
    for w in workers {
        w.await.map_err(|e| e.to_string())?;
    }
    finish(
        format!(
            "payments (initiate + accept via gateway, {} workers)",
            o.concurrency
        ),
        started,
        tally,
    )
    .await
}

/// The transaction service's credential signer, from the platform's settings (`make up` writes
/// the local keys): postings are an internal route only that service may call.
fn posting_signer() -> Result<Arc<idaas_auth::ServiceSigner>, String> {
    // The platform make up runs: the local profile unless told otherwise.
    let profile = std::env::var("IDAAS_PROFILE").unwrap_or_else(|_| "local".into());
    let settings = idaas_config::config_dir()
        .and_then(|dir| idaas_config::load_from(&dir, &profile, "transaction"))
        .map_err(|e| format!("loading the platform's settings (run from the checkout): {e}"))?;
    idaas_service::signer("transaction", &settings)
        .map(Arc::new)
        .map_err(|e| e.to_string())
}

/// Postings straight to the ledger: uniform over `--wallets` applications, or one hot pair.
pub async fn ledger(o: &Options, hot: bool) -> Result<Report, String> {
    let http = Client::new();
    let signer = posting_signer()?;
    let apps: Arc<Vec<Uuid>> = Arc::new(
        (0..if hot { 2 } else { o.wallets })
            .map(|_| Uuid::new_v4())
            .collect(),
    );
    let run = Uuid::new_v4().simple().to_string();
    let tally = Arc::new(Mutex::new(Tally::default()));
    let deadline = Instant::now() + o.duration;
    let started = Instant::now();
    let mut workers = Vec::new();
    for w in 0..o.concurrency {
        let (http, tally, apps, url, run, signer) = (
            http.clone(),
            tally.clone(),
            apps.clone(),
            format!("{}{}", o.ledger, idaas_contracts::postings::PATH),
            run.clone(),
            signer.clone(),
        );
        let mut pacer = Pacer::new(o, w);
        workers.push(tokio::spawn(async move {
            let mut n = 0u64;
            while Instant::now() < deadline {
                pacer.wait().await;
                n += 1;
                let r = Uuid::new_v4().as_u128();
                let from = (r % apps.len() as u128) as usize;
                let to = (from + 1 + ((r >> 64) % (apps.len() as u128 - 1)) as usize) % apps.len();
                let party = |i: usize| json!({"applicationId": apps[i], "applicationName": format!("Load {i}"), "tag": format!("w{i}@load")});
                let body = json!({
                    "reference": format!("LOAD-{run}-{w}-{n}"), "amount": "1.0000", "currency": "NGN",
                    "sender": party(from), "receiver": party(to),
                })
                .to_string();
                let t = Instant::now();
                let result = match signer.credential(
                    "ledger",
                    "POST",
                    idaas_contracts::postings::PATH,
                    body.as_bytes(),
                ) {
                    Ok(credential) => json_call(
                        http.post(&url)
                            .header(idaas_auth::SERVICE_CREDENTIAL_HEADER, credential)
                            .header("Content-Type", "application/json")
                            .body(body),
                    )
                    .await
                    .map(|_| ()),
                    Err(e) => Err(e.to_string()),
                };
                record(&mut *tally.lock().await, t, result);
            }
        }));
    }
    for w in workers {
        w.await.map_err(|e| e.to_string())?;
    }
    let what = if hot {
        format!(
            "ledger postings on ONE hot wallet pair ({} workers)",
            o.concurrency
        )
    } else {
        format!(
            "ledger postings, uniform over {} wallets ({} workers)",
            o.wallets, o.concurrency
        )
    };
    finish(what, started, tally).await
}

async fn finish(
    what: String,
    started: Instant,
    tally: Arc<Mutex<Tally>>,
) -> Result<Report, String> {
    let elapsed = started.elapsed();
    let t = std::mem::take(&mut *tally.lock().await);
    let mut notes = Vec::new();
    if let Some(e) = t.first_error {
        notes.push(format!("first error: {e}"));
    }
    Ok(Report {
        what,
        completed: t.completed,
        errors: t.errors,
        elapsed,
        latencies: t.latencies,
        notes,
    })
}
