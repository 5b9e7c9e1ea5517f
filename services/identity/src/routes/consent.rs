//! The public consent pages (section 18): no token, only the consent token in the path, and
//! their own per-IP rate limit at the gateway.

use actix_web::{web, HttpResponse};
use idaas_api::{timestamp, ApiError, ApiResponse, ErrorEnvelope};
use idaas_service::{Infra, ServiceResult};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    domain::consent::{self, attest, Decision},
    IdentityState,
};

/// What the tag's owner is asked: no internal ids.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConsentView {
    #[schema(example = "WalletApp")]
    pub requesting_app_name: String,
    #[schema(example = "bob@shopapp")]
    pub tag: String,
    #[schema(example = "Bob Bello")]
    pub owner_display_name: Option<String>,
    pub expired: bool,
    /// PENDING, ACTIVE, DENIED, REVOKED or EXPIRED.
    #[schema(example = "PENDING")]
    pub claim_state: &'static str,
    pub token_expires_at: String,
}

/// The approval: the attestation the requesting application can verify with the platform key.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApprovedView {
    /// ES256 JWT (`typ` `idaas-attestation+jwt`) verifiable through `/.well-known/jwks.json`:
    /// `iss`, `sub` (the claiming subject), `aud` (the requesting application), `tag`,
    /// `consentId`, `claimId`, `iat`, `exp`.
    pub token: String,
    /// Epoch seconds.
    pub expires_at: i64,
    #[schema(example = "bob@shopapp")]
    pub tag: String,
    pub subject_id: Uuid,
    pub consent_id: Uuid,
}

/// The denial.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeniedView {
    #[schema(example = "bob@shopapp")]
    pub tag: String,
    #[schema(example = "DENIED")]
    pub claim_state: &'static str,
}

/// What a consent token asks the tag's owner.
#[utoipa::path(
    get,
    path = "/v1/consent/{token}",
    tag = "Consent",
    params(("token" = String, Path, description = "The consent token of the claim")),
    responses(
        (status = 200, description = "The request, whatever its state", body = ApiResponse<ConsentView>),
        (status = 404, description = "No claim has this token (IDAAS-RES-3006)", body = ErrorEnvelope),
    ),
)]
pub async fn view(
    infra: web::Data<Infra>,
    state: web::Data<IdentityState>,
    path: web::Path<String>,
) -> ServiceResult<HttpResponse> {
    let page = consent::page(&infra, &state, &path).await?;
    Ok(ApiResponse::ok(ConsentView {
        requesting_app_name: page.requesting_app_name,
        tag: page.tag,
        owner_display_name: page.owner_display_name,
        expired: page.expired,
        claim_state: page.claim_state.as_str(),
        token_expires_at: timestamp(&page.token_expires_at),
    })
    .respond())
}

/// Approve the claim: once.
#[utoipa::path(
    post,
    path = "/v1/consent/{token}/approve",
    tag = "Consent",
    params(("token" = String, Path, description = "The consent token of the claim")),
    responses(
        (status = 200, description = "ACTIVE, with its attestation; the requesting application gets CLAIM_APPROVED", body = ApiResponse<ApprovedView>),
        (status = 404, description = "Unknown or already used token (IDAAS-RES-3006)", body = ErrorEnvelope),
        (status = 422, description = "The token has expired (IDAAS-STATE-5003)", body = ErrorEnvelope),
    ),
)]
pub async fn approve(
    infra: web::Data<Infra>,
    state: web::Data<IdentityState>,
    path: web::Path<String>,
) -> ServiceResult<HttpResponse> {
    let done = consent::decide(&infra, &state, &path, Decision::Approve).await?;
    let row = &done.record.claim;
    let attestation = attest(&state, row, &done.tag.tag.qualified_address)?
        .ok_or_else(|| ApiError::internal("an approved claim has no attestation"))?;
    Ok(ApiResponse::ok(ApprovedView {
        token: attestation.token.expose().clone(),
        expires_at: attestation.expires_at,
        tag: done.tag.tag.qualified_address.clone(),
        subject_id: row.subject_id,
        consent_id: attestation.consent_id,
    })
    .with_message("Claim approved")
    .respond())
}

/// Deny the claim: once.
#[utoipa::path(
    post,
    path = "/v1/consent/{token}/deny",
    tag = "Consent",
    params(("token" = String, Path, description = "The consent token of the claim")),
    responses(
        (status = 200, description = "DENIED; the requesting application gets CLAIM_DENIED", body = ApiResponse<DeniedView>),
        (status = 404, description = "Unknown or already used token (IDAAS-RES-3006)", body = ErrorEnvelope),
        (status = 422, description = "The token has expired (IDAAS-STATE-5003)", body = ErrorEnvelope),
    ),
)]
pub async fn deny(
    infra: web::Data<Infra>,
    state: web::Data<IdentityState>,
    path: web::Path<String>,
) -> ServiceResult<HttpResponse> {
    let done = consent::decide(&infra, &state, &path, Decision::Deny).await?;
    Ok(ApiResponse::ok(DeniedView {
        tag: done.tag.tag.qualified_address,
        claim_state: done.record.claim.status.as_str(),
    })
    .with_message("Claim denied")
    .respond())
}
