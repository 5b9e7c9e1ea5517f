//! Cryptography of the platform, assembled from RustCrypto primitives (never hand-rolled).

pub mod at_rest;
pub mod jwe;
pub mod keys;
pub mod secret;
pub mod secret_hash;
pub mod signature;

mod b64;

/// Unpadded base64url, as JOSE writes it.
pub use b64::encode as b64_url;
