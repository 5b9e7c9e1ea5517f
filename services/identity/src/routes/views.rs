//! Response bodies, field for field as the integration guide shows them.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::store::{applications::ApplicationRow, subjects::SubjectRow, tags::TagRecord};

pub fn ts(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationView {
    pub id: Uuid,
    pub name: String,
    pub app_handle: String,
    pub client_id: Uuid,
    pub active: bool,
    pub transaction_webhook_url: Option<String>,
    pub redirect_uris: Option<String>,
    pub metadata: Option<String>,
    pub app_public_key_jwk: Value,
    pub encryption_enabled: bool,
    pub key_version: i32,
    /// Origins a payment's callbackUrl may use besides the webhook URL's (ours).
    pub callback_origins: Vec<String>,
    pub created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deactivated_at: Option<String>,
}

impl From<&ApplicationRow> for ApplicationView {
    fn from(a: &ApplicationRow) -> Self {
        Self {
            id: a.id,
            name: a.name.clone(),
            app_handle: a.app_handle.clone(),
            client_id: a.client_id,
            active: a.active,
            transaction_webhook_url: a.transaction_webhook_url.clone(),
            redirect_uris: a.redirect_uris.clone(),
            metadata: a.metadata.clone(),
            app_public_key_jwk: a.app_public_jwk.clone(),
            encryption_enabled: a.encryption_enabled,
            key_version: a.key_version,
            callback_origins: a.callback_origins.clone(),
            created_at: ts(&a.created_at),
            deactivated_at: a.deactivated_at.as_ref().map(ts),
        }
    }
}

/// Registration answer: the application plus the three secrets shown only this once.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RegisteredView {
    #[serde(flatten)]
    pub application: ApplicationView,
    pub client_secret: String,
    pub webhook_secret: String,
    pub app_private_jwk: Value,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SubjectView {
    pub id: Uuid,
    pub external_id: String,
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub metadata: Option<String>,
    pub created_at: String,
}

impl From<&SubjectRow> for SubjectView {
    fn from(s: &SubjectRow) -> Self {
        Self {
            id: s.id,
            external_id: s.external_id.clone(),
            display_name: s.display_name.clone(),
            email: s.email.clone(),
            metadata: s.metadata.clone(),
            created_at: ts(&s.created_at),
        }
    }
}

/// A tag as its owning application sees it.
pub fn tag_view(r: &TagRecord) -> Value {
    json!({
        "id": r.tag.id,
        "tagString": r.tag.tag_string,
        "qualifiedAddress": r.tag.qualified_address,
        "status": r.tag.status,
        "canonicalOwner": { "id": r.tag.subject_id, "displayName": r.owner_display_name },
        "createdByAppId": r.tag.application_id,
        "createdByAppName": r.app_name,
        "createdAt": ts(&r.tag.created_at),
    })
}

/// A tag as anyone resolving it publicly sees it: no internal ids.
pub fn public_tag_view(r: &TagRecord) -> Value {
    json!({
        "tagString": r.tag.tag_string,
        "qualifiedAddress": r.tag.qualified_address,
        "status": r.tag.status,
        "canonicalOwner": { "displayName": r.owner_display_name },
        "createdByAppName": r.app_name,
    })
}
