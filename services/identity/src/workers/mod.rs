//! Background work identity runs beside its API.

pub mod idempotency_purge;
pub mod revocation_sync;
