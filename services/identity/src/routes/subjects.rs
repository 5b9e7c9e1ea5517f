use actix_web::{web, HttpResponse};
use chrono::Utc;
use idaas_api::{ApiError, ApiResponse, ErrorCode, Page, PageQuery};
use idaas_auth::AuthenticatedApp;
use idaas_db::unique_violation;
use idaas_service::{Infra, ServiceError, ServiceResult};
use uuid::Uuid;

use super::{
    parse_id,
    views::{tag_view, SubjectView},
};
use crate::{
    domain::subject::SubjectRequest,
    store::{
        subjects::{self, SubjectRow, EXTERNAL_ID_UNIQUE},
        tags,
    },
};

pub async fn create(
    infra: web::Data<Infra>,
    caller: AuthenticatedApp,
    body: web::Json<SubjectRequest>,
) -> ServiceResult<HttpResponse> {
    let new = body.into_inner().parse()?;
    let row = SubjectRow {
        id: Uuid::new_v4(),
        application_id: caller.app_id,
        external_id: new.external_id,
        display_name: new.display_name,
        email: new.email,
        metadata: new.metadata,
        created_at: Utc::now(),
    };
    let mut conn = infra.pool.get().await?;
    let saved = subjects::insert(&mut conn, &row).await.map_err(|e| {
        match unique_violation(&e).as_deref() {
            Some(EXTERNAL_ID_UNIQUE) => ServiceError::Api(
                ApiError::new(ErrorCode::SubjectExternalIdExists).with_errors(vec![format!(
                    "externalId '{}' already exists",
                    row.external_id
                )]),
            ),
            _ => e.into(),
        }
    })?;
    Ok(ApiResponse::ok(SubjectView::from(&saved))
        .with_message("Subject created")
        .created())
}

pub async fn list(
    infra: web::Data<Infra>,
    caller: AuthenticatedApp,
    query: web::Query<PageQuery>,
) -> ServiceResult<HttpResponse> {
    let (page, size) = query.validate()?;
    let mut conn = infra.pool.get().await?;
    let (rows, total) = subjects::page(&mut conn, caller.app_id, page, size).await?;
    let content = rows.iter().map(SubjectView::from).collect();
    Ok(ApiResponse::ok(Page::new(content, page, size, total)).respond())
}

/// The caller's own subject; another tenant's subject is "not found" to it.
pub(super) async fn owned_subject(
    infra: &Infra,
    caller: &AuthenticatedApp,
    id: Uuid,
) -> ServiceResult<SubjectRow> {
    let mut conn = infra.pool.get().await?;
    match subjects::find(&mut conn, id).await? {
        Some(s) if s.application_id == caller.app_id => Ok(s),
        _ => Err(ErrorCode::SubjectNotFound.into()),
    }
}

pub async fn get(
    infra: web::Data<Infra>,
    caller: AuthenticatedApp,
    path: web::Path<String>,
) -> ServiceResult<HttpResponse> {
    let id = parse_id(&path, "id")?;
    let subject = owned_subject(&infra, &caller, id).await?;
    Ok(ApiResponse::ok(SubjectView::from(&subject)).respond())
}

pub async fn tags(
    infra: web::Data<Infra>,
    caller: AuthenticatedApp,
    path: web::Path<String>,
) -> ServiceResult<HttpResponse> {
    let id = parse_id(&path, "id")?;
    owned_subject(&infra, &caller, id).await?;
    let mut conn = infra.pool.get().await?;
    let records = tags::for_subject(&mut conn, id).await?;
    let views: Vec<_> = records.iter().map(tag_view).collect();
    Ok(ApiResponse::ok(views).respond())
}
