//! Boots the whole platform as separate processes (the real binaries), each on a free port with
//! its own fresh database, sharing one fresh topic prefix and key set, and tears it down after.
#![allow(clippy::expect_used, clippy::panic, clippy::unwrap_used)]

mod platform;
mod private_servers;
mod raw_http;
mod tenants;

pub use platform::{free_port, Platform, PlatformOptions};
pub use private_servers::{PrivateBroker, PrivateRedis};
pub use raw_http::raw_request;
pub use tenants::Tenant;
