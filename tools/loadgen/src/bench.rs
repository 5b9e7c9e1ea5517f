//! `bench`: every throughput scenario of issue 11 in one run, against the platform as it is
//! running, then one table of figures, ratios and targets, then the correctness checks the
//! figures are worthless without (ledger invariants; completed payments = their postings).

use std::process::Command;

use crate::{options::Options, pgbench, report::Report, scenarios};

/// One row of the table: the measure, its figure, the ratio the target is set on, the target.
struct Row {
    id: &'static str,
    measure: String,
    figure: String,
    ratio: f64,
    target: f64,
    /// `true` when the ratio must be at most the target (latencies).
    at_most: bool,
}

impl Row {
    fn met(&self) -> &'static str {
        let ok = if self.at_most {
            self.ratio <= self.target
        } else {
            self.ratio >= self.target
        };
        if ok {
            "yes"
        } else {
            "no"
        }
    }
}

fn figure(r: &Report) -> String {
    format!(
        "{:.0}/s, p50 {:.1} ms, p99 {:.1} ms, {} errors",
        r.rate(),
        r.latency_ms(0.5),
        r.latency_ms(0.99),
        r.errors
    )
}

/// Runs `psql -Atc sql` on one of the platform's databases.
fn psql(o: &Options, db: &str, sql: &str) -> Result<String, String> {
    let url = format!("{}/{db}", o.database_url.trim_end_matches('/'));
    pgbench::run_cmd(Command::new("psql").args([url.as_str(), "-Atc", sql]))
        .map(|out| out.trim().to_owned())
}

/// The ledger's invariants on the live database (the testkit's list), and completed payments
/// against their postings: a line each, `ok` or what broke.
fn checks(o: &Options) -> Result<Vec<String>, String> {
    let mut lines = Vec::new();
    for (name, sql) in idaas_testkit::LEDGER_INVARIANTS {
        let n = psql(o, "idaas_ledger", &format!("SELECT n FROM ({sql}) q"))?;
        lines.push(format!(
            "{name}: {}",
            if n == "0" {
                "ok".into()
            } else {
                format!("{n} VIOLATIONS")
            }
        ));
    }
    let completed = psql(
        o,
        "idaas_transaction",
        "SELECT count(*) FROM transactions WHERE status = 'COMPLETED'",
    )?;
    let posted = psql(
        o,
        "idaas_ledger",
        "SELECT count(*) FROM postings WHERE transaction_reference LIKE 'TXN-%'",
    )?;
    lines.push(format!(
        "completed payments = their postings: {completed} = {posted}: {}",
        if completed == posted {
            "ok"
        } else {
            "MISMATCH"
        }
    ));
    Ok(lines)
}

pub async fn run(o: &Options) -> Result<(), String> {
    eprintln!("bench: pgbench");
    let pg = pgbench::run(o)?;
    eprintln!("bench: ledger, uniform");
    let uniform = scenarios::ledger(o, false).await?;
    eprintln!("bench: ledger, one hot pair");
    let hot = scenarios::ledger(o, true).await?;
    eprintln!("bench: payments, closed loop");
    let peak = scenarios::payments(o).await?;
    let half = Options {
        rate: ((peak.rate() / 2.0).round() as u64).max(1),
        ..o.clone()
    };
    eprintln!("bench: payments, open loop at {}/s", half.rate);
    let paced = scenarios::payments(&half).await?;

    let base = pg.rate().max(f64::EPSILON);
    let rows = [
        Row {
            id: "P2",
            measure: "ledger postings/s, uniform over the wallets".into(),
            figure: figure(&uniform),
            ratio: uniform.rate() / base,
            target: 2.0,
            at_most: false,
        },
        Row {
            id: "P2h",
            measure: "ledger postings/s, one hot pair (ratio to uniform)".into(),
            figure: figure(&hot),
            ratio: hot.rate() / uniform.rate().max(f64::EPSILON),
            target: 0.7,
            at_most: false,
        },
        Row {
            id: "P1",
            measure: "completed payments/s through the gateway".into(),
            figure: figure(&peak),
            ratio: peak.rate() / base,
            target: 0.25,
            at_most: false,
        },
        Row {
            id: "P4",
            measure: format!("accept p50 (ms) at {}/s, open loop", half.rate),
            figure: figure(&paced),
            ratio: paced.latency_ms(0.5),
            target: 5.0,
            at_most: true,
        },
        Row {
            id: "P4",
            measure: format!("accept p99 (ms) at {}/s, open loop", half.rate),
            figure: String::new(),
            ratio: paced.latency_ms(0.99),
            target: 25.0,
            at_most: true,
        },
    ];
    println!(
        "pgbench tpcb-like -c 8: {:.0} tps (the ratios' base)\n",
        pg.rate()
    );
    println!("| id | measure | figure | ratio | target | met? |");
    println!("|---|---|---|---|---|---|");
    for r in &rows {
        let bound = if r.at_most { "≤" } else { "≥" };
        println!(
            "| {} | {} | {} | {:.2} | {bound} {} | {} |",
            r.id,
            r.measure,
            r.figure,
            r.ratio,
            r.target,
            r.met()
        );
    }
    println!();
    for line in checks(o)? {
        println!("{line}");
    }
    Ok(())
}
