//! Cross-application claims (section 18): an application asks to link one of its subjects to a
//! tag held elsewhere; the tag's owner decides through a single-use consent token. PENDING →
//! ACTIVE (approved) → REVOKED, or DENIED; a PENDING claim can be revoked too. A PENDING claim
//! whose token ran out no longer blocks a new one: the new claim marks it EXPIRED.
//! The tag's owner sees every claim on the tag; a requesting application sees its own.

use chrono::{DateTime, Duration};
use diesel_async::{scoped_futures::ScopedFutureExt, AsyncConnection, AsyncPgConnection};
use idaas_api::{ApiError, ErrorCode};
use idaas_contracts::tags::TagStatus;
use idaas_crypto::{
    secret::Secret,
    secret_hash::{generate_secret, hash_secret},
};
use idaas_db::unique_violation;
use idaas_domain::TagAddress;
use idaas_kafka::insert_outbox;
use idaas_proto::identity::v1::{tag_event::Kind, ClaimChanged};
use idaas_service::{Infra, ServiceError, ServiceResult};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::{
    events::{tag_event, ClaimAudience, ClaimWebhook},
    resolution,
};
use crate::{
    store::{
        applications,
        claims::{self, ClaimRecord, ClaimRow, ONE_ACTIVE, ONE_PENDING},
        subjects,
        tags::{self, TagRecord},
    },
    IdentityState,
};

idaas_db::text_enum! {
    /// Matches the `status` CHECK of `claims`.
    pub enum ClaimStatus {
        Pending => "PENDING",
        Active => "ACTIVE",
        Denied => "DENIED",
        Revoked => "REVOKED",
        Expired => "EXPIRED",
    }
}

idaas_db::text_enum! {
    /// Matches the `mail_state` CHECK of `claims`.
    pub enum MailState {
        None => "NONE",
        Pending => "PENDING",
        Sent => "SENT",
        Failed => "FAILED",
    }
}

/// `POST /v1/tags/{tag}/claims`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"subjectId": "c1d2e3f4-0000-1111-2222-aabbccddeeff"}))]
pub struct ClaimRequest {
    /// One of the caller's own subjects: the user the claim links to the tag.
    #[schema(required = true, format = Uuid)]
    subject_id: Option<String>,
}

impl ClaimRequest {
    pub fn parse(self) -> Result<Uuid, ApiError> {
        subject_id(self.subject_id)
    }
}

/// A body's required `subjectId`, as a UUID (claims and transfers name one).
pub fn subject_id(raw: Option<String>) -> Result<Uuid, ApiError> {
    match raw.as_deref().map(str::trim) {
        None | Some("") => Err(ApiError::validation(vec![
            "subjectId is required".to_owned()
        ])),
        Some(s) => Uuid::parse_str(s)
            .map_err(|_| ApiError::validation(vec!["subjectId must be a UUID".to_owned()])),
    }
}

/// Undecided claims one application may have on one tag at a time.
pub const MAX_PENDING_PER_REQUESTER: i64 = 3;

/// A claim and the tag it is on, as its views need them.
pub struct Claim {
    pub record: ClaimRecord,
    pub tag: TagRecord,
}

/// A new claim and its consent token, shown only this once.
pub struct Requested {
    pub claim: Claim,
    pub token: Secret<String>,
    pub approval_url: String,
}

/// The public page a consent token opens, built on the configured public base.
pub fn approval_url(state: &IdentityState, token: &str) -> String {
    format!(
        "{}/v1/consent/{token}",
        state.claims.consent_base_url.trim_end_matches('/')
    )
}

/// The ids and event each state change tells the parties about.
fn changed(row: &ClaimRow, actor: Option<Uuid>) -> Kind {
    Kind::Claim(ClaimChanged {
        claim_id: row.id.to_string(),
        status: row.status.as_str().to_owned(),
        subject_id: row.subject_id.to_string(),
        requesting_application_id: row.requesting_application_id.to_string(),
        owner_application_id: row.owner_application_id.to_string(),
        consent_id: row.consent_id.map(|c| c.to_string()).unwrap_or_default(),
        actor_application_id: actor.map(|a| a.to_string()).unwrap_or_default(),
    })
}

/// The claim as a webhook body shows it.
pub fn webhook_body(
    event: &str,
    row: &ClaimRow,
    tag: &TagRecord,
    requesting: &str,
) -> serde_json::Value {
    json!({
        "event": event,
        "claim": {
            "id": row.id,
            "tag": tag.tag.qualified_address,
            "status": row.status.as_str(),
            "subjectId": row.subject_id,
            "requestingAppId": row.requesting_application_id,
            "requestingAppName": requesting,
            "tokenExpiresAt": idaas_api::timestamp(&row.token_expires_at),
            "consentId": row.consent_id,
        }
    })
}

/// The name of the application that asked for the claim.
pub async fn requesting_name(
    conn: &mut AsyncPgConnection,
    row: &ClaimRow,
) -> ServiceResult<String> {
    Ok(applications::find(conn, row.requesting_application_id)
        .await?
        .ok_or(ErrorCode::ApplicationNotFound)?
        .name)
}

/// Records the change on the tag's topic and tells both parties — the requesting application
/// (its outcome) and the holder it was asked of (so an approval made with a token the requester
/// also holds never goes unseen) — in the caller's transaction. The webhooks carry the claim,
/// never a token: the attestation is read with `GET /v1/claims/{id}`.
pub async fn publish_change(
    conn: &mut AsyncPgConnection,
    infra: &Infra,
    event: &'static str,
    row: &ClaimRow,
    tag: &TagRecord,
    actor: Option<Uuid>,
    now: DateTime<chrono::Utc>,
) -> ServiceResult<()> {
    let kind = changed(row, actor);
    insert_outbox(conn, &tag_event(&infra.topics, &tag.tag, now, kind)).await?;
    let requesting = applications::find(conn, row.requesting_application_id)
        .await?
        .ok_or(ErrorCode::ApplicationNotFound)?;
    let holder = applications::find(conn, row.owner_application_id)
        .await?
        .ok_or(ErrorCode::ApplicationNotFound)?;
    let body = webhook_body(event, row, tag, &requesting.name);
    for (audience, target) in [
        (ClaimAudience::Claimant, &requesting),
        (ClaimAudience::TagOwner, &holder),
    ] {
        let webhook = ClaimWebhook {
            claim: row.id,
            audience,
            event_type: event,
            target,
            requesting_app: row.requesting_application_id,
            owner_app: row.owner_application_id,
            payload: body.clone(),
            now,
        };
        insert_outbox(conn, &webhook.into_outbox(&infra.topics)).await?;
    }
    Ok(())
}

#[tracing::instrument(skip_all, fields(app_id = %caller))]
pub async fn request(
    infra: &Infra,
    state: &IdentityState,
    caller: Uuid,
    address: &TagAddress,
    subject_id: Uuid,
) -> ServiceResult<Requested> {
    let mut conn = infra.pool.get().await?;
    let subject = subjects::find(&mut conn, subject_id)
        .await?
        .ok_or(ErrorCode::SubjectNotFound)?;
    if subject.application_id != caller {
        return Err(ErrorCode::SubjectNotOwned.into());
    }
    let tag = resolution::resolve(&mut conn, address).await?;
    if tag.tag.status == TagStatus::Disabled {
        return Err(ErrorCode::ClaimOnDisabledTag.into());
    }
    if tag.tag.subject_id == subject.id {
        return Err(ServiceError::Api(
            ApiError::new(ErrorCode::ActiveClaimExists)
                .with_message("This subject already holds the tag"),
        ));
    }
    let owner_subject = subjects::find(&mut conn, tag.tag.subject_id)
        .await?
        .ok_or_else(|| ApiError::internal("a tag's owner subject is missing"))?;
    let owner_app = applications::find(&mut conn, tag.tag.owner_application_id)
        .await?
        .ok_or(ErrorCode::ApplicationNotFound)?;
    let requesting = applications::find(&mut conn, caller)
        .await?
        .ok_or(ErrorCode::AuthApplicationNotFound)?;

    let token = generate_secret();
    let url = approval_url(state, token.expose());
    let now = state.clock.now();
    let id = Uuid::now_v7();
    // The mailer needs the URL after this request has answered: it waits sealed (bound to the
    // claim's id) and is wiped once sent.
    let mail_sealed = match (&owner_subject.email, state.mail_enabled()) {
        (Some(_), true) => Some(
            state
                .cipher
                .encrypt(url.as_bytes(), id.as_bytes())
                .map_err(ServiceError::internal)?,
        ),
        _ => None,
    };
    let row = ClaimRow {
        id,
        tag_id: tag.tag.id,
        subject_id: subject.id,
        requesting_application_id: caller,
        owner_application_id: owner_app.id,
        status: ClaimStatus::Pending,
        consent_token_hash: hash_secret(token.expose()),
        token_expires_at: now + Duration::seconds(state.claims.consent_ttl_seconds),
        consent_id: None,
        attestation_expires_at: None,
        created_at: now,
        decided_at: None,
        revoked_at: None,
        revoked_by: None,
        mail_state: if mail_sealed.is_some() {
            MailState::Pending
        } else {
            MailState::None
        },
        mail_sealed,
        mail_attempts: 0,
        mail_next_at: Some(now),
    };
    let record = ClaimRecord {
        claim: row.clone(),
        requesting_app_name: requesting.name.clone(),
    };
    let kind = changed(&row, Some(caller));
    // The holder learns of the request; the consent URL stays with the requester and the mail
    // (a webhook body is kept in several places, and the token is a capability).
    let mut body = webhook_body("CLAIM_REQUESTED", &row, &tag, &requesting.name);
    body["claim"]["ownerSubjectId"] = json!(owner_subject.id);
    let webhook = ClaimWebhook {
        claim: row.id,
        audience: ClaimAudience::TagOwner,
        event_type: "CLAIM_REQUESTED",
        target: &owner_app,
        requesting_app: caller,
        owner_app: owner_app.id,
        payload: body,
        now,
    }
    .into_outbox(&infra.topics);
    let event = tag_event(&infra.topics, &tag.tag, now, kind);
    let read = tag.tag.clone();
    conn.transaction::<_, ServiceError, _>(|c| {
        async move {
            // The holder asked must still hold the tag, unchanged, when the claim commits; one
            // request on the tag at a time, so the cap below counts exactly.
            let now_held = tags::lock_for_claims(c, read.id).await?;
            if now_held.status == TagStatus::Disabled {
                return Err(ErrorCode::ClaimOnDisabledTag.into());
            }
            if (now_held.owner_application_id, now_held.subject_id)
                != (read.owner_application_id, read.subject_id)
            {
                return Err(changed_hands());
            }
            claims::expire_stale(c, row.tag_id, row.subject_id, now).await?;
            // Each claim mails the tag's owner: one application cannot flood them by asking
            // for many subjects at once.
            if claims::pending_by(c, row.tag_id, caller, now).await? >= MAX_PENDING_PER_REQUESTER {
                return Err(ServiceError::Api(
                    ApiError::new(ErrorCode::PendingClaimExists).with_message(format!(
                        "This application already has {MAX_PENDING_PER_REQUESTER} pending claims on this tag; wait for them to be decided or revoke one"
                    )),
                ));
            }
            if claims::of_subject(c, row.tag_id, row.subject_id, ClaimStatus::Active)
                .await?
                .is_some()
            {
                return Err(ErrorCode::ActiveClaimExists.into());
            }
            claims::insert(c, &row)
                .await
                .map_err(|e| match unique_violation(&e).as_deref() {
                    Some(ONE_PENDING) => ErrorCode::PendingClaimExists.into(),
                    Some(ONE_ACTIVE) => ErrorCode::ActiveClaimExists.into(),
                    _ => ServiceError::from(e),
                })?;
            insert_outbox(c, &event).await?;
            insert_outbox(c, &webhook).await?;
            Ok(())
        }
        .scope_boxed()
    })
    .await?;
    infra.relay.wake();
    state.mail_wake.notify_one();
    tracing::info!(claim = %record.claim.id, tag = %tag.tag.id, "claim requested");
    Ok(Requested {
        claim: Claim { record, tag },
        token,
        approval_url: url,
    })
}

/// The tag was transferred between reading it and writing against it: try again.
pub fn changed_hands() -> ServiceError {
    ServiceError::Api(
        ApiError::new(ErrorCode::ServiceUnavailable)
            .with_message("The tag changed hands while this request ran; retry it"),
    )
}

/// Whether the caller is a party to the claim: the application that asked for it, or the
/// holder it was asked of. For anyone else it does not exist.
fn may_see(caller: Uuid, claim: &ClaimRow) -> bool {
    caller == claim.requesting_application_id || caller == claim.owner_application_id
}

/// The claims on a tag the caller is a party to: for its holder every claim asked of it, for a
/// requesting application its own; neither is 404 (the caller learns nothing of others' claims).
pub async fn of_tag(
    infra: &Infra,
    caller: Uuid,
    address: &TagAddress,
) -> ServiceResult<(TagRecord, Vec<ClaimRecord>)> {
    let mut conn = infra.pool.get().await?;
    let tag = resolution::resolve(&mut conn, address).await?;
    let theirs = claims::of_tag(&mut conn, tag.tag.id, caller).await?;
    if theirs.is_empty() && tag.tag.owner_application_id != caller {
        return Err(ErrorCode::ClaimNotFound.into());
    }
    Ok((tag, theirs))
}

/// One claim, for its requesting application or its tag's holder; anyone else 404.
pub async fn get(infra: &Infra, caller: Uuid, id: Uuid) -> ServiceResult<Claim> {
    let mut conn = infra.pool.get().await?;
    visible(&mut conn, caller, id).await
}

async fn visible(conn: &mut AsyncPgConnection, caller: Uuid, id: Uuid) -> ServiceResult<Claim> {
    let record = claims::find(conn, id)
        .await?
        .ok_or(ErrorCode::ClaimNotFound)?;
    if !may_see(caller, &record.claim) {
        return Err(ErrorCode::ClaimNotFound.into());
    }
    let tag = tags::find_record(conn, record.claim.tag_id).await?;
    Ok(Claim { record, tag })
}

/// Revokes a PENDING or ACTIVE claim, for its requesting application or its tag's holder.
#[tracing::instrument(skip_all, fields(app_id = %caller))]
pub async fn revoke(
    infra: &Infra,
    state: &IdentityState,
    caller: Uuid,
    id: Uuid,
) -> ServiceResult<Claim> {
    let mut conn = infra.pool.get().await?;
    let Claim { record, tag } = visible(&mut conn, caller, id).await?;
    let now = state.clock.now();
    let not_revocable = || -> ServiceError {
        ServiceError::Api(
            ApiError::new(ErrorCode::ClaimNotRevocable)
                .with_errors(vec!["the claim is no longer PENDING or ACTIVE".to_owned()]),
        )
    };
    if !matches!(
        record.claim.status,
        ClaimStatus::Pending | ClaimStatus::Active
    ) {
        return Err(not_revocable());
    }
    let tag_for_tx = tag.clone();
    let revoked = conn
        .transaction::<_, ServiceError, _>(|c| {
            async move {
                let row = claims::revoke(c, id, caller, now)
                    .await?
                    .ok_or_else(not_revocable)?;
                publish_change(
                    c,
                    infra,
                    "CLAIM_REVOKED",
                    &row,
                    &tag_for_tx,
                    Some(caller),
                    now,
                )
                .await?;
                Ok(row)
            }
            .scope_boxed()
        })
        .await?;
    infra.relay.wake();
    tracing::info!(claim = %id, "claim revoked");
    Ok(Claim {
        record: ClaimRecord {
            claim: revoked,
            requesting_app_name: record.requesting_app_name,
        },
        tag,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_claim_names_a_subject_by_uuid() {
        let parse = |s: Option<&str>| {
            ClaimRequest {
                subject_id: s.map(str::to_owned),
            }
            .parse()
        };
        assert!(parse(None).is_err());
        assert!(parse(Some(" ")).is_err());
        assert!(parse(Some("not-a-uuid")).is_err());
        let id = Uuid::new_v4();
        assert_eq!(parse(Some(&id.to_string())).ok(), Some(id));
    }
}
