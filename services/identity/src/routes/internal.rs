//! Service-to-service answers: the gateway routes nothing under `/internal`, and every handler
//! here takes a `ServiceCall`, so only a service listed for the route gets an answer.

use actix_web::{web, HttpResponse};
use idaas_api::{ApiError, ApiResponse};
use idaas_domain::TagAddress;
use idaas_service::{Infra, ServiceCall, ServiceResult};
use serde::Deserialize;

use idaas_contracts::applications::DeliveryProfileQuery;

use crate::{
    domain::{delivery, resolution},
    IdentityState,
};

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
    let resolved = resolution::for_payment(&infra, &address).await?;
    Ok(ApiResponse::ok(resolved).respond())
}

/// The webhook secret and public key in force now, for the dispatcher's next attempt.
pub async fn delivery_profile(
    infra: web::Data<Infra>,
    state: web::Data<IdentityState>,
    _caller: ServiceCall,
    query: web::Query<DeliveryProfileQuery>,
) -> ServiceResult<HttpResponse> {
    let profile = delivery::profile(&infra, &state, query.application_id).await?;
    Ok(ApiResponse::ok(profile).respond())
}
