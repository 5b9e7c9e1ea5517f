//! Cryptography of the platform, assembled from RustCrypto primitives (never hand-rolled).

pub mod at_rest;
pub mod jwe;
pub mod keys;
pub mod secret;
pub mod secret_hash;
pub mod signature;

mod b64;
