//! Tag transfer (section 22).

use actix_web::{web, HttpRequest, HttpResponse};
use idaas_api::{ApiResponse, ErrorEnvelope};
use idaas_auth::AuthenticatedApp;
use idaas_service::{Infra, ServiceResult};
use idaas_web::JsonBody;

use super::{
    idempotent::once,
    tags::{owner, parse_address},
    views::TagView,
};
use crate::{
    domain::transfer::{self, TransferRequest},
    IdentityState,
};

/// Move the caller's tag to a subject holding an ACTIVE claim on it (usually of another
/// application); the address stays, payments from now on go to the new owner's application.
#[utoipa::path(
    post,
    path = "/v1/tags/{tag}/transfer",
    tag = "Tags",
    params(
        ("tag" = String, Path, description = "A bare name (the caller's own) or a qualified address `name@appHandle`", pattern = "^[a-z0-9]([a-z0-9-]*[a-z0-9])?(@[a-z0-9]([a-z0-9-]*[a-z0-9])?)?$", example = "bob@shopapp"),
        ("Idempotency-Key" = Option<String>, Header, description = "1-255 printable ASCII characters; the same key and body within 24 h replays the first answer (with Idempotency-Replayed: true)", example = "550e8400-e29b-41d4-a716-446655440000"),
    ),
    request_body = TransferRequest,
    responses(
        (status = 200, description = "Transferred: the tag with its new canonical owner", body = ApiResponse<TagView>),
        (status = 403, description = "Not the caller's tag (IDAAS-AUTH-1006)", body = ErrorEnvelope),
        (status = 404, description = "No such tag of the caller's (IDAAS-RES-3004)", body = ErrorEnvelope),
        (status = 422, description = "The subject holds no ACTIVE claim on the tag (IDAAS-STATE-5006)", body = ErrorEnvelope),
    ),
)]
pub async fn transfer(
    req: HttpRequest,
    infra: web::Data<Infra>,
    state: web::Data<IdentityState>,
    caller: AuthenticatedApp,
    path: web::Path<String>,
    body: JsonBody<TransferRequest>,
) -> ServiceResult<HttpResponse> {
    let JsonBody { value, raw } = body;
    let scope = caller.app_id.to_string();
    let operation = format!("POST /v1/tags/{}/transfer", path.as_str());
    once(&infra, &state, &req, &scope, &operation, &raw, || async {
        let to = value.parse()?;
        let address = parse_address(&path)?;
        let moved = transfer::transfer(&infra, &state, owner(&caller), &address, to).await?;
        Ok(ApiResponse::ok(TagView::from(&moved))
            .with_message("Tag transferred")
            .respond())
    })
    .await
}
