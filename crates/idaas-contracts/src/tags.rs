//! `GET /internal/v1/tags/resolve?address=` (identity; caller: transaction).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const RESOLVE_PATH: &str = "/internal/v1/tags/resolve";

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
