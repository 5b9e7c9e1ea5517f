//! Service-to-service answers: the gateway routes nothing under `/internal`, and every handler
//! here takes a `ServiceCall`, so only a service listed for the route gets an answer.

use actix_web::{web, HttpRequest, HttpResponse};
use idaas_api::{ApiError, ApiResponse};
use idaas_contracts::{
    applications::DeliveryProfileQuery,
    tags::{TagResolution, MAX_RESOLVE_ADDRESSES},
};
use idaas_domain::TagAddress;
use idaas_service::{Infra, ServiceCall, ServiceError, ServiceResult};
use serde::Deserialize;

use crate::{
    domain::{delivery, resolution},
    IdentityState,
};

/// The `address` parameters, in order: 1 to `MAX_RESOLVE_ADDRESSES` of them, nothing else.
fn addresses(query: &str) -> Result<Vec<String>, ApiError> {
    let mut found = Vec::new();
    for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
        if key != "address" {
            return Err(ApiError::validation(vec![format!(
                "unknown query parameter {key:?}"
            )]));
        }
        found.push(value.into_owned());
    }
    if found.is_empty() || found.len() > MAX_RESOLVE_ADDRESSES {
        return Err(ApiError::validation(vec![format!(
            "address must be given 1 to {MAX_RESOLVE_ADDRESSES} times"
        )]));
    }
    Ok(found)
}

#[derive(Deserialize)]
pub struct ResolveQuery {
    address: String,
}

/// A tag address as either route takes it; one that does not parse is a 400 naming it.
fn parse_address(raw: &str) -> Result<TagAddress, ApiError> {
    raw.parse()
        .map_err(|e| ApiError::validation(vec![format!("tag: {e}")]))
}

/// One tag (the previous release's contract): the tag, or the refusal as the answer itself.
pub async fn resolve_tag(
    infra: web::Data<Infra>,
    _caller: ServiceCall,
    query: web::Query<ResolveQuery>,
) -> ServiceResult<HttpResponse> {
    let address = parse_address(&query.address)?;
    let mut conn = infra.pool.get().await?;
    let resolved = resolution::for_payment(&mut conn, &address).await?;
    Ok(ApiResponse::ok(resolved).respond())
}

/// Each tag with what a payment needs about its application (id, name, handle, webhook URL),
/// or the refusal public resolution would give it: 404 unknown, 409 ambiguous bare name
/// (candidates), 400 unparsable. A database failure fails the whole call.
pub async fn resolve_tags(
    req: HttpRequest,
    infra: web::Data<Infra>,
    _caller: ServiceCall,
) -> ServiceResult<HttpResponse> {
    let asked = addresses(req.query_string())?;
    let mut conn = infra.pool.get().await?;
    let mut outcomes = Vec::with_capacity(asked.len());
    for raw in &asked {
        let outcome = match parse_address(raw) {
            Err(e) => Err(e),
            Ok(address) => match resolution::for_payment(&mut conn, &address).await {
                Ok(tag) => Ok(tag),
                Err(ServiceError::Api(e)) => Err(e),
                Err(other) => return Err(other),
            },
        };
        outcomes.push(match outcome {
            Ok(tag) => TagResolution::Found(tag),
            Err(e) => TagResolution::Refused(e.envelope()),
        });
    }
    Ok(ApiResponse::ok(outcomes).respond())
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
