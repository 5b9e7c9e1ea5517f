//! The two applications' webhook endpoints on one local port, `/{app}/{kind}`: every request is
//! verified and opened as an integrator's endpoint would, then handed to the flow with what the
//! check found. Nothing is trusted before its signature held.

use std::{
    collections::HashMap,
    fmt,
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::Duration,
};

use actix_web::{dev::ServerHandle, web, App, HttpRequest, HttpResponse, HttpServer};
use josekit::jwk::Jwk;
use serde_json::Value;
use tokio::sync::mpsc;

use crate::{
    error::DemoError,
    webhook::{self, Refusal, TOLERANCE_SECONDS},
};

/// The webhook secret shown once at registration; never printed.
#[derive(Clone)]
pub struct WebhookSecret(String);

impl WebhookSecret {
    pub fn new(secret: String) -> Self {
        Self(secret)
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret(<redacted>)")
    }
}

/// What an application's endpoint needs to trust and read its webhooks.
#[derive(Clone)]
pub struct AppKeys {
    pub webhook_secret: WebhookSecret,
    pub private_jwk: Jwk,
}

/// A request one of the endpoints received, and what checking it found.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub app: String,
    pub kind: String,
    pub timestamp: String,
    pub signature: String,
    pub delivery_id: String,
    pub encrypted: bool,
    pub raw: String,
    pub verdict: Result<Opened, String>,
}

/// A request whose signature held, opened.
#[derive(Debug, Clone)]
pub struct Opened {
    /// The JWE's protected header, when the body was encrypted.
    pub jwe_header: Option<Value>,
    pub event: Value,
    /// Seconds between `X-IDaaS-Timestamp` and its arrival.
    pub age_seconds: i64,
    /// The same verifier refuses this request with one byte of its body changed...
    pub tamper_refused: bool,
    /// ...and refuses it replayed after the window.
    pub replay_refused: bool,
}

struct State {
    keys: Mutex<HashMap<String, AppKeys>>,
    deliveries: mpsc::UnboundedSender<Delivery>,
}

pub struct Inbox {
    pub base: String,
    state: Arc<State>,
    received: tokio::sync::Mutex<Received>,
    server: ServerHandle,
}

struct Received {
    rx: mpsc::UnboundedReceiver<Delivery>,
    kept: Vec<Delivery>,
}

impl Inbox {
    /// Listens on `listen` (port 0: any free port).
    pub fn start(listen: SocketAddr) -> Result<Inbox, DemoError> {
        let (tx, rx) = mpsc::unbounded_channel();
        let state = Arc::new(State {
            keys: Mutex::default(),
            deliveries: tx,
        });
        let data = web::Data::from(state.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .route("/{app}/{kind}", web::post().to(receive))
        })
        .workers(1)
        .disable_signals()
        // The dispatcher keeps its connections open; the demo does not wait for them to idle.
        .shutdown_timeout(1)
        .bind(listen)
        .map_err(|source| DemoError::Listen { listen, source })?;
        let addr = server.addrs().first().copied().ok_or(DemoError::Listen {
            listen,
            source: std::io::Error::other("bound to no address"),
        })?;
        let server = server.run();
        let handle = server.handle();
        tokio::spawn(server);
        Ok(Inbox {
            base: format!("http://{addr}"),
            state,
            received: tokio::sync::Mutex::new(Received {
                rx,
                kept: Vec::new(),
            }),
            server: handle,
        })
    }

    pub fn url(&self, app: &str, kind: &str) -> String {
        format!("{}/{app}/{kind}", self.base)
    }

    /// From now on `app`'s webhooks are checked with these keys.
    pub fn trust(&self, app: &str, keys: AppKeys) {
        if let Ok(mut all) = self.state.keys.lock() {
            all.insert(app.to_owned(), keys);
        }
    }

    /// The first request to `/{app}/{kind}` carrying `event` for `reference`, waiting up to
    /// `within`. A request to that endpoint that failed its check ends the wait with an error.
    pub async fn wait_for(
        &self,
        app: &str,
        kind: &str,
        event: &str,
        reference: &str,
        within: Duration,
    ) -> Result<(Delivery, Opened), DemoError> {
        let mut received = self.received.lock().await;
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let mut i = 0;
            while i < received.kept.len() {
                let d = &received.kept[i];
                if d.app != app || d.kind != kind {
                    i += 1;
                    continue;
                }
                let d = received.kept.remove(i);
                match &d.verdict {
                    Err(why) => {
                        return Err(DemoError::Check(format!(
                            "a webhook to /{app}/{kind} was refused: {why}"
                        )))
                    }
                    Ok(opened)
                        if opened.event["event"] == event
                            && opened.event["transaction"]["reference"] == reference =>
                    {
                        let opened = opened.clone();
                        return Ok((d, opened));
                    }
                    // Another event to the same endpoint: not the one awaited.
                    Ok(_) => {}
                }
            }
            match tokio::time::timeout_at(deadline, received.rx.recv()).await {
                Ok(Some(d)) => received.kept.push(d),
                Ok(None) | Err(_) => {
                    return Err(DemoError::Check(format!(
                        "no {event} for {reference} reached /{app}/{kind} within {within:?} \
                         (the platform must reach {}: a local-profile platform on this host)",
                        self.base
                    )))
                }
            }
        }
    }

    pub async fn stop(&self) {
        self.server.stop(true).await;
    }
}

async fn receive(
    path: web::Path<(String, String)>,
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<State>,
) -> HttpResponse {
    let (app, kind) = path.into_inner();
    let keys = state
        .keys
        .lock()
        .ok()
        .and_then(|all| all.get(&app).cloned());
    let Some(keys) = keys else {
        return HttpResponse::NotFound().finish();
    };
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let (timestamp, signature) = (header("X-IDaaS-Timestamp"), header("X-IDaaS-Signature"));
    let encrypted = header("Content-Encryption").eq_ignore_ascii_case("JWE");
    let now = chrono::Utc::now().timestamp();
    let verdict = check(&keys, &timestamp, &signature, &body, encrypted, now);
    let status = if verdict.is_ok() {
        HttpResponse::Ok().finish()
    } else {
        HttpResponse::Unauthorized().finish()
    };
    // The flow may have stopped listening (it failed or finished): the answer stands.
    let _ = state.deliveries.send(Delivery {
        app,
        kind,
        delivery_id: header("X-IDaaS-Delivery"),
        timestamp,
        signature,
        encrypted,
        raw: String::from_utf8_lossy(&body).into_owned(),
        verdict,
    });
    status
}

fn check(
    keys: &AppKeys,
    timestamp: &str,
    signature: &str,
    raw: &[u8],
    encrypted: bool,
    now: i64,
) -> Result<Opened, String> {
    let secret = keys.webhook_secret.0.as_bytes();
    webhook::verify(secret, timestamp, signature, raw, now).map_err(|e| e.to_string())?;
    let mut tampered = raw.to_vec();
    if let Some(last) = tampered.last_mut() {
        *last ^= 0x01;
    }
    let tamper_refused =
        webhook::verify(secret, timestamp, signature, &tampered, now) == Err(Refusal::BadSignature);
    let later = now + TOLERANCE_SECONDS + 60;
    let replay_refused = matches!(
        webhook::verify(secret, timestamp, signature, raw, later),
        Err(Refusal::Stale(_))
    );
    let (jwe_header, plain) = if encrypted {
        let compact = std::str::from_utf8(raw).map_err(|e| e.to_string())?;
        let (header, plain) =
            webhook::open(compact.trim(), &keys.private_jwk).map_err(|e| e.to_string())?;
        (Some(header), plain)
    } else {
        (None, raw.to_vec())
    };
    let event = serde_json::from_slice(&plain).map_err(|e| format!("not JSON: {e}"))?;
    Ok(Opened {
        jwe_header,
        event,
        age_seconds: now - timestamp.parse::<i64>().unwrap_or(now),
        tamper_refused,
        replay_refused,
    })
}
