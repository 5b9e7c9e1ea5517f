use actix_web::{http::header, web, HttpResponse};
use idaas_api::ApiResponse;
use idaas_contracts::postings::PostingCommand;
use idaas_service::{ServiceCall, ServiceResult};

use super::views::PostingView;
use crate::domain::{posting_queue::PostingQueue, posting_request};

/// `201` for a new posting; `200` with `Idempotency-Replayed: true` when the reference was
/// already posted with the same fields (nothing moves twice); `409` if the fields differ.
/// Internal: only services listed for this route in `service_auth.routes` (the transaction
/// service) get past `ServiceCall`.
pub async fn post(
    queue: web::Data<PostingQueue>,
    call: ServiceCall,
) -> ServiceResult<HttpResponse> {
    let req = posting_request::parse(call.json::<PostingCommand>()?)?;
    // Through the group commit: applied with whatever else arrived meanwhile.
    let applied = queue.post(req).await?;
    let view = PostingView::new(&applied.posting, &applied.entries);
    Ok(if applied.replayed {
        HttpResponse::Ok()
            .insert_header((
                header::HeaderName::from_static("idempotency-replayed"),
                "true",
            ))
            .json(ApiResponse::ok(view).with_message("Posting already applied"))
    } else {
        ApiResponse::ok(view).with_message("Posted").created()
    })
}
