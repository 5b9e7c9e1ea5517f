//! Cross-application claims (section 18): request, list, read, revoke.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use idaas_api::{timestamp, ApiResponse, ErrorEnvelope};
use idaas_auth::AuthenticatedApp;
use idaas_service::{Infra, ServiceResult};
use idaas_web::JsonBody;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{idempotent::once, tags::parse_address};
use crate::{
    domain::{
        claims::{self, Claim, ClaimRequest},
        consent::attest,
    },
    IdentityState,
};

/// An approved claim's attestation, for the application that asked for it.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AttestationView {
    /// ES256 JWT signed with the platform key (`/.well-known/jwks.json`): `iss`, `sub` (the
    /// subject), `aud` (the requesting application), `tag`, `consentId`, `claimId`, `exp`.
    pub token: String,
    /// Epoch seconds.
    pub expires_at: i64,
}

/// A claim as its requesting application or its tag's holder sees it.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClaimView {
    pub id: Uuid,
    #[schema(example = "bob@shopapp")]
    pub tag: String,
    /// The requesting application's subject the claim links to the tag.
    pub subject_id: Uuid,
    pub requesting_app_id: Uuid,
    pub requesting_app_name: String,
    /// PENDING, ACTIVE, DENIED, REVOKED, or EXPIRED (pending past its consent token's expiry).
    #[schema(example = "PENDING")]
    pub status: &'static str,
    pub token_expires_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consent_id: Option<Uuid>,
    pub created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<String>,
    /// Only for the requesting application, while the claim is ACTIVE.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attestation: Option<AttestationView>,
}

impl ClaimView {
    pub fn new(
        c: &Claim,
        state: &IdentityState,
        caller: Uuid,
        now: DateTime<Utc>,
    ) -> ServiceResult<Self> {
        let row = &c.record.claim;
        let status = row.status_at(now);
        let attestation = if caller == row.requesting_application_id {
            attest(state, row, &c.tag.tag.qualified_address)?.map(|a| AttestationView {
                token: a.token.expose().clone(),
                expires_at: a.expires_at,
            })
        } else {
            None
        };
        Ok(Self {
            id: row.id,
            tag: c.tag.tag.qualified_address.clone(),
            subject_id: row.subject_id,
            requesting_app_id: row.requesting_application_id,
            requesting_app_name: c.record.requesting_app_name.clone(),
            status: status.as_str(),
            token_expires_at: timestamp(&row.token_expires_at),
            consent_id: row.consent_id,
            created_at: timestamp(&row.created_at),
            decided_at: row.decided_at.as_ref().map(timestamp),
            revoked_at: row.revoked_at.as_ref().map(timestamp),
            attestation,
        })
    }
}

/// A new claim with its consent token, shown only this once.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RequestedClaimView {
    #[serde(flatten)]
    pub claim: ClaimView,
    /// Single-use; stored hashed. Whoever holds it can approve or deny: give it only to the
    /// tag's owner.
    pub consent_token: String,
    /// The public consent page (`GET /v1/consent/{consentToken}`) to show the tag's owner.
    #[schema(example = "https://api.idaas.example/api/v1/consent/4vN...")]
    pub approval_url: String,
}

/// The claims on a tag the caller may see.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TagClaimsView {
    #[schema(example = "bob@shopapp")]
    pub tag: String,
    pub claims: Vec<ClaimView>,
}

/// Ask the tag's owner to link one of the caller's subjects to the tag.
#[utoipa::path(
    post,
    path = "/v1/tags/{tag}/claims",
    tag = "Claims",
    params(
        ("tag" = String, Path, description = "A qualified address `name@appHandle` (or an unambiguous bare name)", pattern = "^[a-z0-9]([a-z0-9-]*[a-z0-9])?(@[a-z0-9]([a-z0-9-]*[a-z0-9])?)?$", example = "bob@shopapp"),
        ("Idempotency-Key" = Option<String>, Header, description = "1-255 printable ASCII characters; the same key and body within 24 h replays the first answer (with Idempotency-Replayed: true)", example = "550e8400-e29b-41d4-a716-446655440000"),
    ),
    request_body = ClaimRequest,
    responses(
        (status = 201, description = "PENDING, with its single-use consent token; the tag's application gets a CLAIM_REQUESTED webhook", body = ApiResponse<RequestedClaimView>),
        (status = 404, description = "No such subject (IDAAS-RES-3002) or tag (IDAAS-RES-3004)", body = ErrorEnvelope),
        (status = 409, description = "An active (IDAAS-CONF-4004) or pending (IDAAS-CONF-4005) claim of this subject exists; ambiguous bare name (IDAAS-CONF-4006)", body = ErrorEnvelope),
        (status = 422, description = "The subject is another application's (IDAAS-STATE-5002); the tag is disabled (IDAAS-STATE-5001)", body = ErrorEnvelope),
    ),
)]
pub async fn request(
    req: HttpRequest,
    infra: web::Data<Infra>,
    state: web::Data<IdentityState>,
    caller: AuthenticatedApp,
    path: web::Path<String>,
    body: JsonBody<ClaimRequest>,
) -> ServiceResult<HttpResponse> {
    let JsonBody { value, raw } = body;
    let scope = caller.app_id.to_string();
    let operation = format!("POST /v1/tags/{}/claims", path.as_str());
    once(&infra, &state, &req, &scope, &operation, &raw, || async {
        let subject = value.parse()?;
        let address = parse_address(&path)?;
        let done = claims::request(&infra, &state, caller.app_id, &address, subject).await?;
        let now = state.clock.now();
        let view = RequestedClaimView {
            claim: ClaimView::new(&done.claim, &state, caller.app_id, now)?,
            consent_token: done.token.expose().clone(),
            approval_url: done.approval_url,
        };
        Ok(ApiResponse::ok(view)
            .with_message("Claim requested: the tag's owner decides through the consent URL")
            .created())
    })
    .await
}

/// The claims on a tag: all of them for the tag's holder, its own for a requesting application.
#[utoipa::path(
    get,
    path = "/v1/tags/{tag}/claims",
    tag = "Claims",
    params(("tag" = String, Path, description = "A qualified address `name@appHandle` (or an unambiguous bare name)", pattern = "^[a-z0-9]([a-z0-9-]*[a-z0-9])?(@[a-z0-9]([a-z0-9-]*[a-z0-9])?)?$", example = "bob@shopapp")),
    responses(
        (status = 200, description = "The claims the caller may see, newest first", body = ApiResponse<TagClaimsView>),
        (status = 404, description = "No such tag (IDAAS-RES-3004); neither the tag's holder nor a requester of a claim on it (IDAAS-RES-3005)", body = ErrorEnvelope),
    ),
)]
pub async fn list(
    infra: web::Data<Infra>,
    state: web::Data<IdentityState>,
    caller: AuthenticatedApp,
    path: web::Path<String>,
) -> ServiceResult<HttpResponse> {
    let (tag, found) = claims::of_tag(&infra, caller.app_id, &parse_address(&path)?).await?;
    let now = state.clock.now();
    let views = found
        .into_iter()
        .map(|record| {
            let c = Claim {
                record,
                tag: tag.clone(),
            };
            ClaimView::new(&c, &state, caller.app_id, now)
        })
        .collect::<ServiceResult<Vec<_>>>()?;
    Ok(ApiResponse::ok(TagClaimsView {
        tag: tag.tag.qualified_address,
        claims: views,
    })
    .respond())
}

fn claim_id(raw: &str) -> Result<Uuid, idaas_api::ApiError> {
    // A malformed id names no claim: the same 404 as an unknown one.
    Uuid::parse_str(raw).map_err(|_| idaas_api::ErrorCode::ClaimNotFound.into())
}

/// One claim: how a relying application learns whether its attestation still stands.
#[utoipa::path(
    get,
    path = "/v1/claims/{id}",
    tag = "Claims",
    params(("id" = Uuid, Path, description = "The claim")),
    responses(
        (status = 200, description = "The claim (with its attestation, for the requester, while ACTIVE)", body = ApiResponse<ClaimView>),
        (status = 404, description = "No such claim the caller may see (IDAAS-RES-3005)", body = ErrorEnvelope),
    ),
)]
pub async fn get(
    infra: web::Data<Infra>,
    state: web::Data<IdentityState>,
    caller: AuthenticatedApp,
    path: web::Path<String>,
) -> ServiceResult<HttpResponse> {
    let found = claims::get(&infra, caller.app_id, claim_id(&path)?).await?;
    let view = ClaimView::new(&found, &state, caller.app_id, state.clock.now())?;
    Ok(ApiResponse::ok(view).respond())
}

/// Revoke a PENDING or ACTIVE claim, as its requester or as the tag's holder.
#[utoipa::path(
    post,
    path = "/v1/claims/{id}/revoke",
    tag = "Claims",
    params(("id" = Uuid, Path, description = "The claim")),
    responses(
        (status = 200, description = "REVOKED; the requesting application gets a CLAIM_REVOKED webhook", body = ApiResponse<ClaimView>),
        (status = 404, description = "No such claim the caller may see (IDAAS-RES-3005)", body = ErrorEnvelope),
        (status = 422, description = "Already DENIED, REVOKED or EXPIRED (IDAAS-STATE-5005)", body = ErrorEnvelope),
    ),
)]
pub async fn revoke(
    infra: web::Data<Infra>,
    state: web::Data<IdentityState>,
    caller: AuthenticatedApp,
    path: web::Path<String>,
) -> ServiceResult<HttpResponse> {
    let revoked = claims::revoke(&infra, &state, caller.app_id, claim_id(&path)?).await?;
    let view = ClaimView::new(&revoked, &state, caller.app_id, state.clock.now())?;
    Ok(ApiResponse::ok(view)
        .with_message("Claim revoked")
        .respond())
}
