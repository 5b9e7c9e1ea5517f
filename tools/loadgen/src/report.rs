use std::{fmt, time::Duration};

/// Throughput and latency of one run.
pub struct Report {
    pub what: String,
    pub completed: usize,
    pub errors: usize,
    pub elapsed: Duration,
    pub latencies: Vec<Duration>,
    pub notes: Vec<String>,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((sorted.len() as f64) * p).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

impl Report {
    /// Completed operations per second.
    pub fn rate(&self) -> f64 {
        self.completed as f64 / self.elapsed.as_secs_f64().max(f64::EPSILON)
    }

    /// The latency at percentile `p` (0..=1), in milliseconds.
    pub fn latency_ms(&self, p: f64) -> f64 {
        let mut l = self.latencies.clone();
        l.sort();
        percentile(&l, p).as_secs_f64() * 1e3
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut l = self.latencies.clone();
        l.sort();
        let rate = self.completed as f64 / self.elapsed.as_secs_f64().max(f64::EPSILON);
        writeln!(
            f,
            "{}: {} completed, {} errors in {:.1} s",
            self.what,
            self.completed,
            self.errors,
            self.elapsed.as_secs_f64()
        )?;
        writeln!(f, "  throughput {rate:.1}/s")?;
        write!(
            f,
            "  latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            percentile(&l, 0.50).as_secs_f64() * 1e3,
            percentile(&l, 0.99).as_secs_f64() * 1e3,
            l.last().copied().unwrap_or_default().as_secs_f64() * 1e3
        )?;
        for n in &self.notes {
            write!(f, "\n  {n}")?;
        }
        Ok(())
    }
}
