//! Service-to-service answers: every handler takes a `ServiceCall`, so only a service listed
//! for the route (config `[[service_auth.routes]]`) gets an answer.

use actix_web::{web, HttpResponse};
use idaas_api::ApiResponse;
use idaas_contracts::deliveries::SummaryQuery;
use idaas_service::{Infra, ServiceCall, ServiceResult};

use crate::domain::records;

/// Each direction's delivery of a payment, for the transaction service's `GET`. The caller has
/// already decided the tenant may see the payment.
pub async fn summary(
    infra: web::Data<Infra>,
    _caller: ServiceCall,
    query: web::Query<SummaryQuery>,
) -> ServiceResult<HttpResponse> {
    let summary = records::summary(&infra, &query.reference).await?;
    Ok(ApiResponse::ok(summary).respond())
}
