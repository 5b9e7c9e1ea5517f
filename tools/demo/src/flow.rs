//! Flow A of the guide (sections 3 and 23), scripted from start to end: two applications
//! onboard, one pays the other with a sealed request, the receiver's endpoint verifies and
//! opens the webhook, accepts, both wallets move once, the sender's callback arrives, both
//! delivery records say DELIVERED, and settlement answers for a closed day and refuses today's.

use std::{fmt, net::SocketAddr, time::Duration};

use reqwest::Method;
use rust_decimal::Decimal;
use serde_json::{json, Value};

use crate::{
    api::{Api, Body},
    error::DemoError,
    inbox::{AppKeys, Delivery, Inbox, Opened, WebhookSecret},
    report::{abbreviate, plain, Report},
};

const AMOUNT: i64 = 500;
const CURRENCY: &str = "NGN";

pub struct Options {
    /// The gateway's API root, e.g. `http://127.0.0.1:8080/api`.
    pub api: String,
    /// Where the two applications' webhook endpoints listen; the platform must reach it.
    pub listen: SocketAddr,
    /// How long each endpoint waits for its webhook.
    pub webhook_wait: Duration,
}

/// What the walk established.
#[derive(Debug)]
pub struct Outcome {
    pub reference: String,
    pub sender_moved: Decimal,
    pub receiver_moved: Decimal,
    pub settled_date: String,
}

/// Where the walk stopped, and why.
#[derive(Debug)]
pub struct Failure {
    pub at: String,
    pub error: DemoError,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.at, self.error)
    }
}

/// One integrating application as the demo holds it; its secrets live only in the inbox.
struct Party {
    handle: String,
    token: String,
    tag: String,
}

pub async fn run(opts: &Options) -> Result<Outcome, Failure> {
    let mut report = Report::default();
    let inbox = Inbox::start(opts.listen).map_err(|error| Failure {
        at: "start".into(),
        error,
    })?;
    let outcome = walk(opts, &inbox, &mut report).await;
    inbox.stop().await;
    outcome.map_err(|error| Failure {
        at: report.position(),
        error,
    })
}

async fn walk(opts: &Options, inbox: &Inbox, r: &mut Report) -> Result<Outcome, DemoError> {
    let base = opts.api.as_str();
    let mut api = Api::new(base)?;
    r.title(&format!(
        "IDaaS demo: Flow A (guide sections 3 and 23) against {base}"
    ));

    r.step("The platform is up and publishes its encryption key");
    let origin = api.base().strip_suffix("/api").unwrap_or(api.base());
    let health = healthy(&api, &format!("{origin}/actuator/health")).await?;
    r.held(format!(
        "GET /actuator/health: {}",
        plain(&health["status"])
    ));
    let key = api.get("/v1/keys/idaas", None).await?;
    let k = &key["data"];
    r.line(format!(
        "GET /v1/keys/idaas: {} / {} on {}",
        plain(&k["algorithm"]),
        plain(&k["encAlgorithm"]),
        plain(&k["curve"])
    ));
    api.use_platform_key(&k["jwk"])?;
    r.line(format!(
        "the two applications' webhook endpoints listen on {}",
        inbox.base
    ));

    let run_id = &uuid::Uuid::new_v4().simple().to_string()[..6];
    let a = onboard(
        &api,
        inbox,
        r,
        "App A (sender)",
        "walletapp",
        run_id,
        "alice",
    )
    .await?;
    let b = onboard(&api, inbox, r, "App B (receiver)", "shopapp", run_id, "bob").await?;

    r.step("App A pays bob: POST /v1/transactions, sealed, with an Idempotency-Key");
    let before = (balance(&api, &a).await?, balance(&api, &b).await?);
    let callback = inbox.url(&a.handle, "callback");
    let payment = json!({
        "senderTag": a.tag, "receiverTag": b.tag, "amount": AMOUNT, "currency": CURRENCY,
        "narration": "Order #1001 (IDaaS demo)", "callbackUrl": callback,
    });
    r.json("body (sent as a JWE to IDaaS's key):", &payment);
    let idempotency_key = uuid::Uuid::new_v4().to_string();
    let key_header = [("Idempotency-Key", idempotency_key.as_str())];
    let pay = || {
        api.call_with_headers(
            Method::POST,
            "/v1/transactions",
            Some(&a.token),
            Body::Sealed(&payment),
            &key_header,
            201,
        )
    };
    let (sent, _) = pay().await?;
    let t = &sent["data"];
    let reference = text(t, "reference")?;
    r.line(format!(
        "201: {reference}, {} until {}",
        plain(&t["status"]),
        plain(&t["expiresAt"])
    ));
    ensure(
        t["status"] == "AWAITING_ACCEPTANCE",
        format!("the payment is {}, not AWAITING_ACCEPTANCE", t["status"]),
    )?;
    let (again, headers) = pay().await?;
    let replayed = headers
        .get("Idempotency-Replayed")
        .and_then(|v| v.to_str().ok());
    ensure(
        again["data"]["reference"] == reference.as_str() && replayed == Some("true"),
        format!("a retry with the same Idempotency-Key answered {again} (Idempotency-Replayed: {replayed:?})"),
    )?;
    r.held(format!(
        "a retry with the same Idempotency-Key answered the same {reference} with Idempotency-Replayed: true: nothing is paid twice"
    ));

    r.step("App B's endpoint receives TRANSACTION_INITIATED, verifies it, then decrypts it");
    let (d, o) = inbox
        .wait_for(
            &b.handle,
            "webhook",
            "TRANSACTION_INITIATED",
            &reference,
            opts.webhook_wait,
        )
        .await?;
    show_delivery(r, &d, &o)?;
    let txn = &o.event["transaction"];
    ensure(
        txn["senderTag"] == a.tag.as_str()
            && txn["receiverTag"] == b.tag.as_str()
            && money(&txn["amount"])? == Decimal::from(AMOUNT),
        format!("the webhook describes another payment: {txn}"),
    )?;
    r.held(format!(
        "it is the payment sent: {} {CURRENCY} from {} to {}",
        plain(&txn["amount"]),
        a.tag,
        b.tag
    ));

    r.step("App B accepts with its own token: POST /v1/transactions/{reference}/accept");
    let accepted = api
        .post(
            &format!("/v1/transactions/{reference}/accept"),
            &b.token,
            200,
        )
        .await?;
    let status = &accepted["data"]["status"];
    r.line(format!("200: {reference} {}", plain(status)));
    ensure(
        status == "COMPLETED",
        format!("accept answered {status}, not COMPLETED"),
    )?;

    r.step("Both wallets moved once: GET /v1/wallet as each application");
    let after = (balance(&api, &a).await?, balance(&api, &b).await?);
    let moved = (after.0 - before.0, after.1 - before.1);
    r.line(format!(
        "{}: {} → {} {CURRENCY}",
        a.handle, before.0, after.0
    ));
    r.line(format!(
        "{}: {} → {} {CURRENCY}",
        b.handle, before.1, after.1
    ));
    let amount = Decimal::from(AMOUNT);
    ensure(
        moved == (-amount, amount),
        format!(
            "the wallets moved by {} and {}, not -{amount} and {amount}",
            moved.0, moved.1
        ),
    )?;
    r.held(format!(
        "App A debited {amount}, App B credited {amount}: one double-entry posting"
    ));

    r.step("App A's callbackUrl receives TRANSACTION_COMPLETED");
    let (d, o) = inbox
        .wait_for(
            &a.handle,
            "callback",
            "TRANSACTION_COMPLETED",
            &reference,
            opts.webhook_wait,
        )
        .await?;
    show_delivery(r, &d, &o)?;
    let txn = &o.event["transaction"];
    ensure(
        txn["status"] == "COMPLETED"
            && txn["senderTag"] == a.tag.as_str()
            && money(&txn["amount"])? == amount,
        format!("the callback describes another outcome: {txn}"),
    )?;
    r.held(format!(
        "COMPLETED, {} {CURRENCY} to {}: App A can mark order #1001 paid",
        plain(&txn["amount"]),
        plain(&txn["receiverTag"])
    ));

    r.step(&format!(
        "Delivery records: GET /v1/transactions/{reference}/webhooks, as each party"
    ));
    let seen_by_a = delivered(&api, &a, &reference).await?;
    let seen_by_b = delivered(&api, &b, &reference).await?;
    for w in &seen_by_a {
        r.line(format!(
            "{} {}: {}, {} attempt(s), delivered {}",
            plain(&w["direction"]),
            plain(&w["eventType"]),
            plain(&w["status"]),
            plain(&w["attempts"]),
            plain(&w["deliveredAt"])
        ));
    }
    // Both parties read both records; each sees only its own endpoint's URL.
    let facts = |records: &[Value]| -> Vec<(Value, Value, Value)> {
        records
            .iter()
            .map(|w| (w["id"].clone(), w["direction"].clone(), w["status"].clone()))
            .collect()
    };
    ensure(
        facts(&seen_by_a) == facts(&seen_by_b),
        format!("the parties read different records: {seen_by_a:?} and {seen_by_b:?}"),
    )?;
    let url = |records: &[Value], direction: &str| {
        records
            .iter()
            .find(|w| w["direction"] == direction)
            .map(|w| w["targetUrl"].clone())
            .unwrap_or_default()
    };
    let b_webhook = inbox.url(&b.handle, "webhook");
    ensure(
        url(&seen_by_a, "SENDER") == callback.as_str()
            && url(&seen_by_b, "RECEIVER") == b_webhook.as_str(),
        "the records name other endpoints than App A's callbackUrl and App B's webhook",
    )?;
    r.held(format!(
        "SENDER → {callback} (App A's callbackUrl), as App A reads it"
    ));
    r.held(format!(
        "RECEIVER → {b_webhook} (App B's webhook), as App B reads it"
    ));
    ensure(
        url(&seen_by_a, "RECEIVER").is_null() && url(&seen_by_b, "SENDER").is_null(),
        "a party can read the other party's webhook URL",
    )?;
    r.held("both parties read the same two records; neither sees the other's URL");

    let settled_date = settle(&api, &a, r).await?;
    Ok(Outcome {
        reference,
        sender_moved: moved.0,
        receiver_moved: moved.1,
        settled_date,
    })
}

/// Registers an application (encryption on, the default) with its webhook at the inbox, gets
/// a token, and creates its wallet, a subject and a tag, printing each call.
async fn onboard(
    api: &Api,
    inbox: &Inbox,
    r: &mut Report,
    label: &str,
    slot: &str,
    run_id: &str,
    local_tag: &str,
) -> Result<Party, DemoError> {
    let handle = format!("{slot}-{run_id}");
    r.step(&format!("{label} onboards as {handle}"));
    let registered = api
        .call(
            Method::POST,
            "/v1/applications",
            None,
            Body::Plain(&json!({
                "name": format!("{label} {run_id}"), "appHandle": handle,
                "transactionWebhookUrl": inbox.url(&handle, "webhook"),
            })),
            &[],
            201,
        )
        .await?;
    let d = &registered["data"];
    r.line(format!(
        "POST /v1/applications → 201: id {}, clientId {}, encryptionEnabled {}, webhook {}",
        plain(&d["id"]),
        plain(&d["clientId"]),
        plain(&d["encryptionEnabled"]),
        plain(&d["transactionWebhookUrl"])
    ));
    ensure(
        d["encryptionEnabled"] == true,
        "encryption is not on by default",
    )?;
    let private_jwk =
        josekit::jwk::Jwk::from_map(d["appPrivateJwk"].as_object().cloned().unwrap_or_default())
            .map_err(|e| DemoError::Check(format!("appPrivateJwk is not a JWK: {e}")))?;
    inbox.trust(
        &handle,
        AppKeys {
            webhook_secret: WebhookSecret::new(text(d, "webhookSecret")?),
            private_jwk,
        },
    );
    r.line("clientSecret, webhookSecret and appPrivateJwk are shown once: kept in memory, never printed");

    let token = api
        .call(
            Method::POST,
            "/v1/auth/token",
            None,
            Body::Plain(&json!({"client_id": d["clientId"], "client_secret": d["clientSecret"]})),
            &[],
            200,
        )
        .await?;
    let token = text(&token["data"], "token")?;
    r.line(format!(
        "POST /v1/auth/token → 200: Bearer {}",
        abbreviate(&token, 16)
    ));

    let subject = api
        .call(
            Method::POST,
            "/v1/subjects",
            Some(&token),
            Body::Sealed(&json!({"externalId": format!("user-{local_tag}")})),
            &[],
            201,
        )
        .await?;
    let subject = text(&subject["data"], "id")?;
    r.line(format!(
        "POST /v1/subjects (JWE body) → 201: subject {subject}"
    ));
    let tag = api
        .call(
            Method::POST,
            "/v1/tags",
            Some(&token),
            Body::Sealed(&json!({"tag": local_tag, "subjectId": subject})),
            &[],
            201,
        )
        .await?;
    let tag = text(&tag["data"], "qualifiedAddress")?;
    r.line(format!("POST /v1/tags (JWE body) → 201: {tag}"));
    ensure(
        tag == format!("{local_tag}@{handle}"),
        format!("the tag is {tag}, not {local_tag}@{handle}"),
    )?;
    let wallet = api.post("/v1/wallet", &token, 200).await?;
    r.line(format!(
        "POST /v1/wallet → 200: balance {} {}",
        plain(&wallet["data"]["balance"]),
        plain(&wallet["data"]["currency"])
    ));
    Ok(Party { handle, token, tag })
}

/// What the endpoint received and what its checks found; an unencrypted body, or a verifier
/// that would also have let a forgery or a replay through, stops the demo.
fn show_delivery(r: &Report, d: &Delivery, o: &Opened) -> Result<(), DemoError> {
    r.line(format!(
        "POST /{}/{} (X-IDaaS-Delivery {})",
        d.app, d.kind, d.delivery_id
    ));
    r.line(format!("  X-IDaaS-Timestamp: {}", d.timestamp));
    r.line(format!(
        "  X-IDaaS-Signature: {}",
        abbreviate(&d.signature, 27)
    ));
    if d.encrypted {
        r.line("  Content-Encryption: JWE");
    }
    r.line(format!("  body: {}", abbreviate(&d.raw, 40)));
    r.held(format!(
        "signature verified: HMAC-SHA256(webhookSecret, \"v0:\" + timestamp + \":\" + raw body), \
         constant-time compare, sent {} s ago (window ±300 s)",
        o.age_seconds
    ));
    ensure(
        o.tamper_refused && o.replay_refused,
        "the verifier would also accept a changed body or a late replay",
    )?;
    r.held("this endpoint's verifier refuses the same request with one byte changed, or replayed 6 minutes later");
    let header = o
        .jwe_header
        .as_ref()
        .filter(|_| d.encrypted)
        .ok_or_else(|| {
            DemoError::Check("the webhook arrived unencrypted although encryption is on".into())
        })?;
    r.held(format!(
        "JWE opened with the application's private key (alg {}, enc {})",
        plain(&header["alg"]),
        plain(&header["enc"])
    ));
    r.json("decrypted body:", &o.event);
    Ok(())
}

/// The gateway's health once it answers UP, waiting up to 10 s: on a busy machine a probe
/// behind it can be a moment late.
async fn healthy(api: &Api, url: &str) -> Result<Value, DemoError> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        match api.get_url(url, 200).await {
            Err(DemoError::Unexpected { .. }) if tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            answer => return answer,
        }
    }
}

/// The payment's delivery records once both say DELIVERED (the dispatcher records an
/// endpoint's 200 just after the endpoint answered), waiting up to 15 s.
async fn delivered(api: &Api, party: &Party, reference: &str) -> Result<Vec<Value>, DemoError> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let v = api
            .get(
                &format!("/v1/transactions/{reference}/webhooks"),
                Some(&party.token),
            )
            .await?;
        let records = v["data"].as_array().cloned().unwrap_or_default();
        let done = records.len() == 2 && records.iter().all(|w| w["status"] == "DELIVERED");
        if done {
            return Ok(records);
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(DemoError::Check(format!(
                "the delivery records did not both reach DELIVERED within 15 s: {v}"
            )));
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Section 13: yesterday has closed, so a run settles (or answers) it; today is refused until
/// its window closes. The settled date.
async fn settle(api: &Api, party: &Party, r: &mut Report) -> Result<String, DemoError> {
    r.step("Settlement: POST /v1/settlement/run for a closed day, then for today");
    let now = chrono::Utc::now();
    let closed = (now - chrono::Duration::days(1)).date_naive().to_string();
    let run = |date: &str, expected: u16| {
        let path = format!("/v1/settlement/run?date={date}");
        async move { api.post(&path, &party.token, expected).await }
    };
    // A batch that FAILED (the ledger was restarting, an event on its way) is tried again by
    // the platform; an integrator asks again a little later, as the demo does for up to 60 s.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let mut batch = run(&closed, 200).await?;
    while batch["data"]["status"] == "FAILED" && tokio::time::Instant::now() < deadline {
        r.line(format!(
            "{closed}: FAILED for now ({}); asking again in 5 s",
            plain(&batch["data"]["errorMessage"])
        ));
        tokio::time::sleep(Duration::from_secs(5)).await;
        batch = run(&closed, 200).await?;
    }
    let s = &batch["data"];
    r.line(format!(
        "{closed}: {} {}, credited {}, debited {}, {} transaction(s), {} application(s)",
        plain(&s["status"]),
        plain(&s["currency"]),
        plain(&s["totalCredited"]),
        plain(&s["totalDebited"]),
        plain(&s["transactionCount"]),
        plain(&s["applicationCount"])
    ));
    ensure(
        s["status"] == "COMPLETED" && s["settlementDate"] == closed.as_str(),
        format!("the run of {closed} answered {batch}"),
    )?;
    ensure(
        money(&s["totalCredited"])? == money(&s["totalDebited"])?,
        format!("{closed} does not balance: {batch}"),
    )?;
    let id = text(s, "id")?;
    let read = api
        .get(&format!("/v1/settlement/date/{closed}"), Some(&party.token))
        .await?;
    ensure(
        read["data"]["id"] == id.as_str(),
        format!("GET /v1/settlement/date/{closed} answered another batch: {read}"),
    )?;
    let rerun = run(&closed, 200).await?;
    ensure(
        rerun["data"]["id"] == id.as_str(),
        format!("a second run of {closed} answered another batch: {rerun}"),
    )?;
    r.held(format!(
        "{closed} is COMPLETED and balanced; reading it and running it again answer the same batch"
    ));

    // Now, not at the start of the step: a day that closed meanwhile would answer 200.
    let today = chrono::Utc::now().date_naive().to_string();
    let refused = run(&today, 422).await?;
    ensure(
        refused["errorCode"] == "IDAAS-STATE-5011",
        format!("today's run answered {refused}"),
    )?;
    r.line(format!(
        "{today}: 422 {}: {}",
        plain(&refused["errorCode"]),
        plain(&refused["message"])
    ));
    r.line("today's payments settle with the day whose window holds them, once it has closed");
    Ok(closed)
}

async fn balance(api: &Api, party: &Party) -> Result<Decimal, DemoError> {
    let w = api.get("/v1/wallet", Some(&party.token)).await?;
    money(&w["data"]["balance"])
}

fn money(v: &Value) -> Result<Decimal, DemoError> {
    serde_json::from_value(v.clone())
        .map_err(|e| DemoError::Check(format!("{v} is not an amount: {e}")))
}

fn text(v: &Value, field: &str) -> Result<String, DemoError> {
    v[field]
        .as_str()
        .map(str::to_owned)
        // Not the object itself: it may hold secrets shown once.
        .ok_or_else(|| DemoError::Check(format!("the answer has no {field}")))
}

fn ensure(held: bool, otherwise: impl Into<String>) -> Result<(), DemoError> {
    if held {
        Ok(())
    } else {
        Err(DemoError::Check(otherwise.into()))
    }
}
