//! The tag owner's side of a claim (section 18): the public consent page a token opens, and
//! its single-use approve or deny. Approval answers an attestation JWT signed with the
//! platform key (verifiable through `/.well-known/jwks.json`) for the requesting application.
//! An unknown or already used token is `IDAAS-RES-3006`; a pending one past its expiry
//! `IDAAS-STATE-5003`.

use chrono::{DateTime, Duration, Utc};
use diesel_async::{scoped_futures::ScopedFutureExt, AsyncConnection};
use idaas_api::{ApiError, ErrorCode};
use idaas_crypto::{secret::Secret, secret_hash::hash_secret};
use idaas_db::unique_violation;
use idaas_service::{Infra, ServiceError, ServiceResult};
use serde::Serialize;
use uuid::Uuid;

use super::claims::{publish_change, Claim, ClaimStatus};
use crate::{
    store::{
        claims::{self, ClaimRecord, ClaimRow, ONE_ACTIVE},
        tags,
    },
    IdentityState,
};

/// The JWT `typ` of an attestation: never an application token.
pub const ATTESTATION_TYP: &str = "idaas-attestation+jwt";

/// What an attestation asserts: the tag's owner approved linking `sub` (a subject of `aud`)
/// to `tag`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AttestationClaims<'a> {
    iss: &'a str,
    sub: String,
    aud: String,
    tag: &'a str,
    consent_id: String,
    claim_id: String,
    iat: i64,
    exp: i64,
    jti: String,
}

/// A signed attestation and when it expires (epoch seconds).
pub struct Attestation {
    pub token: Secret<String>,
    pub expires_at: i64,
    pub consent_id: Uuid,
}

/// The attestation of an ACTIVE claim: the same claims every time it is asked for.
pub fn attest(
    state: &IdentityState,
    claim: &ClaimRow,
    qualified_address: &str,
) -> ServiceResult<Option<Attestation>> {
    let (Some(consent_id), Some(expires), Some(decided)) = (
        claim.consent_id,
        claim.attestation_expires_at,
        claim.decided_at,
    ) else {
        return Ok(None);
    };
    if claim.status != ClaimStatus::Active {
        return Ok(None);
    }
    let claims = AttestationClaims {
        iss: state.issuer.issuer(),
        sub: claim.subject_id.to_string(),
        aud: claim.requesting_application_id.to_string(),
        tag: qualified_address,
        consent_id: consent_id.to_string(),
        claim_id: claim.id.to_string(),
        iat: decided.timestamp(),
        exp: expires.timestamp(),
        jti: consent_id.to_string(),
    };
    let token = state
        .issuer
        .sign(ATTESTATION_TYP, &claims)
        .map_err(ApiError::internal)?;
    Ok(Some(Attestation {
        token,
        expires_at: expires.timestamp(),
        consent_id,
    }))
}

/// What the consent page shows: no internal ids.
pub struct ConsentPage {
    pub requesting_app_name: String,
    pub tag: String,
    pub owner_display_name: Option<String>,
    pub expired: bool,
    pub claim_state: ClaimStatus,
    pub token_expires_at: DateTime<Utc>,
}

async fn by_token(
    conn: &mut diesel_async::AsyncPgConnection,
    token: &str,
) -> ServiceResult<(ClaimRecord, tags::TagRecord)> {
    let record = claims::find_by_token(conn, &hash_secret(token))
        .await?
        .ok_or(ErrorCode::ClaimNotFoundByConsentToken)?;
    let tag = tags::find_record(conn, record.claim.tag_id).await?;
    Ok((record, tag))
}

pub async fn page(infra: &Infra, state: &IdentityState, token: &str) -> ServiceResult<ConsentPage> {
    let mut conn = infra.pool.get().await?;
    let (record, tag) = by_token(&mut conn, token).await?;
    let claim_state = record.claim.status_at(state.clock.now());
    Ok(ConsentPage {
        requesting_app_name: record.requesting_app_name,
        tag: tag.tag.qualified_address,
        owner_display_name: tag.owner_display_name,
        expired: claim_state == ClaimStatus::Expired,
        claim_state,
        token_expires_at: record.claim.token_expires_at,
    })
}

/// The decision a token carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Deny,
}

/// Whether the claim's token ran out before anyone decided.
fn lapsed(claim: &ClaimRow, now: DateTime<Utc>) -> bool {
    claim.status_at(now) == ClaimStatus::Expired
}

/// Why a token cannot decide: used (or its claim revoked), or expired.
fn spent(claim: &ClaimRow, now: DateTime<Utc>) -> ServiceError {
    if lapsed(claim, now) {
        return ServiceError::Api(
            ApiError::new(ErrorCode::ConsentExpired)
                .with_message("This consent request has expired; ask for a new claim"),
        );
    }
    ServiceError::Api(
        ApiError::new(ErrorCode::ClaimNotFoundByConsentToken)
            .with_message("This consent token was already used or its claim withdrawn"),
    )
}

/// Applies the owner's decision once: the token works only while its claim is PENDING and
/// unexpired, and the state change, its event and the requesting application's webhook
/// commit together.
#[tracing::instrument(skip_all)]
pub async fn decide(
    infra: &Infra,
    state: &IdentityState,
    token: &str,
    decision: Decision,
) -> ServiceResult<Claim> {
    let mut conn = infra.pool.get().await?;
    let (record, tag) = by_token(&mut conn, token).await?;
    let now = state.clock.now();
    if record.claim.status != ClaimStatus::Pending || record.claim.token_expires_at <= now {
        return Err(spent(&record.claim, now));
    }
    let ClaimRecord {
        claim: before,
        requesting_app_name,
    } = record;
    let (tag_for_tx, attestation_ttl) = (
        tag.clone(),
        Duration::seconds(state.claims.attestation_ttl_seconds),
    );
    let decided = conn
        .transaction::<_, ServiceError, _>(|c| {
            async move {
                let id = before.id;
                let (row, event) = match decision {
                    Decision::Approve => (
                        claims::approve(c, id, Uuid::now_v7(), now + attestation_ttl, now)
                            .await
                            .map_err(|e| match unique_violation(&e).as_deref() {
                                // The subject's other claim on this tag became ACTIVE first.
                                Some(ONE_ACTIVE) => ErrorCode::ActiveClaimExists.into(),
                                _ => ServiceError::from(e),
                            })?,
                        "CLAIM_APPROVED",
                    ),
                    Decision::Deny => (claims::deny(c, id, now).await?, "CLAIM_DENIED"),
                };
                // Another request used the token between the read and this write.
                let row = row.ok_or_else(|| spent(&before, now))?;
                publish_change(c, infra, event, &row, &tag_for_tx, None, now).await?;
                Ok(row)
            }
            .scope_boxed()
        })
        .await?;
    infra.relay.wake();
    tracing::info!(claim = %decided.id, status = decided.status.as_str(), "consent decided");
    Ok(Claim {
        record: ClaimRecord {
            claim: decided,
            requesting_app_name,
        },
        tag,
    })
}
