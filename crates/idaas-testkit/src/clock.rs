//! A clock the test moves: deadlines pass when the test says so, not after a sleep.

use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};
use idaas_service::Clock;

#[derive(Debug)]
pub struct ManualClock {
    at: Mutex<DateTime<Utc>>,
}

impl Default for ManualClock {
    /// Starts at the wall clock's now, so timestamps stay plausible next to the database's.
    fn default() -> Self {
        Self {
            at: Mutex::new(Utc::now()),
        }
    }
}

impl ManualClock {
    pub fn starting_at(at: DateTime<Utc>) -> Self {
        Self { at: Mutex::new(at) }
    }

    pub fn set(&self, to: DateTime<Utc>) {
        *self.at.lock().unwrap_or_else(|p| p.into_inner()) = to;
    }

    pub fn advance(&self, by: Duration) {
        let mut at = self.at.lock().unwrap_or_else(|p| p.into_inner());
        *at += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.at.lock().unwrap_or_else(|p| p.into_inner())
    }
}
