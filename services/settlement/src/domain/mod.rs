//! Settlement's rules: which time a day covers, how a batch is proved against the ledger, and
//! how a day is run once.

pub mod proof;
pub mod records;
pub mod run;
mod status;
pub mod window;

pub use status::BatchStatus;
