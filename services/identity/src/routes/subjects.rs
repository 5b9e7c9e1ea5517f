use actix_web::{web, HttpResponse};
use idaas_api::{ApiResponse, ErrorEnvelope, Page, PageQuery};
use idaas_auth::AuthenticatedApp;
use idaas_service::{Infra, ServiceResult};

use super::{
    parse_id,
    views::{SubjectView, TagView},
};
use crate::domain::{subject::SubjectRequest, subjects};

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
    let saved = subjects::create(&infra, caller.app_id, new).await?;
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
    let (rows, total) = subjects::page(&infra, caller.app_id, page, size).await?;
    let content = rows.iter().map(SubjectView::from).collect();
    Ok(ApiResponse::ok(Page::new(content, page, size, total)).respond())
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
    let subject = subjects::owned(&infra, caller.app_id, id).await?;
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
    let records = subjects::tags_of(&infra, caller.app_id, id).await?;
    let views: Vec<_> = records.iter().map(TagView::from).collect();
    Ok(ApiResponse::ok(views).respond())
}
