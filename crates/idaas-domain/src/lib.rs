//! Value types that are only ever built by parsing, so code holding one never re-checks it.

mod currency;
pub mod decimal_json;
mod handle;
mod money;
mod qualified_address;
mod webhook_url;

pub use currency::{Currency, CurrencyError};
pub use handle::{AppHandle, HandleError, LocalTag};
pub use money::{Money, MoneyError};
pub use qualified_address::{QualifiedAddress, TagAddress};
pub use webhook_url::{UrlPolicy, WebhookUrl, WebhookUrlError, MAX_WEBHOOK_URL_LEN};
