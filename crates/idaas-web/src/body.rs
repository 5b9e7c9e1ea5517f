use actix_web::web;
use futures::StreamExt;
use idaas_api::ApiError;

/// Reads at most `limit` bytes; more is `413` in the envelope, before anything is buffered
/// past the limit. For handlers that need the raw bytes (exact decimals, request hashes).
pub async fn read_limited(mut payload: web::Payload, limit: usize) -> Result<web::Bytes, ApiError> {
    let mut buf = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk =
            chunk.map_err(|e| ApiError::validation(vec![format!("unreadable body: {e}")]))?;
        if buf.len() + chunk.len() > limit {
            return Err(ApiError::payload_too_large(limit));
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf.freeze())
}
