//! Response bodies, field for field as the integration guide shows them.

use idaas_contracts::tags::TagStatus;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::store::{applications::ApplicationRow, subjects::SubjectRow, tags::TagRecord};

pub use idaas_api::timestamp as ts;

#[derive(Serialize, ToSchema)]
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
    #[schema(value_type = Object)]
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
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RegisteredView {
    #[serde(flatten)]
    pub application: ApplicationView,
    pub client_secret: String,
    pub webhook_secret: String,
    #[schema(value_type = Object)]
    pub app_private_jwk: Value,
}

#[derive(Serialize, ToSchema)]
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

/// Who holds a tag, as its owning application sees it.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OwnerView {
    pub id: Uuid,
    pub display_name: Option<String>,
}

/// A tag as its owning application sees it.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TagView {
    pub id: Uuid,
    #[schema(example = "alice")]
    pub tag_string: String,
    #[schema(example = "alice@walletapp")]
    pub qualified_address: String,
    pub status: TagStatus,
    pub canonical_owner: OwnerView,
    pub created_by_app_id: Uuid,
    pub created_by_app_name: String,
    pub created_at: String,
}

impl From<&TagRecord> for TagView {
    fn from(r: &TagRecord) -> Self {
        Self {
            id: r.tag.id,
            tag_string: r.tag.tag_string.clone(),
            qualified_address: r.tag.qualified_address.clone(),
            status: r.tag.status,
            canonical_owner: OwnerView {
                id: r.tag.subject_id,
                display_name: r.owner_display_name.clone(),
            },
            created_by_app_id: r.tag.application_id,
            created_by_app_name: r.app_name.clone(),
            created_at: ts(&r.tag.created_at),
        }
    }
}

/// The owner as anyone resolving a tag sees them: a display name, no ids.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PublicOwnerView {
    pub display_name: Option<String>,
}

/// A tag as anyone resolving it publicly sees it: no internal ids.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PublicTagView {
    pub tag_string: String,
    pub qualified_address: String,
    pub status: TagStatus,
    pub canonical_owner: PublicOwnerView,
    pub created_by_app_name: String,
}

impl From<&TagRecord> for PublicTagView {
    fn from(r: &TagRecord) -> Self {
        Self {
            tag_string: r.tag.tag_string.clone(),
            qualified_address: r.tag.qualified_address.clone(),
            status: r.tag.status,
            canonical_owner: PublicOwnerView {
                display_name: r.owner_display_name.clone(),
            },
            created_by_app_name: r.app_name.clone(),
        }
    }
}

/// `POST /v1/auth/token`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TokenView {
    /// An ES256 JWT for `Authorization: Bearer`.
    pub token: String,
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Unix seconds.
    pub expires_at: i64,
    /// The application the token speaks for.
    pub subject_id: Uuid,
}

/// `POST /v1/applications/keys/rotate`: the new private key is shown only this once.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RotatedKeysView {
    #[schema(value_type = Object)]
    pub app_public_key_jwk: Value,
    #[schema(value_type = Object)]
    pub app_private_jwk: Value,
    pub key_version: i32,
}

/// `POST /v1/applications/webhook-secret/rotate`: shown only this once.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookSecretView {
    pub webhook_secret: String,
}

/// `GET /v1/keys/idaas`: the key request bodies are encrypted to (section 14.1).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PlatformKeyView {
    #[schema(example = "ECDH-ES+A256KW")]
    pub algorithm: &'static str,
    #[schema(example = "A256GCM")]
    pub enc_algorithm: &'static str,
    #[schema(example = "P-256")]
    pub curve: &'static str,
    /// The public JWK, with `kid` its RFC 7638 thumbprint.
    #[schema(value_type = Object)]
    pub jwk: Value,
    /// The same key as base64 SPKI DER.
    pub public_key_base64: String,
    pub usage: &'static str,
}
