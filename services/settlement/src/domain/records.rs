//! Reading batches for a tenant: each batch's totals and only the tenant's own entry. Operators
//! read every entry through the `settlement show` command, never over HTTP.

use chrono::NaiveDate;
use idaas_api::{ApiError, ErrorCode, Page, PageQuery};
use idaas_service::{Infra, ServiceResult};
use uuid::Uuid;

use crate::{
    routes::views::BatchView,
    store::batches::{self, BatchRow},
};

fn not_found(what: &str) -> ApiError {
    ApiError::new(ErrorCode::ResourceNotFound).with_message(format!("No settlement batch {what}"))
}

/// The batch as `viewer` may see it.
pub async fn view(infra: &Infra, b: &BatchRow, viewer: Uuid) -> ServiceResult<BatchView> {
    let mut conn = infra.pool.get().await?;
    let entries = batches::entries(&mut conn, b.id, Some(viewer)).await?;
    Ok(BatchView::for_tenant(b, &entries))
}

pub async fn by_id(infra: &Infra, id: Uuid, viewer: Uuid) -> ServiceResult<BatchView> {
    let row = {
        let mut conn = infra.pool.get().await?;
        batches::find_by_id(&mut conn, id).await?
    };
    let row = row.ok_or_else(|| not_found(&format!("with id {id}")))?;
    view(infra, &row, viewer).await
}

pub async fn by_date(
    infra: &Infra,
    date: NaiveDate,
    currency: &str,
    viewer: Uuid,
) -> ServiceResult<BatchView> {
    let row = {
        let mut conn = infra.pool.get().await?;
        batches::find(&mut conn, date, currency).await?
    };
    let row = row.ok_or_else(|| not_found(&format!("for {date} in {currency}")))?;
    view(infra, &row, viewer).await
}

pub async fn page(infra: &Infra, q: &PageQuery, viewer: Uuid) -> ServiceResult<Page<BatchView>> {
    let (page, size) = q.validate()?;
    let mut conn = infra.pool.get().await?;
    let (rows, total) = batches::page(&mut conn, page * size, size).await?;
    let ids: Vec<Uuid> = rows.iter().map(|b| b.id).collect();
    let own = batches::entries_of(&mut conn, &ids, viewer).await?;
    let views = rows
        .iter()
        .map(|b| {
            let mine: Vec<_> = own.iter().filter(|e| e.batch_id == b.id).cloned().collect();
            BatchView::for_tenant(b, &mine)
        })
        .collect();
    Ok(Page::new(views, page, size, total))
}
