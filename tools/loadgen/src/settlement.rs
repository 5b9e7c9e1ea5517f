//! `settlement`: one settlement day of `--postings` payments over `--wallets` wallets, then the
//! time to settle it. The day is seeded the way the ledger makes it, minus HTTP: wallets,
//! postings and entries (exact running balances) written into the ledger's database, and one
//! `LedgerPosted` event per posting on `<prefix>ledger`, from which settlement builds its view.
//! Once settlement has recorded every entry, `POST /v1/settlement/run` is timed through the
//! gateway: settlement's aggregation, the ledger's window for the proof, and the commit.
//!
//! The date is an old one chosen at random (the daily job never looks that far back), so runs
//! do not meet each other's batches.

use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use diesel::sql_types::{Array, BigInt, Numeric, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use idaas_kafka::{rdkafka::producer::FutureRecord, Topics};
use idaas_proto::{
    ledger::v1::{LedgerEntry, LedgerPosted},
    Message,
};
use rand::{rngs::StdRng, Rng, SeedableRng};
use rust_decimal::Decimal;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::{options::Options, report::Report};

/// Rows per INSERT while seeding.
const CHUNK: usize = 5_000;

struct Wallet {
    id: Uuid,
    app: Uuid,
    name: String,
    balance: Decimal,
    credited: Decimal,
    debited: Decimal,
    entries: i64,
}

struct Entry {
    id: Uuid,
    wallet: usize,
    sequence: i64,
    credit: bool,
    opening: Decimal,
    closing: Decimal,
}

struct Posting {
    id: Uuid,
    reference: String,
    amount: Decimal,
    at: DateTime<Utc>,
    debit: Entry,
    credit: Entry,
}

fn book(w: &mut Wallet, credit: bool, amount: Decimal, id: Uuid, wallet: usize) -> Entry {
    let opening = w.balance;
    if credit {
        w.credited += amount;
        w.balance += amount;
    } else {
        w.debited += amount;
        w.balance -= amount;
    }
    w.entries += 1;
    Entry {
        id,
        wallet,
        sequence: w.entries,
        credit,
        opening,
        closing: w.balance,
    }
}

/// The day's postings in time order, with the wallets as they end it.
fn generate(o: &Options, start: DateTime<Utc>, rng: &mut StdRng) -> (Vec<Wallet>, Vec<Posting>) {
    let mut wallets: Vec<Wallet> = (0..o.wallets)
        .map(|i| Wallet {
            id: Uuid::new_v4(),
            app: Uuid::new_v4(),
            name: format!("Load settle {i}"),
            balance: Decimal::ZERO,
            credited: Decimal::ZERO,
            debited: Decimal::ZERO,
            entries: 0,
        })
        .collect();
    let step = TimeDelta::milliseconds(86_400_000 / i64::try_from(o.postings).unwrap_or(1).max(1));
    let run = Uuid::new_v4().simple().to_string();
    let postings = (0..o.postings)
        .map(|n| {
            let from = rng.gen_range(0..wallets.len());
            let to = (from + rng.gen_range(1..wallets.len())) % wallets.len();
            let amount = Decimal::new(rng.gen_range(100..1_000_000), 4);
            let debit = book(&mut wallets[from], false, amount, Uuid::now_v7(), from);
            let credit = book(&mut wallets[to], true, amount, Uuid::now_v7(), to);
            Posting {
                id: Uuid::now_v7(),
                reference: format!("LOADSET-{}-{n}", &run[..12]),
                amount,
                at: start + step * i32::try_from(n).unwrap_or(i32::MAX),
                debit,
                credit,
            }
        })
        .collect();
    (wallets, postings)
}

async fn seed_ledger(
    url: &str,
    wallets: &[Wallet],
    postings: &[Posting],
    currency: &str,
) -> Result<(), String> {
    use diesel_async::RunQueryDsl;
    let mut c = AsyncPgConnection::establish(url)
        .await
        .map_err(|e| format!("ledger database {url}: {e}"))?;
    let now = Utc::now();
    diesel::sql_query(
        "INSERT INTO wallets (id, application_id, application_name, currency, balance,
                              total_credited, total_debited, entry_count, created_at, updated_at)
         SELECT *, $9::timestamptz, $9::timestamptz FROM unnest($1::uuid[], $2::uuid[], $3::text[],
                $4::text[], $5::numeric[], $6::numeric[], $7::numeric[], $8::bigint[])",
    )
    .bind::<Array<SqlUuid>, _>(wallets.iter().map(|w| w.id).collect::<Vec<_>>())
    .bind::<Array<SqlUuid>, _>(wallets.iter().map(|w| w.app).collect::<Vec<_>>())
    .bind::<Array<Text>, _>(wallets.iter().map(|w| w.name.clone()).collect::<Vec<_>>())
    .bind::<Array<Text>, _>(vec![currency.to_owned(); wallets.len()])
    .bind::<Array<Numeric>, _>(wallets.iter().map(|w| w.balance).collect::<Vec<_>>())
    .bind::<Array<Numeric>, _>(wallets.iter().map(|w| w.credited).collect::<Vec<_>>())
    .bind::<Array<Numeric>, _>(wallets.iter().map(|w| w.debited).collect::<Vec<_>>())
    .bind::<Array<BigInt>, _>(wallets.iter().map(|w| w.entries).collect::<Vec<_>>())
    .bind::<Timestamptz, _>(now)
    .execute(&mut c)
    .await
    .map_err(|e| format!("seeding wallets: {e}"))?;
    for chunk in postings.chunks(CHUNK) {
        diesel::sql_query(
            "INSERT INTO postings (id, transaction_reference, sender_wallet_id, receiver_wallet_id,
                                   amount, currency, created_at)
             SELECT p.id, p.r, p.s, p.t, p.a, $6, p.at
               FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::uuid[], $5::numeric[],
                           $7::timestamptz[]) AS p(id, r, s, t, a, at)",
        )
        .bind::<Array<SqlUuid>, _>(chunk.iter().map(|p| p.id).collect::<Vec<_>>())
        .bind::<Array<Text>, _>(
            chunk
                .iter()
                .map(|p| p.reference.clone())
                .collect::<Vec<_>>(),
        )
        .bind::<Array<SqlUuid>, _>(
            chunk
                .iter()
                .map(|p| wallets[p.debit.wallet].id)
                .collect::<Vec<_>>(),
        )
        .bind::<Array<SqlUuid>, _>(
            chunk
                .iter()
                .map(|p| wallets[p.credit.wallet].id)
                .collect::<Vec<_>>(),
        )
        .bind::<Array<Numeric>, _>(chunk.iter().map(|p| p.amount).collect::<Vec<_>>())
        .bind::<Text, _>(currency)
        .bind::<Array<Timestamptz>, _>(chunk.iter().map(|p| p.at).collect::<Vec<_>>())
        .execute(&mut c)
        .await
        .map_err(|e| format!("seeding postings: {e}"))?;
        let entries: Vec<(&Posting, &Entry)> = chunk
            .iter()
            .flat_map(|p| [(p, &p.debit), (p, &p.credit)])
            .collect();
        diesel::sql_query(
            "INSERT INTO ledger_entries (id, posting_id, wallet_id, sequence, transaction_reference,
                                         entry_type, amount, currency, opening_balance,
                                         closing_balance, description, created_at)
             SELECT e.id, e.p, e.w, e.s, e.r, e.t, e.a, $11, e.o, e.c, 'load', e.at
               FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::bigint[], $5::text[],
                           $6::text[], $7::numeric[], $8::numeric[], $9::numeric[],
                           $10::timestamptz[]) AS e(id, p, w, s, r, t, a, o, c, at)",
        )
        .bind::<Array<SqlUuid>, _>(entries.iter().map(|(_, e)| e.id).collect::<Vec<_>>())
        .bind::<Array<SqlUuid>, _>(entries.iter().map(|(p, _)| p.id).collect::<Vec<_>>())
        .bind::<Array<SqlUuid>, _>(
            entries
                .iter()
                .map(|(_, e)| wallets[e.wallet].id)
                .collect::<Vec<_>>(),
        )
        .bind::<Array<BigInt>, _>(entries.iter().map(|(_, e)| e.sequence).collect::<Vec<_>>())
        .bind::<Array<Text>, _>(
            entries
                .iter()
                .map(|(p, _)| p.reference.clone())
                .collect::<Vec<_>>(),
        )
        .bind::<Array<Text>, _>(
            entries
                .iter()
                .map(|(_, e)| if e.credit { "CREDIT" } else { "DEBIT" }.to_owned())
                .collect::<Vec<_>>(),
        )
        .bind::<Array<Numeric>, _>(entries.iter().map(|(p, _)| p.amount).collect::<Vec<_>>())
        .bind::<Array<Numeric>, _>(entries.iter().map(|(_, e)| e.opening).collect::<Vec<_>>())
        .bind::<Array<Numeric>, _>(entries.iter().map(|(_, e)| e.closing).collect::<Vec<_>>())
        .bind::<Array<Timestamptz>, _>(entries.iter().map(|(p, _)| p.at).collect::<Vec<_>>())
        .bind::<Text, _>(currency)
        .execute(&mut c)
        .await
        .map_err(|e| format!("seeding entries: {e}"))?;
    }
    Ok(())
}

fn event(p: &Posting, wallets: &[Wallet], currency: &str) -> LedgerPosted {
    let entry = |e: &Entry| {
        let w = &wallets[e.wallet];
        LedgerEntry {
            entry_id: e.id.to_string(),
            wallet_id: w.id.to_string(),
            application_id: w.app.to_string(),
            entry_type: if e.credit { "CREDIT" } else { "DEBIT" }.into(),
            amount: format!("{:.4}", p.amount),
            opening_balance: format!("{:.4}", e.opening),
            closing_balance: format!("{:.4}", e.closing),
            sequence: e.sequence,
            application_name: w.name.clone(),
        }
    };
    LedgerPosted {
        event_id: Uuid::now_v7().to_string(),
        posting_id: p.id.to_string(),
        transaction_reference: p.reference.clone(),
        currency: currency.to_owned(),
        amount: format!("{:.4}", p.amount),
        occurred_at: p.at.to_rfc3339(),
        entries: vec![entry(&p.debit), entry(&p.credit)],
    }
}

async fn publish(
    o: &Options,
    wallets: &[Wallet],
    postings: &[Posting],
    currency: &str,
) -> Result<(), String> {
    let kafka = crate::webhooks::kafka_settings(o);
    let producer = idaas_kafka::build_producer(&kafka).map_err(|e| e.to_string())?;
    let topic = Topics::new(o.topic_prefix.clone()).ledger();
    for chunk in postings.chunks(CHUNK) {
        let events: Vec<(String, Vec<u8>)> = chunk
            .iter()
            .map(|p| {
                let e = event(p, wallets, currency);
                (e.event_id.clone(), e.encode_to_vec())
            })
            .collect();
        let mut sends = Vec::with_capacity(chunk.len());
        for (p, (id, bytes)) in chunk.iter().zip(&events) {
            let headers = idaas_kafka::headers::build(
                id,
                "LedgerPosted",
                &idaas_telemetry::TraceHeaders::default(),
            );
            let record = FutureRecord::to(&topic)
                .key(&p.reference)
                .payload(bytes)
                .headers(headers);
            sends.push(producer.send(record, Duration::from_secs(60)));
        }
        for s in futures::future::join_all(sends).await {
            s.map_err(|(e, _)| format!("publishing: {e}"))?;
        }
    }
    Ok(())
}

async fn recorded(url: &str, start: DateTime<Utc>, end: DateTime<Utc>) -> Result<i64, String> {
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    use diesel_async::RunQueryDsl;
    let mut c = AsyncPgConnection::establish(url)
        .await
        .map_err(|e| format!("settlement database {url}: {e}"))?;
    diesel::sql_query(
        "SELECT COUNT(*) AS n FROM posted_entries WHERE occurred_at >= $1 AND occurred_at < $2",
    )
    .bind::<Timestamptz, _>(start)
    .bind::<Timestamptz, _>(end)
    .get_result::<N>(&mut c)
    .await
    .map(|r| r.n)
    .map_err(|e| e.to_string())
}

async fn tenant_token(http: &reqwest::Client, gateway: &str) -> Result<String, String> {
    let handle = format!("ldset{}", &Uuid::new_v4().simple().to_string()[..8]);
    let reg: Value = http
        .post(format!("{gateway}/api/v1/applications"))
        .json(&json!({"name": format!("Load {handle}"), "appHandle": handle}))
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    let tok: Value = http
        .post(format!("{gateway}/api/v1/auth/token"))
        .json(&json!({"client_id": reg["data"]["clientId"], "client_secret": reg["data"]["clientSecret"]}))
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    tok["data"]["token"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("no token: {tok}"))
}

pub async fn run(o: &Options) -> Result<Report, String> {
    let mut rng = StdRng::from_entropy();
    // A day in 2001–2020: the job's look-back never reaches it, and runs rarely share one.
    let date = NaiveDate::from_ymd_opt(2001, 1, 1)
        .and_then(|d| d.checked_add_days(chrono::Days::new(rng.gen_range(0..7_000))))
        .ok_or("no date")?;
    let start = (date - chrono::Days::new(1))
        .and_hms_opt(23, 59, 0)
        .ok_or("no start")?
        .and_utc();
    let end = start + TimeDelta::days(1);
    let currency = "NGN";
    let db = |name: &str| format!("{}/{name}", o.database_url.trim_end_matches('/'));

    let t = Instant::now();
    let (wallets, postings) = generate(o, start, &mut rng);
    seed_ledger(&db("idaas_ledger"), &wallets, &postings, currency).await?;
    let seeded = t.elapsed();
    let t = Instant::now();
    publish(o, &wallets, &postings, currency).await?;
    let published = t.elapsed();
    let want = i64::try_from(postings.len() * 2).unwrap_or(i64::MAX);
    let deadline = Instant::now() + Duration::from_secs(900);
    let mut have = 0;
    while have < want {
        if Instant::now() > deadline {
            return Err(format!(
                "settlement recorded {have} of {want} entries in 15 minutes"
            ));
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        have = recorded(&db("idaas_settlement"), start, end).await?;
    }
    let ingested = t.elapsed();

    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(600))
        .build()
        .map_err(|e| e.to_string())?;
    let token = tenant_token(&http, &o.gateway).await?;
    let url = format!("{}/api/v1/settlement/run?date={date}", o.gateway);
    let mut latencies = Vec::new();
    let mut body = Value::Null;
    // The first run settles; the second finds the day settled.
    for _ in 0..2 {
        let t = Instant::now();
        let resp = http
            .post(&url)
            .bearer_auth(&token)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        latencies.push(t.elapsed());
        body = resp.json().await.map_err(|e| e.to_string())?;
    }
    let data = &body["data"];
    let completed = data["status"] == "COMPLETED"
        && data["transactionCount"].as_u64() == u64::try_from(postings.len()).ok();
    Ok(Report {
        what: format!(
            "settlement of {date}: {} postings over {} wallets",
            postings.len(),
            wallets.len()
        ),
        completed: usize::from(completed),
        errors: usize::from(!completed),
        elapsed: latencies.first().copied().unwrap_or_default(),
        latencies: latencies.clone(),
        notes: vec![
            format!("seeding the ledger's database took {:.1} s", seeded.as_secs_f64()),
            format!(
                "publishing {} LedgerPosted events took {:.1} s; settlement had recorded all {want} entries {:.1} s after the first was sent",
                postings.len(),
                published.as_secs_f64(),
                ingested.as_secs_f64()
            ),
            format!(
                "settling the day (POST /v1/settlement/run through the gateway): {:.2} s; asking again: {:.3} s",
                latencies.first().map_or(0.0, Duration::as_secs_f64),
                latencies.get(1).map_or(0.0, Duration::as_secs_f64)
            ),
            format!(
                "batch: status {}, transactionCount {}, applicationCount {}, totalCredited {}{}",
                data["status"],
                data["transactionCount"],
                data["applicationCount"],
                data["totalCredited"],
                data["errorMessage"]
                    .as_str()
                    .map(|e| format!(", errorMessage {e}"))
                    .unwrap_or_default()
            ),
        ],
    })
}
