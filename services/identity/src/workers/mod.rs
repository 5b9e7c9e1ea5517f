//! Background work identity runs beside its API.

pub mod revocation_sync;
