//! A tenant's subjects: created with an external id unique within the tenant, visible only to
//! it (another tenant's subject is "not found").

use chrono::Utc;
use idaas_api::{ApiError, ErrorCode};
use idaas_db::unique_violation;
use idaas_service::{Infra, ServiceError, ServiceResult};
use uuid::Uuid;

use super::subject::NewSubject;
use crate::store::{
    subjects::{self, SubjectRow, EXTERNAL_ID_UNIQUE},
    tags::{self, TagRecord},
};

pub async fn create(infra: &Infra, app: Uuid, new: NewSubject) -> ServiceResult<SubjectRow> {
    let row = SubjectRow {
        id: Uuid::new_v4(),
        application_id: app,
        external_id: new.external_id,
        display_name: new.display_name,
        email: new.email,
        metadata: new.metadata,
        created_at: Utc::now(),
    };
    let mut conn = infra.pool.get().await?;
    subjects::insert(&mut conn, &row)
        .await
        .map_err(|e| match unique_violation(&e).as_deref() {
            Some(EXTERNAL_ID_UNIQUE) => ServiceError::Api(
                ApiError::new(ErrorCode::SubjectExternalIdExists).with_errors(vec![format!(
                    "externalId '{}' already exists",
                    row.external_id
                )]),
            ),
            _ => e.into(),
        })
}

/// One page of the tenant's subjects and the total.
pub async fn page(
    infra: &Infra,
    app: Uuid,
    page: i64,
    size: i64,
) -> ServiceResult<(Vec<SubjectRow>, i64)> {
    let mut conn = infra.pool.get().await?;
    Ok(subjects::page(&mut conn, app, page, size).await?)
}

/// The tenant's subject with this external id; another tenant's is "not found" to it.
pub async fn by_external_id(
    infra: &Infra,
    app: Uuid,
    external_id: &str,
) -> ServiceResult<SubjectRow> {
    let mut conn = infra.pool.get().await?;
    subjects::find_by_external_id(&mut conn, app, external_id)
        .await?
        .ok_or_else(|| ErrorCode::SubjectNotFoundByExternalId.into())
}

/// The tenant's own subject; another tenant's subject is "not found" to it.
pub async fn owned(infra: &Infra, app: Uuid, id: Uuid) -> ServiceResult<SubjectRow> {
    let mut conn = infra.pool.get().await?;
    match subjects::find(&mut conn, id).await? {
        Some(s) if s.application_id == app => Ok(s),
        _ => Err(ErrorCode::SubjectNotFound.into()),
    }
}

/// The tags one of the tenant's subjects holds.
pub async fn tags_of(infra: &Infra, app: Uuid, id: Uuid) -> ServiceResult<Vec<TagRecord>> {
    owned(infra, app, id).await?;
    let mut conn = infra.pool.get().await?;
    Ok(tags::for_subject(&mut conn, id).await?)
}
