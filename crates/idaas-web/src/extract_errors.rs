use actix_web::{
    error::{JsonPayloadError, PathError, QueryPayloadError, UrlencodedError},
    web, HttpRequest, HttpResponse, ResponseError,
};
use idaas_api::{ApiError, ErrorCode};

fn json_error(err: JsonPayloadError, limit: usize) -> ApiError {
    match err {
        JsonPayloadError::ContentType => ApiError::new(ErrorCode::UnsupportedMediaType)
            .with_errors(vec!["Content-Type must be application/json".into()]),
        JsonPayloadError::OverflowKnownLength { .. } | JsonPayloadError::Overflow { .. } => {
            ApiError::payload_too_large(limit)
        }
        JsonPayloadError::Deserialize(e) => {
            ApiError::validation(vec![format!("malformed JSON body: {e}")])
        }
        other => ApiError::validation(vec![format!("unreadable body: {other}")]),
    }
}

fn form_error(err: UrlencodedError, limit: usize) -> ApiError {
    match err {
        UrlencodedError::ContentType => ApiError::new(ErrorCode::UnsupportedMediaType),
        UrlencodedError::Overflow { .. } => ApiError::payload_too_large(limit),
        other => ApiError::validation(vec![format!("malformed form body: {other}")]),
    }
}

/// Registers extractor configs whose failures answer the envelope: malformed JSON → 400,
/// wrong media type → 415, body over `limit` → 413, bad query or path → 400.
pub fn configure_extractors(cfg: &mut web::ServiceConfig, limit: usize) {
    cfg.app_data(
        web::JsonConfig::default()
            .limit(limit)
            .error_handler(move |e, _| json_error(e, limit).into()),
    )
    .app_data(
        web::FormConfig::default()
            .limit(limit)
            .error_handler(move |e, _| form_error(e, limit).into()),
    )
    .app_data(web::PayloadConfig::default().limit(limit))
    .app_data(crate::BodyLimit(limit))
    .app_data(
        web::QueryConfig::default().error_handler(|e: QueryPayloadError, _| {
            ApiError::validation(vec![format!("invalid query parameter: {e}")]).into()
        }),
    )
    .app_data(web::PathConfig::default().error_handler(|e: PathError, _| {
        ApiError::validation(vec![format!("invalid path parameter: {e}")]).into()
    }));
}

/// Default service: any unknown path answers `404 IDAAS-RES-3012`.
pub async fn not_found(_req: HttpRequest) -> HttpResponse {
    ApiError::new(ErrorCode::ResourceNotFound).error_response()
}

/// A resource whose unmatched methods answer the envelope (`404 IDAAS-RES-3012`) rather than
/// actix's empty 405.
pub fn resource(path: &str) -> actix_web::Resource {
    web::resource(path).default_service(web::to(not_found))
}
