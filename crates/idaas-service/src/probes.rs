//! What a process says about itself at `/actuator/*`. Backend services answer from their
//! [`Infra`](crate::Infra); the gateway, which owns no database, answers from its own state.

use std::future::Future;

use actix_web::web;
use idaas_web::HealthReport;

pub trait Probes: Send + Sync + 'static {
    /// The public summary: each dependency UP or DOWN, cached by the implementation.
    fn health(&self) -> impl Future<Output = HealthReport>;
    /// Kubernetes liveness: the process answers and its background loops still beat.
    fn liveness(&self) -> HealthReport;
    /// Kubernetes readiness: this replica can serve requests now.
    fn readiness(&self) -> impl Future<Output = HealthReport>;
    /// The service name `/actuator/info` reports.
    fn name(&self) -> &str;
    /// Gauges read at scrape time (pool use, outbox backlog), refreshed before each render.
    fn refresh_gauges(&self) -> impl Future<Output = ()> {
        std::future::ready(())
    }
    /// Shared state the routes extract beside the probes themselves (`web::Data<Self>`).
    fn app_data(&self, _cfg: &mut web::ServiceConfig) {}
}
