//! Attempts in flight per application. The dispatcher's slots are shared; without a cap per
//! application, a receiver that hangs for its whole timeout would soon hold every slot and stall
//! every other application's deliveries.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError},
};

use uuid::Uuid;

pub struct AppSlots {
    cap: usize,
    in_flight: Mutex<HashMap<Uuid, usize>>,
}

/// One attempt's hold on its application's share; released when dropped.
pub struct AppSlot {
    slots: Arc<AppSlots>,
    app: Uuid,
}

impl AppSlots {
    pub fn new(cap: usize) -> Arc<Self> {
        Arc::new(Self {
            cap: cap.max(1),
            in_flight: Mutex::default(),
        })
    }

    /// Applications with no slot left: their due deliveries are not leased this pass.
    pub fn full(&self) -> Vec<Uuid> {
        let in_flight = self
            .in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        in_flight
            .iter()
            .filter(|(_, n)| **n >= self.cap)
            .map(|(app, _)| *app)
            .collect()
    }

    /// A slot for `app`, or `None` when it already holds `cap` attempts.
    pub fn take(self: &Arc<Self>, app: Uuid) -> Option<AppSlot> {
        let mut in_flight = self
            .in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let n = in_flight.entry(app).or_default();
        if *n >= self.cap {
            return None;
        }
        *n += 1;
        Some(AppSlot {
            slots: self.clone(),
            app,
        })
    }

    pub fn cap(&self) -> usize {
        self.cap
    }
}

impl Drop for AppSlot {
    fn drop(&mut self) {
        let mut in_flight = self
            .slots
            .in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(n) = in_flight.get_mut(&self.app) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                in_flight.remove(&self.app);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_application_never_holds_more_than_its_cap() {
        let slots = AppSlots::new(2);
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        let first = slots.take(a).unwrap();
        let _second = slots.take(a).unwrap();
        assert!(slots.take(a).is_none());
        assert_eq!(slots.full(), vec![a]);
        // Another application is not affected.
        assert!(slots.take(b).is_some());
        drop(first);
        assert!(slots.full().is_empty());
        assert!(slots.take(a).is_some());
    }

    #[test]
    fn released_applications_are_forgotten() {
        let slots = AppSlots::new(1);
        let a = Uuid::new_v4();
        drop(slots.take(a));
        assert!(slots.in_flight.lock().unwrap().is_empty());
    }
}
