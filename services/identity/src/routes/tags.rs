use actix_web::{http::header, web, HttpResponse};
use chrono::Utc;
use idaas_api::{ApiError, ApiResponse, ErrorCode, ErrorEnvelope, Page, PageQuery};
use idaas_auth::AuthenticatedApp;
use idaas_contracts::tags::TagStatus;
use idaas_db::unique_violation;
use idaas_domain::{AppHandle, QualifiedAddress, TagAddress};
use idaas_service::{Infra, ServiceError, ServiceResult};
use uuid::Uuid;

use super::views::{PublicTagView, TagView};
use crate::{
    domain::{resolution, tag::TagRequest},
    store::{
        applications, subjects,
        tags::{self, TagRow, APP_TAG_UNIQUE, QUALIFIED_UNIQUE},
    },
    IdentityState,
};

fn parse_address(raw: &str) -> Result<TagAddress, ApiError> {
    raw.parse::<TagAddress>()
        .map_err(|e| ApiError::validation(vec![format!("tag: {e}")]))
}

/// Give one of the caller's subjects a tag, `name@appHandle` platform-wide.
#[utoipa::path(
    post,
    path = "/v1/tags",
    tag = "Tags",
    request_body = TagRequest,
    responses(
        (status = 201, description = "Created", body = ApiResponse<TagView>),
        (status = 404, description = "No such subject (IDAAS-RES-3002)", body = ErrorEnvelope),
        (status = 409, description = "The tag exists (IDAAS-CONF-4001, IDAAS-CONF-4002)", body = ErrorEnvelope),
        (status = 422, description = "The subject is another application's (IDAAS-STATE-5002)", body = ErrorEnvelope),
    ),
)]
#[tracing::instrument(skip_all, fields(app_id = %caller.app_id))]
pub async fn create(
    infra: web::Data<Infra>,
    state: web::Data<IdentityState>,
    caller: AuthenticatedApp,
    body: web::Json<TagRequest>,
) -> ServiceResult<HttpResponse> {
    let new = body.into_inner().parse()?;
    let mut conn = infra.pool.get().await?;
    let subject = subjects::find(&mut conn, new.subject_id)
        .await?
        .ok_or(ErrorCode::SubjectNotFound)?;
    if subject.application_id != caller.app_id {
        return Err(ErrorCode::SubjectNotOwned.into());
    }
    let app = applications::find(&mut conn, caller.app_id)
        .await?
        .ok_or(ErrorCode::AuthApplicationNotFound)?;
    let handle = AppHandle::parse(&app.app_handle).map_err(ApiError::internal)?;
    let qualified = QualifiedAddress::new(new.tag.clone(), handle).to_string();
    let now = Utc::now();
    let row = TagRow {
        id: Uuid::new_v4(),
        application_id: caller.app_id,
        subject_id: subject.id,
        tag_string: new.tag.to_string(),
        qualified_address: qualified.clone(),
        status: TagStatus::Active,
        created_at: now,
        updated_at: now,
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
    let record = tags::find_record(&mut conn, row.id).await?;
    Ok(ApiResponse::ok(TagView::from(&record))
        .with_message("Tag created")
        .created())
}

/// The caller's tags.
#[utoipa::path(
    get,
    path = "/v1/tags",
    tag = "Tags",
    params(PageQuery),
    responses((status = 200, description = "One page", body = ApiResponse<Page<TagView>>)),
)]
pub async fn list(
    infra: web::Data<Infra>,
    caller: AuthenticatedApp,
    query: web::Query<PageQuery>,
) -> ServiceResult<HttpResponse> {
    let (page, size) = query.validate()?;
    let mut conn = infra.pool.get().await?;
    let (records, total) = tags::page_for_app(&mut conn, caller.app_id, page, size).await?;
    let content = records.iter().map(TagView::from).collect();
    Ok(ApiResponse::ok(Page::new(content, page, size, total)).respond())
}

/// Public resolution by bare name or qualified address; a bare name on several applications
/// is a 409 listing the qualified addresses to use instead.
#[utoipa::path(
    get,
    path = "/v1/tags/{tag}",
    tag = "Tags",
    params(("tag" = String, Path, description = "A bare name (the caller's own) or a qualified address `name@appHandle`", pattern = "^[a-z0-9]([a-z0-9-]*[a-z0-9])?(@[a-z0-9]([a-z0-9-]*[a-z0-9])?)?$", example = "alice@walletapp")),
    responses(
        (status = 200, description = "The tag; cached for 30 seconds", body = ApiResponse<PublicTagView>),
        (status = 404, description = "No such tag (IDAAS-RES-3004)", body = ErrorEnvelope),
        (status = 409, description = "A bare name on several applications (IDAAS-CONF-4006); `data.candidates` lists the qualified addresses", body = ErrorEnvelope),
    ),
)]
#[tracing::instrument(skip_all, fields(tag = %path.as_str()))]
pub async fn resolve(
    infra: web::Data<Infra>,
    state: web::Data<IdentityState>,
    path: web::Path<String>,
) -> ServiceResult<HttpResponse> {
    let address = parse_address(&path)?;
    let key = address.to_string();
    let view: PublicTagView = match state.cache.get(&key).await {
        Some(hit) => hit,
        None => {
            let mut conn = infra.pool.get().await?;
            let record = resolution::resolve(&mut conn, &address).await?;
            let view = PublicTagView::from(&record);
            state.cache.put(&key, &view).await;
            view
        }
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=30"))
        .json(ApiResponse::ok(view)))
}

/// Disable one of the caller's tags: it can no longer pay or be paid.
#[utoipa::path(
    patch,
    path = "/v1/tags/{tag}/disable",
    tag = "Tags",
    params(("tag" = String, Path, description = "A bare name (the caller's own) or a qualified address `name@appHandle`", pattern = "^[a-z0-9]([a-z0-9-]*[a-z0-9])?(@[a-z0-9]([a-z0-9-]*[a-z0-9])?)?$", example = "alice@walletapp")),
    responses(
        (status = 200, description = "Disabled", body = ApiResponse<TagView>),
        (status = 403, description = "Another application's tag (IDAAS-AUTH-1006)", body = ErrorEnvelope),
        (status = 404, description = "No such tag of the caller's (IDAAS-RES-3004)", body = ErrorEnvelope),
    ),
)]
pub async fn disable(
    infra: web::Data<Infra>,
    state: web::Data<IdentityState>,
    caller: AuthenticatedApp,
    path: web::Path<String>,
) -> ServiceResult<HttpResponse> {
    set_status(&infra, &state, &caller, &path, TagStatus::Disabled).await
}

/// Enable one of the caller's tags again.
#[utoipa::path(
    patch,
    path = "/v1/tags/{tag}/enable",
    tag = "Tags",
    params(("tag" = String, Path, description = "A bare name (the caller's own) or a qualified address `name@appHandle`", pattern = "^[a-z0-9]([a-z0-9-]*[a-z0-9])?(@[a-z0-9]([a-z0-9-]*[a-z0-9])?)?$", example = "alice@walletapp")),
    responses(
        (status = 200, description = "Enabled", body = ApiResponse<TagView>),
        (status = 403, description = "Another application's tag (IDAAS-AUTH-1006)", body = ErrorEnvelope),
        (status = 404, description = "No such tag of the caller's (IDAAS-RES-3004)", body = ErrorEnvelope),
    ),
)]
pub async fn enable(
    infra: web::Data<Infra>,
    state: web::Data<IdentityState>,
    caller: AuthenticatedApp,
    path: web::Path<String>,
) -> ServiceResult<HttpResponse> {
    set_status(&infra, &state, &caller, &path, TagStatus::Active).await
}

/// Only the application that created a tag may change it; a bare name means the caller's own.
async fn set_status(
    infra: &Infra,
    state: &IdentityState,
    caller: &AuthenticatedApp,
    raw: &str,
    status: TagStatus,
) -> ServiceResult<HttpResponse> {
    let qualified = match parse_address(raw)? {
        TagAddress::Qualified(q) if q.app.as_str() != caller.handle => {
            return Err(ServiceError::Api(
                ApiError::new(ErrorCode::AccessDenied)
                    .with_message("Only the application that created a tag can change it"),
            ))
        }
        TagAddress::Qualified(q) => q.to_string(),
        TagAddress::Bare(t) => format!("{t}@{}", caller.handle),
    };
    let mut conn = infra.pool.get().await?;
    let record = tags::find_by_qualified(&mut conn, &qualified)
        .await?
        .filter(|r| r.tag.application_id == caller.app_id)
        .ok_or(ErrorCode::TagNotFound)?;
    tags::set_status(&mut conn, record.tag.id, status).await?;
    state
        .cache
        .invalidate(&record.tag.tag_string, &record.tag.qualified_address)
        .await;
    let updated = tags::find_record(&mut conn, record.tag.id).await?;
    let message = match status {
        TagStatus::Active => "Tag enabled",
        TagStatus::Disabled => "Tag disabled",
    };
    Ok(ApiResponse::ok(TagView::from(&updated))
        .with_message(message)
        .respond())
}
