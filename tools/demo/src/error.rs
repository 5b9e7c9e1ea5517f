//! Why the demo stopped: each names what did not hold, so `make demo` says where Flow A broke.

use std::net::SocketAddr;

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("cannot reach IDaaS at {url} ({source}); is the platform up? (make up)")]
    Unreachable {
        url: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("{what}: expected HTTP {expected}, got {status}: {body}")]
    Unexpected {
        what: String,
        expected: u16,
        status: u16,
        body: String,
    },
    #[error("the webhook endpoints could not listen on {listen}: {source}")]
    Listen {
        listen: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Check(String),
}
