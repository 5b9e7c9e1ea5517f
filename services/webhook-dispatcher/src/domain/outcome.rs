//! An attempt's result applied to its delivery, in one place: DELIVERED on a 2xx; otherwise
//! another attempt on the schedule, or FAILED with a dead letter when none is left.

use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use idaas_config::WebhookSettings;
use idaas_proto::webhook::v1::{DeliveryAttempt, WebhookDeadLetter};
use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::{schedule, DeliveryStatus};
use crate::store::deliveries::DeliveryRow;

/// What one attempt got.
#[derive(Debug, Clone)]
pub enum Attempted {
    /// A 2xx.
    Delivered { status: u16 },
    /// A non-2xx answer, no answer, or a target that may not be called.
    Failed {
        /// The HTTP status; `None` when there was no answer.
        status: Option<u16>,
        error: String,
        retry_after: Option<Duration>,
    },
}

/// One line of a delivery's history (the `history` column and the dead letter).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub number: i32,
    /// Asked for by the application (`POST /v1/webhooks/{id}/retry`), not on the schedule.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub manual: bool,
    pub at: DateTime<Utc>,
    pub status: Option<u16>,
    pub error: Option<String>,
}

impl HistoryEntry {
    /// Built field by field: the column is never written as anything but this array.
    fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("number".into(), self.number.into());
        if self.manual {
            m.insert("manual".into(), true.into());
        }
        m.insert(
            "at".into(),
            self.at.to_rfc3339_opts(SecondsFormat::AutoSi, true).into(),
        );
        m.insert(
            "status".into(),
            self.status.map_or(Value::Null, Value::from),
        );
        m.insert(
            "error".into(),
            self.error.clone().map_or(Value::Null, Value::from),
        );
        Value::Object(m)
    }
}

fn history_json(log: &[HistoryEntry]) -> Value {
    Value::Array(log.iter().map(HistoryEntry::to_json).collect())
}

/// A failed delivery's dead letter and the id it is published under.
#[derive(Debug, Clone, Default)]
pub struct DeadLetter {
    pub id: Uuid,
    pub message: WebhookDeadLetter,
}

fn history(row: &DeliveryRow) -> Vec<HistoryEntry> {
    // Written only by `apply`; an unreadable history restarts rather than failing the delivery.
    serde_json::from_value(row.history.clone()).unwrap_or_else(|e| {
        tracing::warn!(error = %e, delivery = %row.id, "delivery history unreadable; restarting it");
        Vec::new()
    })
}

/// The row after the attempt, and the dead letter to publish if the delivery has now failed.
pub fn apply(
    mut row: DeliveryRow,
    result: Attempted,
    now: DateTime<Utc>,
    settings: &WebhookSettings,
    rng: &mut impl Rng,
) -> (DeliveryRow, Option<DeadLetter>) {
    row.attempts += 1;
    row.last_attempt_at = Some(now);
    let manual = std::mem::take(&mut row.manual_pending);
    let mut log = history(&row);
    match result {
        Attempted::Delivered { status } => {
            log.push(HistoryEntry {
                number: row.attempts,
                manual,
                at: now,
                status: Some(status),
                error: None,
            });
            row.status = DeliveryStatus::Delivered;
            row.delivered_at = Some(now);
            row.last_error = None;
            row.next_attempt_at = None;
            row.history = history_json(&log);
            (row, None)
        }
        Attempted::Failed {
            status,
            error,
            retry_after,
        } => {
            log.push(HistoryEntry {
                number: row.attempts,
                manual,
                at: now,
                status,
                error: Some(error.clone()),
            });
            row.last_error = Some(error);
            row.history = history_json(&log);
            // A manual retry is one attempt; its failure was asked for and is not dead-lettered
            // again (the first exhaustion already was).
            if manual {
                row.status = DeliveryStatus::Failed;
                row.next_attempt_at = None;
                return (row, None);
            }
            match schedule::delay_before(settings, row.attempts + 1, retry_after, rng) {
                Some(wait) => {
                    let wait = chrono::Duration::from_std(wait).unwrap_or_default();
                    row.next_attempt_at = Some(now + wait);
                    (row, None)
                }
                None => {
                    row.status = DeliveryStatus::Failed;
                    row.next_attempt_at = None;
                    let letter = dead_letter(&row, &log, now);
                    (row, Some(letter))
                }
            }
        }
    }
}

/// A delivery that cannot be attempted at all (no URL registered): FAILED at once, with the
/// reason, and dead-lettered so an operator sees it; never an attempt loop.
pub fn undeliverable(
    mut row: DeliveryRow,
    reason: &str,
    now: DateTime<Utc>,
) -> (DeliveryRow, DeadLetter) {
    row.status = DeliveryStatus::Failed;
    row.last_error = Some(reason.to_owned());
    row.next_attempt_at = None;
    let letter = dead_letter(&row, &history(&row), now);
    (row, letter)
}

fn dead_letter(row: &DeliveryRow, log: &[HistoryEntry], now: DateTime<Utc>) -> DeadLetter {
    let id = Uuid::now_v7();
    let message = WebhookDeadLetter {
        event_id: id.to_string(),
        source_event_id: row.event_id.clone(),
        delivery_id: row.id.to_string(),
        transaction_reference: row.transaction_reference.clone(),
        application_id: row.application_id.to_string(),
        direction: row.direction.as_str().to_owned(),
        event_type: row.event_type.clone(),
        target_url: row.target_url.clone().unwrap_or_default(),
        reason: row.last_error.clone().unwrap_or_default(),
        attempts: log
            .iter()
            .map(|h| DeliveryAttempt {
                number: h.number,
                at: h.at.to_rfc3339(),
                status: h.status.map(i32::from).unwrap_or(0),
                error: h.error.clone().unwrap_or_default(),
            })
            .collect(),
        payload_json: row.payload.clone(),
        failed_at: now.to_rfc3339(),
    };
    DeadLetter { id, message }
}

#[cfg(test)]
mod tests {
    use rand::{rngs::StdRng, SeedableRng};

    use super::*;
    use crate::domain::Direction;

    fn row() -> DeliveryRow {
        DeliveryRow {
            id: Uuid::new_v4(),
            event_id: "e1".into(),
            transaction_reference: "TXN-1".into(),
            application_id: Uuid::new_v4(),
            direction: Direction::Receiver,
            event_type: "TRANSACTION_INITIATED".into(),
            target_url: Some("http://127.0.0.1:9/hook".into()),
            payload: "{}".into(),
            status: DeliveryStatus::Pending,
            attempts: 0,
            last_error: None,
            last_attempt_at: None,
            delivered_at: None,
            next_attempt_at: Some(Utc::now()),
            traceparent: None,
            history: serde_json::json!([]),
            created_at: Utc::now(),
            sender_application_id: None,
            receiver_application_id: None,
            manual_requested_at: None,
            manual_requested_by: None,
            manual_pending: false,
        }
    }

    fn failed() -> Attempted {
        Attempted::Failed {
            status: Some(500),
            error: "HTTP 500".into(),
            retry_after: None,
        }
    }

    #[test]
    fn two_failures_then_success_is_delivered_on_the_third_attempt() {
        let (s, mut rng, now) = (
            WebhookSettings::default(),
            StdRng::seed_from_u64(1),
            Utc::now(),
        );
        let (r, dl) = apply(row(), failed(), now, &s, &mut rng);
        assert!(dl.is_none());
        assert_eq!((r.status, r.attempts), (DeliveryStatus::Pending, 1));
        let (r, _) = apply(r, failed(), now, &s, &mut rng);
        let (r, dl) = apply(r, Attempted::Delivered { status: 204 }, now, &s, &mut rng);
        assert!(dl.is_none());
        assert_eq!((r.status, r.attempts), (DeliveryStatus::Delivered, 3));
        assert_eq!(r.delivered_at, Some(now));
        assert_eq!(r.history.as_array().map(Vec::len), Some(3));
        // What is written reads back as the same history.
        let back = history(&r);
        assert_eq!(back.len(), 3);
        assert_eq!((back[0].at, back[2].status), (now, Some(204)));
    }

    #[test]
    fn exhausted_attempts_fail_with_a_dead_letter_carrying_the_history() {
        let (s, mut rng, now) = (
            WebhookSettings::default(),
            StdRng::seed_from_u64(1),
            Utc::now(),
        );
        let (r, _) = apply(row(), failed(), now, &s, &mut rng);
        let (r, _) = apply(r, failed(), now, &s, &mut rng);
        let (r, dl) = apply(r, failed(), now, &s, &mut rng);
        assert_eq!((r.status, r.attempts), (DeliveryStatus::Failed, 3));
        let dl = dl.unwrap_or_default().message;
        assert_eq!(dl.delivery_id, r.id.to_string());
        assert_eq!(dl.attempts.len(), 3);
        assert_eq!(dl.reason, "HTTP 500");
        assert_eq!(r.next_attempt_at, None);
    }
}
