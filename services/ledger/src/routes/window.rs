//! `GET /internal/v1/ledger/window`: settlement's proof of a day. Internal: only services
//! listed for this route in `service_auth.routes` (settlement) get past `ServiceCall`.

use actix_web::{web, HttpResponse};
use idaas_api::{ApiError, ApiResponse};
use idaas_contracts::ledger_window::WindowQuery;
use idaas_service::{Infra, ServiceCall, ServiceResult};

use crate::store::window;

/// No settlement window is longer than this; a longer ask is a mistake, not a day.
const MAX_WINDOW: chrono::Duration = chrono::Duration::days(2);

pub async fn totals(
    infra: web::Data<Infra>,
    _caller: ServiceCall,
    query: web::Query<WindowQuery>,
) -> ServiceResult<HttpResponse> {
    let WindowQuery { from, to } = query.into_inner();
    if to <= from || to - from > MAX_WINDOW {
        return Err(ApiError::validation(vec![
            "the window must end after it starts and span at most two days".into(),
        ])
        .into());
    }
    let mut conn = infra.pool.get().await?;
    let totals = window::totals(&mut conn, from, to).await?;
    Ok(ApiResponse::ok(totals).respond())
}
