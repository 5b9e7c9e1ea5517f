//! The dispatcher's rules: delivery states, the retry schedule, what an attempt sends, which
//! targets it may reach, how an attempt's result moves a delivery, and how many attempts one
//! application may hold at once.

pub mod app_slots;
pub mod outcome;
pub mod records;
pub mod request;
pub mod schedule;
mod status;
pub mod target;

pub use status::{DeliveryStatus, Direction};
