//! The box's ceiling for one durable commit: `pgbench -b tpcb-like -c 8 -T <seconds>` on a
//! scratch database of the same PostgreSQL, so every figure can be read as a ratio.

use std::{process::Command, time::Duration};

use crate::{options::Options, report::Report};

pub fn run_cmd(cmd: &mut Command) -> Result<String, String> {
    let out = cmd.output().map_err(|e| {
        format!("{cmd:?}: {e} (is it installed? pgbench and psql come with the PostgreSQL client)")
    })?;
    if !out.status.success() {
        return Err(format!("{cmd:?}: {}", String::from_utf8_lossy(&out.stderr)));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

pub fn run(o: &Options) -> Result<Report, String> {
    let base = o.database_url.trim_end_matches('/');
    let admin = format!("{base}/postgres");
    let db = "idaas_pgbench";
    let _ = run_cmd(Command::new("psql").args([
        admin.as_str(),
        "-qc",
        &format!("DROP DATABASE IF EXISTS {db}"),
    ]));
    run_cmd(Command::new("psql").args([admin.as_str(), "-qc", &format!("CREATE DATABASE {db}")]))?;
    let url = format!("{base}/{db}");
    run_cmd(Command::new("pgbench").args(["-i", "-q", "-s", "8", url.as_str()]))?;
    let secs = o.duration.as_secs().to_string();
    let out = run_cmd(Command::new("pgbench").args([
        "-b",
        "tpcb-like",
        "-c",
        "8",
        "-j",
        "2",
        "-T",
        secs.as_str(),
        url.as_str(),
    ]))?;
    let _ = run_cmd(Command::new("psql").args([
        admin.as_str(),
        "-qc",
        &format!("DROP DATABASE IF EXISTS {db}"),
    ]));
    let tps = out
        .lines()
        .find(|l| l.starts_with("tps"))
        .and_then(|l| l.split_whitespace().nth(2))
        .and_then(|v| v.parse::<f64>().ok())
        .ok_or_else(|| format!("no tps line in pgbench output:\n{out}"))?;
    let latency = out
        .lines()
        .find(|l| l.starts_with("latency average"))
        .unwrap_or("latency average = ?")
        .to_owned();
    Ok(Report {
        what: "pgbench -b tpcb-like -c 8 (baseline)".into(),
        completed: (tps * o.duration.as_secs_f64()) as usize,
        errors: 0,
        elapsed: Duration::from_secs_f64(o.duration.as_secs_f64()),
        latencies: Vec::new(),
        notes: vec![format!("tps {tps:.1}"), latency],
    })
}
