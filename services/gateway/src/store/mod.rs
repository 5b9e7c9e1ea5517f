//! The gateway's only state outside the process: rate-limit counters in Redis.

pub mod rate_limits;
