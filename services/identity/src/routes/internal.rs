//! Service-to-service answers: the gateway routes nothing under `/internal`, and every handler
//! here takes a `ServiceCall`, so only a service listed for the route gets an answer.

use actix_web::{web, HttpResponse};
use idaas_api::{ApiError, ApiResponse, ErrorCode};
use idaas_contracts::tags::ResolvedTag;
use idaas_domain::TagAddress;
use idaas_service::{Infra, ServiceCall, ServiceResult};
use serde::Deserialize;

use crate::{domain::resolution, store::applications};

#[derive(Deserialize)]
pub struct ResolveQuery {
    address: String,
}

/// A tag with what a payment needs about its application: id, name, handle, webhook URL.
/// Same outcomes as public resolution: 404 unknown, 409 ambiguous bare name (candidates).
pub async fn resolve_tag(
    infra: web::Data<Infra>,
    _caller: ServiceCall,
    query: web::Query<ResolveQuery>,
) -> ServiceResult<HttpResponse> {
    let address: TagAddress = query
        .address
        .parse()
        .map_err(|e| ApiError::validation(vec![format!("tag: {e}")]))?;
    let mut conn = infra.pool.get().await?;
    let record = resolution::resolve(&mut conn, &address).await?;
    let app = applications::find(&mut conn, record.tag.application_id)
        .await?
        .ok_or(ErrorCode::ApplicationNotFound)?;
    Ok(ApiResponse::ok(ResolvedTag {
        tag_string: record.tag.tag_string,
        qualified_address: record.tag.qualified_address,
        status: record.tag.status,
        application_id: app.id,
        application_name: app.name,
        app_handle: app.app_handle,
        application_active: app.active,
        transaction_webhook_url: app.transaction_webhook_url,
        callback_origins: app.callback_origins,
    })
    .respond())
}
