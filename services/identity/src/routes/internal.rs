//! Service-to-service answers (the gateway routes nothing under `/internal`).

use actix_web::{web, HttpResponse};
use idaas_api::{ApiError, ApiResponse, ErrorCode};
use idaas_domain::TagAddress;
use idaas_service::{Infra, ServiceError, ServiceResult};
use serde::Deserialize;
use serde_json::json;

use crate::store::{applications, tags};

#[derive(Deserialize)]
pub struct ResolveQuery {
    address: String,
}

/// A tag with what a payment needs about its application: id, name, handle, webhook URL.
/// Same outcomes as public resolution: 404 unknown, 409 ambiguous bare name (candidates).
pub async fn resolve_tag(
    infra: web::Data<Infra>,
    query: web::Query<ResolveQuery>,
) -> ServiceResult<HttpResponse> {
    let address: TagAddress = query
        .address
        .parse()
        .map_err(|e| ApiError::validation(vec![format!("tag: {e}")]))?;
    let mut conn = infra.pool.get().await?;
    let record = match &address {
        TagAddress::Qualified(q) => tags::find_by_qualified(&mut conn, &q.to_string()).await?,
        TagAddress::Bare(t) => {
            let mut found = tags::find_by_bare(&mut conn, t.as_str()).await?;
            if found.len() > 1 {
                let candidates: Vec<String> = found
                    .iter()
                    .map(|r| r.tag.qualified_address.clone())
                    .collect();
                return Err(ServiceError::Api(
                    ApiError::new(ErrorCode::AmbiguousTag)
                        .with_message(format!("Tag '{t}' exists on more than one application; use a qualified address"))
                        .with_errors(candidates.clone())
                        .with_data(json!({ "candidates": candidates })),
                ));
            }
            found.pop()
        }
    };
    let record = record.ok_or(ErrorCode::TagNotFound)?;
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
    }))
    .respond())
}
