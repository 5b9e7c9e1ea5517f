use std::time::Duration;

pub const USAGE: &str =
    "usage: loadgen <payments|ledger|hot|pgbench> [--seconds N] [--concurrency N] \
[--rate PER_SECOND] [--gateway URL] [--ledger URL] [--wallets N] [--database-url URL]";

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
                other => return Err(format!("unknown option {other}")),
            }
        }
        Ok(o)
    }
}
