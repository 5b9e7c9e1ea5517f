//! Liveness of background work: each loop beats after every pass, and the process is live only
//! while every loop has beaten within its allowed silence. A loop that died (a panic) or hangs
//! makes the liveness probe fail, so Kubernetes restarts the pod instead of leaving events or
//! expiries silently stopped behind a healthy-looking process.

use std::{
    sync::{
        atomic::{AtomicI64, Ordering},
        Arc, Mutex,
    },
    time::{Duration, SystemTime, UNIX_EPOCH},
};

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

#[derive(Clone)]
pub struct Heartbeat(Arc<AtomicI64>);

impl Heartbeat {
    pub fn beat(&self) {
        self.0.store(now_secs(), Ordering::Relaxed);
    }
}

struct Entry {
    name: String,
    max_silence: Duration,
    last: Arc<AtomicI64>,
}

/// Every registered loop of one process.
#[derive(Clone, Default)]
pub struct Heartbeats(Arc<Mutex<Vec<Entry>>>);

impl Heartbeats {
    /// Registers a loop that must beat at least every `max_silence`; it counts as just beaten.
    pub fn register(&self, name: &str, max_silence: Duration) -> Heartbeat {
        let last = Arc::new(AtomicI64::new(now_secs()));
        if let Ok(mut entries) = self.0.lock() {
            entries.push(Entry {
                name: name.to_owned(),
                max_silence,
                last: last.clone(),
            });
        }
        Heartbeat(last)
    }

    /// The loops that have been silent too long (empty: all alive).
    pub fn silent(&self) -> Vec<String> {
        let now = now_secs();
        let Ok(entries) = self.0.lock() else {
            return vec!["heartbeats".to_owned()];
        };
        entries
            .iter()
            .filter(|e| {
                let allowed = i64::try_from(e.max_silence.as_secs()).unwrap_or(i64::MAX);
                now - e.last.load(Ordering::Relaxed) > allowed
            })
            .map(|e| e.name.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_loop_that_stops_beating_is_reported() {
        let beats = Heartbeats::default();
        let alive = beats.register("alive", Duration::from_secs(60));
        let stuck = beats.register("stuck", Duration::from_secs(0));
        alive.beat();
        stuck.0.store(now_secs() - 5, Ordering::Relaxed);
        assert_eq!(beats.silent(), vec!["stuck".to_owned()]);
        stuck.beat();
        assert!(beats.silent().is_empty());
    }
}
