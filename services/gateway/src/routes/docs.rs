//! The API's description: the OpenAPI document at `/v3/api-docs` and Swagger UI at
//! `/swagger-ui/` (its assets compiled in; nothing is fetched at run time). `/swagger-ui.html`,
//! the path the guide gives, leads there.

use actix_web::{http::header, web, HttpResponse};
use utoipa_swagger_ui::SwaggerUi;

use crate::domain::api_document;

pub const API_DOCS: &str = "/v3/api-docs";

async fn to_swagger_ui() -> HttpResponse {
    HttpResponse::MovedPermanently()
        .insert_header((header::LOCATION, "/swagger-ui/"))
        .finish()
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/swagger-ui.html", web::get().to(to_swagger_ui))
        .service(SwaggerUi::new("/swagger-ui/{_:.*}").url(API_DOCS, api_document::document()));
}
