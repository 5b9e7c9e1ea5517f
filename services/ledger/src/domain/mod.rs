//! The ledger's rules, free of SQL and HTTP.

mod entry_type;

pub use entry_type::EntryType;
