//! Tag resolution for payments (identity; caller: transaction).
//!
//! `GET /internal/v1/tags/resolutions?address=…&address=…` resolves every tag a payment names
//! (sender and receiver) in one call, so an initiation makes one hop to identity, not two;
//! each address gets its own outcome, in the order asked, so the caller applies its checks in
//! its own order (the sender's ownership before the receiver's existence).
//!
//! `GET /internal/v1/tags/resolve?address=` (one tag, answered as a [`ResolvedTag`] or the
//! refusal itself) is what transaction services before the one-call change use: identity keeps
//! answering it for one release so a rolling deploy (identity first) never fails a payment.

use idaas_api::ErrorEnvelope;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const RESOLUTIONS_PATH: &str = "/internal/v1/tags/resolutions";
/// The single-tag route of the previous release; remove once no transaction service calls it.
pub const RESOLVE_PATH: &str = "/internal/v1/tags/resolve";
/// At most this many `address` parameters per call.
pub const MAX_RESOLVE_ADDRESSES: usize = 8;

/// One address's outcome. `Refused` carries the envelope public resolution would answer:
/// 404 `IDAAS-RES-3004` unknown, 409 `IDAAS-CONF-4006` ambiguous (with the candidates), 400 for
/// an address that does not parse.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum TagResolution {
    Found(ResolvedTag),
    Refused(ErrorEnvelope),
}

idaas_db::text_enum! {
    /// Matches the `status` CHECK constraint of identity's `tags`.
    pub enum TagStatus {
        Active => "ACTIVE",
        /// Cannot be paid to or from until its application enables it again.
        Disabled => "DISABLED",
    }
}

/// A tag with what a payment needs about its application. Unknown is 404, an ambiguous bare
/// name is 409 with the candidates, exactly as public resolution answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResolvedTag {
    pub tag_string: String,
    pub qualified_address: String,
    pub status: TagStatus,
    pub application_id: Uuid,
    pub application_name: String,
    pub app_handle: String,
    pub application_active: bool,
    pub transaction_webhook_url: Option<String>,
    /// Further origins the application allows for a payment's callbackUrl.
    #[serde(default)]
    pub callback_origins: Vec<String>,
}
