use actix_web::{web, HttpResponse};
use chrono::Utc;
use idaas_api::{ApiError, ApiResponse, ErrorCode, ErrorEnvelope, Page, PageQuery};
use idaas_auth::AuthenticatedApp;
use idaas_db::unique_violation;
use idaas_service::{Infra, ServiceError, ServiceResult};
use uuid::Uuid;

use super::{
    parse_id,
    views::{SubjectView, TagView},
};
use crate::{
    domain::subject::SubjectRequest,
    store::{
        subjects::{self, SubjectRow, EXTERNAL_ID_UNIQUE},
        tags,
    },
};

/// Create a subject: a person of the caller's, who may then hold tags.
#[utoipa::path(
    post,
    path = "/v1/subjects",
    tag = "Subjects",
    request_body = SubjectRequest,
    responses(
        (status = 201, description = "Created", body = ApiResponse<SubjectView>),
        (status = 409, description = "externalId already used by the caller (IDAAS-CONF-4003)", body = ErrorEnvelope),
    ),
)]
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

/// The caller's subjects.
#[utoipa::path(
    get,
    path = "/v1/subjects",
    tag = "Subjects",
    params(PageQuery),
    responses((status = 200, description = "One page", body = ApiResponse<Page<SubjectView>>)),
)]
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

#[utoipa::path(
    get,
    path = "/v1/subjects/{id}",
    tag = "Subjects",
    params(("id" = Uuid, Path, description = "One of the caller's subjects")),
    responses(
        (status = 200, description = "The subject", body = ApiResponse<SubjectView>),
        (status = 404, description = "Not the caller's, or no such subject (IDAAS-RES-3002)", body = ErrorEnvelope),
    ),
)]
pub async fn get(
    infra: web::Data<Infra>,
    caller: AuthenticatedApp,
    path: web::Path<String>,
) -> ServiceResult<HttpResponse> {
    let id = parse_id(&path, "id")?;
    let subject = owned_subject(&infra, &caller, id).await?;
    Ok(ApiResponse::ok(SubjectView::from(&subject)).respond())
}

/// The tags a subject of the caller's holds.
#[utoipa::path(
    get,
    path = "/v1/subjects/{id}/tags",
    tag = "Subjects",
    params(("id" = Uuid, Path, description = "One of the caller's subjects")),
    responses(
        (status = 200, description = "The subject's tags", body = ApiResponse<Vec<TagView>>),
        (status = 404, description = "Not the caller's, or no such subject (IDAAS-RES-3002)", body = ErrorEnvelope),
    ),
)]
pub async fn tags(
    infra: web::Data<Infra>,
    caller: AuthenticatedApp,
    path: web::Path<String>,
) -> ServiceResult<HttpResponse> {
    let id = parse_id(&path, "id")?;
    owned_subject(&infra, &caller, id).await?;
    let mut conn = infra.pool.get().await?;
    let records = tags::for_subject(&mut conn, id).await?;
    let views: Vec<_> = records.iter().map(TagView::from).collect();
    Ok(ApiResponse::ok(views).respond())
}
