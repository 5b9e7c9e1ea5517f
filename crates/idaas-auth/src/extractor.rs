use std::{future::Future, pin::Pin};

use actix_web::{dev::Payload, http::header, web, FromRequest, HttpRequest};
use idaas_api::ApiError;

use crate::{AuthenticatedApp, Authenticator};

/// Handlers take `AuthenticatedApp` as an argument, so an endpoint cannot forget to authenticate.
impl FromRequest for AuthenticatedApp {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let auth = req.app_data::<web::Data<Authenticator>>().cloned();
        let value = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        Box::pin(async move {
            let auth = auth.ok_or_else(|| ApiError::internal("Authenticator not configured"))?;
            auth.authenticate(value.as_deref()).await
        })
    }
}
