//! Tag federation (section 20): link a tag to an external identity, verify, read, remove.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use idaas_api::{timestamp, ApiResponse, ErrorEnvelope};
use idaas_auth::AuthenticatedApp;
use idaas_service::{Infra, ServiceResult};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::tags::{owner, parse_address};
use crate::{
    domain::federation::{self, FederationRequest, LinkStatus},
    store::links::LinkRow,
};

/// One link between a tag and an external identity.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LinkView {
    pub id: Uuid,
    #[schema(example = "github")]
    pub provider: String,
    #[schema(example = "alice-github-username")]
    pub external_identifier: String,
    /// PENDING (waiting for its challenge), EXPIRED (the challenge ran out unverified),
    /// VERIFIED or REMOVED.
    #[schema(example = "VERIFIED")]
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified_at: Option<String>,
    pub created_at: String,
}

impl LinkView {
    fn new(l: &LinkRow, now: DateTime<Utc>) -> Self {
        let status = match l.status {
            LinkStatus::Pending if l.challenge_expires_at <= now => "EXPIRED",
            s => s.as_str(),
        };
        Self {
            id: l.id,
            provider: l.provider.clone(),
            external_identifier: l.external_identifier.clone(),
            status,
            verified_at: l.verified_at.as_ref().map(timestamp),
            created_at: timestamp(&l.created_at),
        }
    }
}

/// A new link and its single-use challenge, shown only this once.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChallengeView {
    #[schema(example = "alice@walletapp")]
    pub tag: String,
    pub link: LinkView,
    /// Verify ownership on the provider, then `POST /v1/federation/verify/{challenge}`.
    pub challenge: String,
    pub challenge_expires_at: String,
}

/// A tag's federated identities.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FederationView {
    #[schema(example = "alice@walletapp")]
    pub tag: String,
    pub links: Vec<LinkView>,
}

/// A link as it stands after a change, with the tag it belongs to.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TagLinkView {
    #[schema(example = "alice@walletapp")]
    pub tag: String,
    pub link: LinkView,
}

/// Link one of the caller's tags to an identity on an external provider.
#[utoipa::path(
    post,
    path = "/v1/tags/{tag}/federation",
    tag = "Federation",
    params(("tag" = String, Path, description = "A bare name (the caller's own) or a qualified address `name@appHandle`", pattern = "^[a-z0-9]([a-z0-9-]*[a-z0-9])?(@[a-z0-9]([a-z0-9-]*[a-z0-9])?)?$", example = "alice@walletapp")),
    request_body = FederationRequest,
    responses(
        (status = 201, description = "PENDING, with its single-use challenge", body = ApiResponse<ChallengeView>),
        (status = 403, description = "Another application's tag (IDAAS-AUTH-1006)", body = ErrorEnvelope),
        (status = 404, description = "No such tag of the caller's (IDAAS-RES-3004)", body = ErrorEnvelope),
    ),
)]
pub async fn initiate(
    infra: web::Data<Infra>,
    caller: AuthenticatedApp,
    path: web::Path<String>,
    body: web::Json<FederationRequest>,
) -> ServiceResult<HttpResponse> {
    let new = body.into_inner().parse()?;
    let done = federation::initiate(&infra, owner(&caller), &parse_address(&path)?, new).await?;
    let view = ChallengeView {
        tag: done.tag.tag.qualified_address.clone(),
        link: LinkView::new(&done.link, Utc::now()),
        challenge: done.challenge.expose().clone(),
        challenge_expires_at: timestamp(&done.link.challenge_expires_at),
    };
    Ok(ApiResponse::ok(view)
        .with_message("Federation initiated: verify the challenge")
        .created())
}

/// The caller's tag and its federated identities.
#[utoipa::path(
    get,
    path = "/v1/tags/{tag}/federation",
    tag = "Federation",
    params(("tag" = String, Path, description = "A bare name (the caller's own) or a qualified address `name@appHandle`", pattern = "^[a-z0-9]([a-z0-9-]*[a-z0-9])?(@[a-z0-9]([a-z0-9-]*[a-z0-9])?)?$", example = "alice@walletapp")),
    responses(
        (status = 200, description = "The tag's links", body = ApiResponse<FederationView>),
        (status = 404, description = "No links, or not the caller's tag (IDAAS-RES-3009); no such tag (IDAAS-RES-3004)", body = ErrorEnvelope),
    ),
)]
pub async fn get(
    infra: web::Data<Infra>,
    caller: AuthenticatedApp,
    path: web::Path<String>,
) -> ServiceResult<HttpResponse> {
    let (tag, found) = federation::of_tag(&infra, owner(&caller), &parse_address(&path)?).await?;
    let now = Utc::now();
    Ok(ApiResponse::ok(FederationView {
        tag: tag.tag.qualified_address,
        links: found.iter().map(|l| LinkView::new(l, now)).collect(),
    })
    .respond())
}

/// Remove one of the links of the caller's tag.
#[utoipa::path(
    delete,
    path = "/v1/tags/{tag}/federation/{id}",
    tag = "Federation",
    params(
        ("tag" = String, Path, description = "A bare name (the caller's own) or a qualified address `name@appHandle`", pattern = "^[a-z0-9]([a-z0-9-]*[a-z0-9])?(@[a-z0-9]([a-z0-9-]*[a-z0-9])?)?$", example = "alice@walletapp"),
        ("id" = Uuid, Path, description = "The link"),
    ),
    responses(
        (status = 200, description = "REMOVED", body = ApiResponse<TagLinkView>),
        (status = 403, description = "Another application's link (IDAAS-AUTH-1008) or tag (IDAAS-AUTH-1006)", body = ErrorEnvelope),
        (status = 404, description = "No such link on this tag (IDAAS-RES-3007)", body = ErrorEnvelope),
    ),
)]
pub async fn remove(
    infra: web::Data<Infra>,
    caller: AuthenticatedApp,
    path: web::Path<(String, String)>,
) -> ServiceResult<HttpResponse> {
    let (tag, id) = path.into_inner();
    let id = Uuid::parse_str(&id).map_err(|_| idaas_api::ErrorCode::IdentityLinkNotFound)?;
    let (link, tag) = federation::remove(&infra, owner(&caller), &parse_address(&tag)?, id).await?;
    Ok(ApiResponse::ok(TagLinkView {
        tag: tag.tag.qualified_address,
        link: LinkView::new(&link, Utc::now()),
    })
    .with_message("Federation link removed")
    .respond())
}

/// Verify a link with its challenge, after checking ownership on the provider.
#[utoipa::path(
    post,
    path = "/v1/federation/verify/{challenge}",
    tag = "Federation",
    params(("challenge" = String, Path, description = "The challenge the link was created with")),
    responses(
        (status = 200, description = "VERIFIED", body = ApiResponse<TagLinkView>),
        (status = 403, description = "Another application's link (IDAAS-AUTH-1008)", body = ErrorEnvelope),
        (status = 404, description = "No link has this challenge (IDAAS-RES-3008)", body = ErrorEnvelope),
        (status = 409, description = "The external identity is already linked to a tag (IDAAS-CONF-4009)", body = ErrorEnvelope),
        (status = 422, description = "Used, removed or expired (IDAAS-STATE-5004)", body = ErrorEnvelope),
    ),
)]
pub async fn verify(
    infra: web::Data<Infra>,
    caller: AuthenticatedApp,
    path: web::Path<String>,
) -> ServiceResult<HttpResponse> {
    let (link, tag) = federation::verify(&infra, caller.app_id, &path).await?;
    Ok(ApiResponse::ok(TagLinkView {
        tag: tag.tag.qualified_address,
        link: LinkView::new(&link, Utc::now()),
    })
    .with_message("Federation verified")
    .respond())
}
