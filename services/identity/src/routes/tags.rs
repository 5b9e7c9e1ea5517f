use actix_web::{http::header, web, HttpRequest, HttpResponse};
use idaas_api::{ApiError, ApiResponse, ErrorEnvelope, Page, PageQuery};
use idaas_auth::AuthenticatedApp;
use idaas_contracts::tags::TagStatus;
use idaas_domain::TagAddress;
use idaas_service::{Infra, ServiceResult};
use idaas_web::JsonBody;

use super::{
    idempotent::once,
    views::{PublicTagView, TagView},
};
use crate::{
    domain::{tag::TagRequest, tags},
    IdentityState,
};

/// The caller as the owner of the tags it names.
pub(super) fn owner(caller: &AuthenticatedApp) -> tags::Owner<'_> {
    tags::Owner {
        app: caller.app_id,
        handle: &caller.handle,
    }
}

pub(super) fn parse_address(raw: &str) -> Result<TagAddress, ApiError> {
    raw.parse::<TagAddress>()
        .map_err(|e| ApiError::validation(vec![format!("tag: {e}")]))
}

/// Give one of the caller's subjects a tag, `name@appHandle` platform-wide.
#[utoipa::path(
    post,
    path = "/v1/tags",
    tag = "Tags",
    request_body = TagRequest,
    params(
        ("Idempotency-Key" = Option<String>, Header, description = "1-255 printable ASCII characters; the same key and body within 24 h replays the first answer (with Idempotency-Replayed: true)", example = "550e8400-e29b-41d4-a716-446655440000"),
    ),
    responses(
        (status = 201, description = "Created", body = ApiResponse<TagView>),
        (status = 404, description = "No such subject (IDAAS-RES-3002)", body = ErrorEnvelope),
        (status = 409, description = "The tag exists (IDAAS-CONF-4001, IDAAS-CONF-4002), or Idempotency-Key conflict (IDAAS-CONF-4008)", body = ErrorEnvelope),
        (status = 422, description = "The subject is another application's (IDAAS-STATE-5002)", body = ErrorEnvelope),
    ),
)]
pub async fn create(
    req: HttpRequest,
    infra: web::Data<Infra>,
    state: web::Data<IdentityState>,
    caller: AuthenticatedApp,
    body: JsonBody<TagRequest>,
) -> ServiceResult<HttpResponse> {
    let JsonBody { value, raw } = body;
    let scope = caller.app_id.to_string();
    once(
        &infra,
        &state,
        &req,
        &scope,
        "POST /v1/tags",
        &raw,
        || async {
            let new = value.parse()?;
            let record = tags::create(&infra, &state, caller.app_id, new).await?;
            Ok(ApiResponse::ok(TagView::from(&record))
                .with_message("Tag created")
                .created())
        },
    )
    .await
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
    let (records, total) = tags::page(&infra, caller.app_id, page, size).await?;
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
    let view = tags::resolve_public(&infra, &state, &address, |r| PublicTagView::from(r)).await?;
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

async fn set_status(
    infra: &Infra,
    state: &IdentityState,
    caller: &AuthenticatedApp,
    raw: &str,
    status: TagStatus,
) -> ServiceResult<HttpResponse> {
    let updated =
        tags::set_status(infra, state, owner(caller), parse_address(raw)?, status).await?;
    let message = match status {
        TagStatus::Active => "Tag enabled",
        TagStatus::Disabled => "Tag disabled",
    };
    Ok(ApiResponse::ok(TagView::from(&updated))
        .with_message(message)
        .respond())
}
