//! A JSON body that also keeps its exact bytes: for handlers that must fingerprint the request
//! as sent (Idempotency-Key) as well as read it. Failures answer as `web::Json`'s do here: wrong
//! media type 415, over the limit 413, malformed 400.

use actix_web::{dev::Payload, http::header, web, FromRequest, HttpRequest};
use futures::future::LocalBoxFuture;
use idaas_api::{ApiError, ErrorCode};
use serde::de::DeserializeOwned;

/// The body limit `configure_extractors` set, for extractors that read the payload themselves.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

pub struct JsonBody<T> {
    pub value: T,
    pub raw: web::Bytes,
}

fn is_json(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|m| {
            let m = m.trim().to_ascii_lowercase();
            m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
        })
        .unwrap_or(false)
}

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json = is_json(req);
        let limit = req.app_data::<BodyLimit>().map_or(64 * 1024, |l| l.0);
        let payload = web::Payload::from_request(req, payload);
        Box::pin(async move {
            let payload = payload.await?;
            if !json {
                return Err(ApiError::new(ErrorCode::UnsupportedMediaType)
                    .with_errors(vec!["Content-Type must be application/json".into()])
                    .into());
            }
            let raw = crate::read_limited(payload, limit).await?;
            let value = serde_json::from_slice(&raw)
                .map_err(|e| ApiError::validation(vec![format!("malformed JSON body: {e}")]))?;
            Ok(Self { value, raw })
        })
    }
}
