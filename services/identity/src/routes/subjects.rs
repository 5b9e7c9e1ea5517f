use actix_web::{web, HttpRequest, HttpResponse};
use idaas_api::{ApiResponse, ErrorEnvelope, Page, PageQuery};
use idaas_auth::AuthenticatedApp;
use idaas_service::{Infra, ServiceResult};
use idaas_web::JsonBody;

use super::{
    idempotent::once,
    parse_id,
    views::{SubjectView, TagView},
};
use crate::{
    domain::{subject::SubjectRequest, subjects},
    IdentityState,
};

/// Create a subject: a person of the caller's, who may then hold tags.
#[utoipa::path(
    post,
    path = "/v1/subjects",
    tag = "Subjects",
    request_body = SubjectRequest,
    params(
        ("Idempotency-Key" = Option<String>, Header, description = "1-255 printable ASCII characters; the same key and body within 24 h replays the first answer (with Idempotency-Replayed: true)", example = "550e8400-e29b-41d4-a716-446655440000"),
    ),
    responses(
        (status = 201, description = "Created", body = ApiResponse<SubjectView>),
        (status = 409, description = "externalId already used by the caller (IDAAS-CONF-4003), or Idempotency-Key conflict (IDAAS-CONF-4008)", body = ErrorEnvelope),
    ),
)]
pub async fn create(
    req: HttpRequest,
    infra: web::Data<Infra>,
    state: web::Data<IdentityState>,
    caller: AuthenticatedApp,
    body: JsonBody<SubjectRequest>,
) -> ServiceResult<HttpResponse> {
    let JsonBody { value, raw } = body;
    let scope = caller.app_id.to_string();
    once(
        &infra,
        &state,
        &req,
        &scope,
        "POST /v1/subjects",
        &raw,
        || async {
            let new = value.parse()?;
            let saved = subjects::create(&infra, caller.app_id, new).await?;
            Ok(ApiResponse::ok(SubjectView::from(&saved))
                .with_message("Subject created")
                .created())
        },
    )
    .await
}

/// `GET /v1/subjects`: one page of the caller's subjects, or with `externalId` the one
/// subject it names.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct SubjectsQuery {
    /// Zero-based page number.
    #[param(minimum = 0, maximum = 1_000_000, default = 0)]
    page: Option<i64>,
    /// Page size, 1 to 100.
    #[param(minimum = 1, maximum = 100, default = 20)]
    size: Option<i64>,
    /// Look one subject up by the caller's own user id: the page holds it alone, or the
    /// answer is 404 IDAAS-RES-3003.
    #[param(max_length = 255)]
    external_id: Option<String>,
}

/// The caller's subjects.
#[utoipa::path(
    get,
    path = "/v1/subjects",
    tag = "Subjects",
    params(SubjectsQuery),
    responses(
        (status = 200, description = "One page (with externalId: the one subject)", body = ApiResponse<Page<SubjectView>>),
        (status = 404, description = "No subject of the caller has that externalId (IDAAS-RES-3003)", body = ErrorEnvelope),
    ),
)]
pub async fn list(
    infra: web::Data<Infra>,
    caller: AuthenticatedApp,
    query: web::Query<SubjectsQuery>,
) -> ServiceResult<HttpResponse> {
    let q = query.into_inner();
    let (page, size) = PageQuery {
        page: q.page,
        size: q.size,
    }
    .validate()?;
    if let Some(external_id) = q.external_id {
        let subject = subjects::by_external_id(&infra, caller.app_id, &external_id).await?;
        let content = vec![SubjectView::from(&subject)];
        return Ok(ApiResponse::ok(Page::new(content, 0, size, 1)).respond());
    }
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
