use std::time::Duration;

pub const USAGE: &str =
    "usage: loadgen <bench|payments|ledger|hot|webhooks|settlement|pgbench> [--seconds N] [--concurrency N] \
[--rate PER_SECOND] [--gateway URL] [--ledger URL] [--wallets N] [--database-url URL] \
[--brokers HOST:PORT] [--topic-prefix P] [--receivers N] [--hanging N] [--linger-ms N] [--postings N]";

#[derive(Clone)]
pub struct Options {
    pub mode: String,
    pub duration: Duration,
    pub concurrency: usize,
    pub gateway: String,
    pub ledger: String,
    pub wallets: usize,
    pub database_url: String,
    /// Total operations per second to offer (spread over the workers); 0 = as fast as possible.
    pub rate: u64,
    /// `webhooks`: the broker the platform uses, and its topic prefix.
    pub brokers: String,
    pub topic_prefix: String,
    /// `webhooks`: receiving applications, and how many of them (the first) never answer.
    pub receivers: usize,
    pub hanging: usize,
    /// `webhooks`: the load generator's own producer batching (the platform's is configured).
    pub linger_ms: u64,
    /// `settlement`: postings in the day.
    pub postings: usize,
}

impl Options {
    pub fn parse(mut args: impl Iterator<Item = String>) -> Result<Self, String> {
        let mode = args.next().ok_or("a mode is required")?;
        let mut o = Options {
            mode,
            duration: Duration::from_secs(30),
            concurrency: 16,
            gateway: "http://127.0.0.1:8080".into(),
            ledger: "http://127.0.0.1:8083".into(),
            wallets: 64,
            database_url: std::env::var("IDAAS__DATABASE__URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into()),
            rate: 0,
            brokers: std::env::var("IDAAS__KAFKA__BROKERS")
                .unwrap_or_else(|_| "127.0.0.1:9092".into()),
            topic_prefix: std::env::var("IDAAS__KAFKA__TOPIC_PREFIX")
                .unwrap_or_else(|_| "idaas.".into()),
            receivers: 10,
            hanging: 0,
            linger_ms: 0,
            postings: 100_000,
        };
        while let Some(flag) = args.next() {
            let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
            let number = || {
                value
                    .parse::<u64>()
                    .map_err(|_| format!("{flag} takes a number"))
            };
            match flag.as_str() {
                // Bounded: a run never lasts more than ten minutes.
                "--seconds" => o.duration = Duration::from_secs(number()?.clamp(1, 600)),
                "--concurrency" => o.concurrency = number()?.clamp(1, 512) as usize,
                "--wallets" => o.wallets = number()?.clamp(2, 100_000) as usize,
                "--rate" => o.rate = number()?.min(1_000_000),
                "--gateway" => o.gateway = value,
                "--ledger" => o.ledger = value,
                "--database-url" => o.database_url = value,
                "--brokers" => o.brokers = value,
                "--topic-prefix" => o.topic_prefix = value,
                "--receivers" => o.receivers = number()?.clamp(1, 1_000) as usize,
                "--hanging" => o.hanging = number()? as usize,
                "--linger-ms" => o.linger_ms = number()?.min(1_000),
                "--postings" => o.postings = number()?.clamp(1, 10_000_000) as usize,
                other => return Err(format!("unknown option {other}")),
            }
        }
        if o.hanging >= o.receivers {
            return Err("--hanging must leave at least one healthy receiver".into());
        }
        Ok(o)
    }
}
