//! Tag transfer (section 22): the application holding a tag moves its canonical ownership to a
//! subject that holds an ACTIVE claim on it, typically a subject of another application (a
//! user taking the tag along). The qualified address never changes; resolution shows the new
//! owner at once; payments initiated afterwards go to the new owner's application, those
//! already awaiting acceptance keep the receiver they were created with (the transaction
//! service fixed it at initiation). The tag's other PENDING or ACTIVE claims are revoked and its
//! federation links removed: the new owner consented to none of them.

use diesel_async::{scoped_futures::ScopedFutureExt, AsyncConnection};
use idaas_api::{ApiError, ErrorCode};
use idaas_domain::TagAddress;
use idaas_kafka::insert_outbox;
use idaas_proto::identity::v1::{tag_event::Kind, TagTransferred};
use idaas_service::{Infra, ServiceError, ServiceResult};
use serde::Deserialize;
use uuid::Uuid;

use super::{
    claims::{publish_change, ClaimStatus},
    events::tag_event,
    tags::{self, Owner},
};
use crate::{
    store::{
        claims, links,
        tags::{self as tag_store, TagRecord},
    },
    IdentityState,
};

/// `POST /v1/tags/{tag}/transfer`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"subjectId": "c1d2e3f4-0000-1111-2222-aabbccddeeff"}))]
pub struct TransferRequest {
    /// The new owner: a subject holding an ACTIVE claim on the tag.
    #[schema(required = true, format = Uuid)]
    subject_id: Option<String>,
}

impl TransferRequest {
    pub fn parse(self) -> Result<Uuid, ApiError> {
        super::claims::subject_id(self.subject_id)
    }
}

fn needs_claim() -> ServiceError {
    ServiceError::Api(
        ApiError::new(ErrorCode::TransferRequiresClaim).with_errors(vec![
            "the new owner holds no ACTIVE claim on this tag".to_owned(),
        ]),
    )
}

#[tracing::instrument(skip_all, fields(app_id = %owner.app))]
pub async fn transfer(
    infra: &Infra,
    state: &IdentityState,
    owner: Owner<'_>,
    address: &TagAddress,
    to_subject: Uuid,
) -> ServiceResult<TagRecord> {
    let mut conn = infra.pool.get().await?;
    let tag = tags::own_for_change(&mut conn, &owner, address).await?;
    // Whether the subject exists elsewhere is not the caller's to learn: no ACTIVE claim on
    // its own tag is all it is told.
    let claim = claims::of_subject(&mut conn, tag.tag.id, to_subject, ClaimStatus::Active)
        .await?
        .ok_or_else(needs_claim)?;
    let now = state.clock.now();
    let (caller, before, claim_for_tx) = (owner.app, tag.tag.clone(), claim.clone());
    let moved = conn
        .transaction::<_, ServiceError, _>(|c| {
            async move {
                // Still ACTIVE, and held so until this commits: a revocation racing the transfer
                // either lands first (and the transfer is refused) or waits for it.
                let claim_for_tx = claims::lock_active(c, claim_for_tx.id)
                    .await?
                    .ok_or_else(needs_claim)?;
                let to_app = claim_for_tx.requesting_application_id;
                // Moved only if nobody moved it since it was read: a second transfer racing
                // this one finds the tag no longer the caller's.
                let row = tag_store::transfer(c, &before, to_subject, to_app)
                    .await?
                    .ok_or_else(|| {
                        ApiError::new(ErrorCode::AccessDenied)
                            .with_message("The tag changed hands while this transfer ran")
                    })?;
                let record = tag_store::find_record(c, row.id).await?;
                let kind = Kind::Transferred(TagTransferred {
                    from_application_id: before.owner_application_id.to_string(),
                    from_subject_id: before.subject_id.to_string(),
                    to_application_id: to_app.to_string(),
                    to_subject_id: to_subject.to_string(),
                    claim_id: claim_for_tx.id.to_string(),
                });
                insert_outbox(c, &tag_event(&infra.topics, &row, now, kind)).await?;
                for revoked in
                    claims::revoke_others(c, row.id, claim_for_tx.id, caller, now).await?
                {
                    publish_change(
                        c,
                        infra,
                        "CLAIM_REVOKED",
                        &revoked,
                        &record,
                        Some(caller),
                        now,
                    )
                    .await?;
                }
                links::remove_all_of_tag(c, row.id, now).await?;
                Ok(record)
            }
            .scope_boxed()
        })
        .await?;
    infra.relay.wake();
    state
        .cache
        .invalidate(&moved.tag.tag_string, &moved.tag.qualified_address)
        .await;
    tracing::info!(tag = %moved.tag.id, to_app = %moved.tag.owner_application_id, "tag transferred");
    Ok(moved)
}
