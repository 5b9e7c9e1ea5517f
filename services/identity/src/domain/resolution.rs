//! Naming a tag: a qualified address names at most one; a bare name on several applications
//! is ambiguous and answered with the qualified addresses to use instead.

use diesel_async::AsyncPgConnection;
use idaas_api::{ApiError, ErrorCode};
use idaas_domain::TagAddress;
use idaas_service::{ServiceError, ServiceResult};
use serde_json::json;

use crate::store::tags::{self, TagRecord};

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
