//! Event contracts shared by producers and consumers.

#[allow(clippy::all)]
pub mod identity {
    pub mod v1 {
        include!(concat!(env!("OUT_DIR"), "/idaas.identity.v1.rs"));
    }
}

#[allow(clippy::all)]
pub mod ledger {
    pub mod v1 {
        include!(concat!(env!("OUT_DIR"), "/idaas.ledger.v1.rs"));
    }
}

#[allow(clippy::all)]
pub mod settlement {
    pub mod v1 {
        include!(concat!(env!("OUT_DIR"), "/idaas.settlement.v1.rs"));
    }
}

#[allow(clippy::all)]
pub mod transaction {
    pub mod v1 {
        include!(concat!(env!("OUT_DIR"), "/idaas.transaction.v1.rs"));
    }
}

#[allow(clippy::all)]
pub mod webhook {
    pub mod v1 {
        include!(concat!(env!("OUT_DIR"), "/idaas.webhook.v1.rs"));
    }
}

pub use prost::Message;

/// Every contract above as an encoded `FileDescriptorSet`, for decoding by name.
pub const FILE_DESCRIPTOR_SET: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/descriptors.bin"));
