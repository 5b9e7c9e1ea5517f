//! Tags: created for one of the tenant's subjects as `name@appHandle`, resolved publicly
//! (through a 30 s cache that every change invalidates), disabled and enabled only by the
//! application that created them.

use chrono::Utc;
use idaas_api::{ApiError, ErrorCode};
use idaas_contracts::tags::TagStatus;
use idaas_db::unique_violation;
use idaas_domain::{AppHandle, QualifiedAddress, TagAddress};
use idaas_service::{Infra, ServiceError, ServiceResult};
use serde::{de::DeserializeOwned, Serialize};
use uuid::Uuid;

use super::{resolution, tag::NewTag};
use crate::{
    store::{
        applications, subjects,
        tags::{self, TagRecord, TagRow, APP_TAG_UNIQUE, QUALIFIED_UNIQUE},
    },
    IdentityState,
};

/// The caller, as far as tags care: its id and its handle.
pub struct Owner<'a> {
    pub app: Uuid,
    pub handle: &'a str,
}

#[tracing::instrument(skip_all, fields(app_id = %app))]
pub async fn create(
    infra: &Infra,
    state: &IdentityState,
    app: Uuid,
    new: NewTag,
) -> ServiceResult<TagRecord> {
    let mut conn = infra.pool.get().await?;
    let subject = subjects::find(&mut conn, new.subject_id)
        .await?
        .ok_or(ErrorCode::SubjectNotFound)?;
    if subject.application_id != app {
        return Err(ErrorCode::SubjectNotOwned.into());
    }
    let owner = applications::find(&mut conn, app)
        .await?
        .ok_or(ErrorCode::AuthApplicationNotFound)?;
    let handle = AppHandle::parse(&owner.app_handle).map_err(ApiError::internal)?;
    let qualified = QualifiedAddress::new(new.tag.clone(), handle).to_string();
    let now = Utc::now();
    let row = TagRow {
        id: Uuid::new_v4(),
        application_id: app,
        subject_id: subject.id,
        tag_string: new.tag.to_string(),
        qualified_address: qualified.clone(),
        status: TagStatus::Active,
        created_at: now,
        updated_at: now,
        owner_application_id: app,
    };
    tags::insert(&mut conn, &row).await.map_err(|e| {
        let code = match unique_violation(&e).as_deref() {
            Some(APP_TAG_UNIQUE) => ErrorCode::TagExistsInApplication,
            Some(QUALIFIED_UNIQUE) => ErrorCode::TagAlreadyExists,
            _ => return ServiceError::from(e),
        };
        ServiceError::Api(
            ApiError::new(code).with_errors(vec![format!("tag '{qualified}' already exists")]),
        )
    })?;
    state.cache.invalidate(&row.tag_string, &qualified).await;
    Ok(tags::find_record(&mut conn, row.id).await?)
}

/// One page of the tenant's tags and the total.
pub async fn page(
    infra: &Infra,
    app: Uuid,
    page: i64,
    size: i64,
) -> ServiceResult<(Vec<TagRecord>, i64)> {
    let mut conn = infra.pool.get().await?;
    Ok(tags::page_for_app(&mut conn, app, page, size).await?)
}

/// Public resolution, cached: `view` renders a record the way the cache stores it.
pub async fn resolve_public<V, F>(
    infra: &Infra,
    state: &IdentityState,
    address: &TagAddress,
    view: F,
) -> ServiceResult<V>
where
    V: Serialize + DeserializeOwned,
    F: FnOnce(&TagRecord) -> V,
{
    let key = address.to_string();
    if let Some(hit) = state.cache.get(&key).await {
        return Ok(hit);
    }
    let mut conn = infra.pool.get().await?;
    let record = resolution::resolve(&mut conn, address).await?;
    let fresh = view(&record);
    state.cache.put(&key, &fresh).await;
    Ok(fresh)
}

/// A tag named by an application that wants to act on it as its owner.
pub enum Owned {
    Mine(TagRecord),
    /// A qualified address on another application.
    Foreign,
    /// No such tag of the caller's.
    Missing,
}

/// Looks up the tag `address` names, as the caller's own: a bare name means the caller's
/// handle; a tag is the caller's when the caller holds it now (a transferred tag keeps the
/// address of the application that created it).
pub async fn lookup_owned(
    conn: &mut diesel_async::AsyncPgConnection,
    owner: &Owner<'_>,
    address: &TagAddress,
) -> ServiceResult<Owned> {
    let (qualified, foreign_handle) = match address {
        TagAddress::Qualified(q) => (q.to_string(), q.app.as_str() != owner.handle),
        TagAddress::Bare(t) => (format!("{t}@{}", owner.handle), false),
    };
    Ok(match tags::find_by_qualified(conn, &qualified).await? {
        Some(r) if r.tag.owner_application_id == owner.app => Owned::Mine(r),
        Some(_) => Owned::Foreign,
        // Another application's namespace answers as before transfers existed: not yours.
        None if foreign_handle => Owned::Foreign,
        None => Owned::Missing,
    })
}

/// The caller's own tag, to change: another application's is 403, an unknown one 404.
pub async fn own_for_change(
    conn: &mut diesel_async::AsyncPgConnection,
    owner: &Owner<'_>,
    address: &TagAddress,
) -> ServiceResult<TagRecord> {
    match lookup_owned(conn, owner, address).await? {
        Owned::Mine(r) => Ok(r),
        Owned::Foreign => Err(ServiceError::Api(
            ApiError::new(ErrorCode::AccessDenied)
                .with_message("Only the application that created a tag can change it"),
        )),
        Owned::Missing => Err(ErrorCode::TagNotFound.into()),
    }
}

/// Only the application that created a tag may change it; a bare name means the caller's own.
pub async fn set_status(
    infra: &Infra,
    state: &IdentityState,
    owner: Owner<'_>,
    address: TagAddress,
    status: TagStatus,
) -> ServiceResult<TagRecord> {
    let mut conn = infra.pool.get().await?;
    let record = own_for_change(&mut conn, &owner, &address).await?;
    tags::set_status(&mut conn, record.tag.id, status).await?;
    state
        .cache
        .invalidate(&record.tag.tag_string, &record.tag.qualified_address)
        .await;
    Ok(tags::find_record(&mut conn, record.tag.id).await?)
}
