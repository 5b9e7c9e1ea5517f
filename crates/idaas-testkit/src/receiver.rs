//! An integrator's webhook endpoint: records every request and answers from a script, so tests
//! can make a receiver fail, hang or succeed on a given attempt.

use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use actix_web::{http::StatusCode, web, HttpRequest, HttpResponse};

/// In a receiver's script: never answer (well past any attempt timeout).
pub const HANG: u16 = 599;

/// What a receiver saw: every header and the raw body.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Received {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    }
}

/// A receiver at `url` that answers each request with the next status of its script (then 200).
#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    seen: Arc<Mutex<Vec<Received>>>,
}

/// Starts a receiver on a free loopback port (`…/hook`).
pub fn receiver(script: Vec<u16>) -> Receiver {
    let seen: Arc<Mutex<Vec<Received>>> = Arc::default();
    let script = Arc::new(Mutex::new(script.into_iter()));
    let (s, sc) = (seen.clone(), script.clone());
    let base = crate::stand_in(move |cfg| {
        let (seen, script) = (s.clone(), sc.clone());
        cfg.route(
            "/hook",
            web::post().to(move |req: HttpRequest, body: web::Bytes| {
                let (seen, script) = (seen.clone(), script.clone());
                async move {
                    seen.lock().expect("receiver").push(Received {
                        headers: req
                            .headers()
                            .iter()
                            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_owned()))
                            .collect(),
                        body: String::from_utf8_lossy(&body).into_owned(),
                    });
                    let status = script.lock().expect("receiver").next().unwrap_or(200);
                    if status == HANG {
                        tokio::time::sleep(Duration::from_secs(120)).await;
                    }
                    HttpResponse::build(StatusCode::from_u16(status).expect("status")).finish()
                }
            }),
        );
    });
    Receiver {
        url: format!("{base}/hook"),
        seen,
    }
}

impl Receiver {
    pub fn count(&self) -> usize {
        self.seen.lock().expect("receiver").len()
    }

    pub fn all(&self) -> Vec<Received> {
        self.seen.lock().expect("receiver").clone()
    }

    /// Waits up to `within` until the receiver has seen `n` requests; all it has seen then.
    pub async fn wait_for(&self, n: usize, within: Duration) -> Vec<Received> {
        let deadline = Instant::now() + within;
        loop {
            let seen = self.all();
            if seen.len() >= n {
                return seen;
            }
            assert!(
                Instant::now() < deadline,
                "the receiver saw {} of {n} requests within {within:?}",
                seen.len()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}
