//! The background workers of one process, owned instead of detached: each gets a cancellation
//! token, a worker that ends on its own is a failure the process reports (and exits on), and a
//! shutdown cancels every worker and waits for it to finish what it was doing.

use std::{
    future::Future,
    sync::{Arc, Mutex},
    time::Duration,
};

use tokio::{sync::watch, task::JoinHandle};
use tokio_util::sync::CancellationToken;

/// The workers spawned so far, by name.
type Tasks = Arc<Mutex<Vec<(String, JoinHandle<()>)>>>;

#[derive(Clone)]
pub struct Supervisor {
    token: CancellationToken,
    tasks: Tasks,
    failed: Arc<watch::Sender<Option<String>>>,
}

impl Default for Supervisor {
    fn default() -> Self {
        Self {
            token: CancellationToken::new(),
            tasks: Arc::default(),
            failed: Arc::new(watch::channel(None).0),
        }
    }
}

impl Supervisor {
    /// Runs `work(token)`; the worker must return soon after the token is cancelled, having
    /// finished its current unit of work. Returning before that is reported as a failure.
    pub fn spawn<F, Fut>(&self, name: &str, work: F)
    where
        F: FnOnce(CancellationToken) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let token = self.token.clone();
        let failed = self.failed.clone();
        let owned = name.to_owned();
        let fut = work(token.clone());
        let handle = tokio::spawn(async move {
            fut.await;
            if !token.is_cancelled() {
                tracing::error!(worker = %owned, "background worker stopped on its own");
                failed.send_replace(Some(owned));
            }
        });
        if let Ok(mut tasks) = self.tasks.lock() {
            tasks.push((name.to_owned(), handle));
        }
    }

    /// Resolves with the name of the first worker that stopped on its own (never, if none does).
    pub async fn first_failure(&self) -> String {
        let mut rx = self.failed.subscribe();
        loop {
            if let Some(name) = rx.borrow_and_update().clone() {
                return name;
            }
            if rx.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }

    /// Cancels every worker and waits up to `grace` for each to finish; the rest are aborted.
    pub async fn shutdown(&self, grace: Duration) {
        self.token.cancel();
        let tasks: Vec<(String, JoinHandle<()>)> = match self.tasks.lock() {
            Ok(mut t) => t.drain(..).collect(),
            Err(_) => Vec::new(),
        };
        let deadline = tokio::time::Instant::now() + grace;
        for (name, mut handle) in tasks {
            if tokio::time::timeout_at(deadline, &mut handle)
                .await
                .is_err()
            {
                tracing::warn!(worker = %name, "worker did not stop in time; aborted");
                handle.abort();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_worker_that_stops_on_its_own_is_reported_and_shutdown_waits_for_the_rest() {
        let s = Supervisor::default();
        let finished = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let done = finished.clone();
        s.spawn("cooperative", move |token| async move {
            token.cancelled().await;
            // The unit of work in hand is finished before returning.
            tokio::time::sleep(Duration::from_millis(20)).await;
            done.store(true, std::sync::atomic::Ordering::SeqCst);
        });
        s.spawn("crashing", |_| async {});
        let name = tokio::time::timeout(Duration::from_secs(5), s.first_failure()).await;
        assert_eq!(name.ok().as_deref(), Some("crashing"));
        s.shutdown(Duration::from_secs(5)).await;
        assert!(finished.load(std::sync::atomic::Ordering::SeqCst));
    }
}
