//! The public response contract: one envelope, one error catalog, one pagination shape.

mod envelope;
mod error;
mod error_code;
mod page;
mod timestamp;

pub use envelope::{ApiResponse, ErrorEnvelope};
pub use error::{ApiError, ErrorDetail};
pub use error_code::ErrorCode;
pub use page::{Page, PageQuery};
pub use timestamp::timestamp;
