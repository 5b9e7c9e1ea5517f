//! Service-to-service answers: the gateway routes nothing under `/internal`, and every handler
//! here takes a `ServiceCall`, so only a service listed for the route gets an answer.

use actix_web::{web, HttpResponse};
use idaas_api::{ApiError, ApiResponse, ErrorCode};
use idaas_domain::TagAddress;
use idaas_service::{Infra, ServiceCall, ServiceResult};
use serde::Deserialize;
use serde_json::json;

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
    Ok(ApiResponse::ok(json!({
        "tagString": record.tag.tag_string,
        "qualifiedAddress": record.tag.qualified_address,
        "status": record.tag.status,
        "applicationId": app.id,
        "applicationName": app.name,
        "appHandle": app.app_handle,
        "applicationActive": app.active,
        "transactionWebhookUrl": app.transaction_webhook_url,
        "callbackOrigins": app.callback_origins,
    }))
    .respond())
}
