//! The request id of the request being served, for whatever it causes downstream: internal
//! HTTP calls send it as `x-request-id`, outbox events carry it as a Kafka header. A task-local
//! set by the HTTP middleware around the whole handler, so no handler has to pass it along;
//! work spawned onto other tasks (workers, relays) has none, and says so by sending none.

use std::future::Future;

/// The header (HTTP and Kafka) the request id travels in.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

tokio::task_local! {
    static CURRENT: String;
}

/// Runs `fut` with `id` as the current request id.
pub async fn with_request_id<F: Future>(id: String, fut: F) -> F::Output {
    CURRENT.scope(id, fut).await
}

/// Runs `f` as part of the request `id` (if any), for work done for a request on another task
/// (a batch that carries the request's span and id along).
pub fn in_request<R>(id: Option<String>, f: impl FnOnce() -> R) -> R {
    match id {
        Some(id) => CURRENT.sync_scope(id, f),
        None => f(),
    }
}

/// The current request id, if this task is serving a request.
pub fn current_request_id() -> Option<String> {
    CURRENT.try_with(Clone::clone).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn only_inside_the_scope() {
        assert_eq!(current_request_id(), None);
        let inside = with_request_id("r-1".into(), async { current_request_id() }).await;
        assert_eq!(inside.as_deref(), Some("r-1"));
        assert_eq!(current_request_id(), None);
    }

    #[test]
    fn work_for_a_request_elsewhere_runs_under_its_id() {
        let id = in_request(Some("r-2".into()), current_request_id);
        assert_eq!(id.as_deref(), Some("r-2"));
        assert_eq!(in_request(None, current_request_id), None);
    }
}
