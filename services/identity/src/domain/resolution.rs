//! Naming a tag: a qualified address names at most one; a bare name on several applications
//! is ambiguous and answered with the qualified addresses to use instead.

use diesel_async::AsyncPgConnection;
use idaas_api::{ApiError, ErrorCode};
use idaas_contracts::tags::ResolvedTag;
use idaas_domain::TagAddress;
use idaas_service::{ServiceError, ServiceResult};
use serde_json::json;

use crate::store::{
    applications,
    tags::{self, TagRecord},
};

/// The one tag `address` names: `404 IDAAS-RES-3004` if none, `409 IDAAS-CONF-4006` with
/// `data.candidates` if a bare name is on more than one application.
pub async fn resolve(
    conn: &mut AsyncPgConnection,
    address: &TagAddress,
) -> ServiceResult<TagRecord> {
    let record = match address {
        TagAddress::Qualified(q) => tags::find_by_qualified(conn, &q.to_string()).await?,
        TagAddress::Bare(t) => {
            let mut found = tags::find_by_bare(conn, t.as_str()).await?;
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
    record.ok_or_else(|| ErrorCode::TagNotFound.into())
}

/// A tag with what a payment needs about the application that holds it now (the internal
/// contract): after a transfer, payments go to the new owner's application.
pub async fn for_payment(
    conn: &mut AsyncPgConnection,
    address: &TagAddress,
) -> ServiceResult<ResolvedTag> {
    let record = resolve(conn, address).await?;
    let app = applications::find(conn, record.tag.owner_application_id)
        .await?
        .ok_or(ErrorCode::ApplicationNotFound)?;
    Ok(ResolvedTag {
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
}
