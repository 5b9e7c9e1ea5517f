//! Both ends of an internal route: `ServiceCall`, the extractor every internal handler takes
//! (so none can forget to check the caller), and `InternalClient`, which signs each call.

use std::{future::Future, pin::Pin, sync::Arc, time::Duration};

use actix_web::{dev::Payload, web, FromRequest, HttpRequest};
use idaas_api::{ApiError, ErrorCode};
use idaas_auth::{
    settings_key, InternalRoute, ServiceAuthError, ServiceSigner, ServiceVerifier,
    SERVICE_CREDENTIAL_HEADER,
};
use idaas_config::Settings;
use idaas_crypto::keys::EcKeyPair;

use crate::StartupError;

/// This service's verifier: the peers' public keys and its own internal routes.
pub fn verifier(service: &str, settings: &Settings) -> Result<ServiceVerifier, StartupError> {
    let auth = &settings.service_auth;
    let routes = auth
        .routes
        .iter()
        .filter(|r| r.service == service)
        .map(|r| InternalRoute {
            method: r.method.clone(),
            path: r.path.clone(),
            callers: r.callers.clone(),
        })
        .collect();
    let peers = auth
        .public_keys
        .iter()
        .map(|(name, pem)| (name.as_str(), pem.as_str()));
    ServiceVerifier::new(service, peers, routes)
        .map_err(|e| StartupError::key("service_auth.public_keys", e))
}

/// This service's signer, from `service_auth.signing_keys.<name>`.
pub fn signer(service: &str, settings: &Settings) -> Result<ServiceSigner, StartupError> {
    let name = settings_key(service);
    let pem = settings
        .service_auth
        .signing_keys
        .get(&name)
        .map(|s| s.expose().as_str())
        .filter(|p| !p.trim().is_empty())
        .ok_or_else(|| {
            StartupError::setting(
                format!("service_auth.signing_keys.{name}"),
                format!(
                    "is not set (make up writes config/local.secrets.toml; elsewhere set \
                     IDAAS__SERVICE_AUTH__SIGNING_KEYS__{})",
                    name.to_uppercase()
                ),
            )
        })?;
    let key = EcKeyPair::from_pkcs8_pem(pem).map_err(|e| {
        StartupError::setting(format!("service_auth.signing_keys.{name}"), e.to_string())
    })?;
    ServiceSigner::new(service, &key, settings.service_auth.credential_ttl_seconds)
        .map_err(|e| StartupError::key("service_auth.signing_keys", e))
}

/// A verified call from another service: who called, and the exact body it signed.
#[derive(Debug)]
pub struct ServiceCall {
    pub caller: String,
    pub body: web::Bytes,
}

impl ServiceCall {
    /// The signed body as JSON; a body that does not parse is the caller's bug: 400.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, ApiError> {
        serde_json::from_slice(&self.body)
            .map_err(|e| ApiError::validation(vec![format!("body: {e}")]))
    }
}

fn refused(e: &ServiceAuthError) -> ApiError {
    match e {
        ServiceAuthError::NotAllowed { .. } => ApiError::new(ErrorCode::AccessDenied)
            .with_message("This service may not call this internal route"),
        ServiceAuthError::Missing => ApiError::new(ErrorCode::AuthenticationRequired)
            .with_message("Internal route: a service credential is required"),
        _ => ApiError::new(ErrorCode::InvalidJwt)
            .with_message("Internal route: the service credential is not valid for this request"),
    }
}

impl FromRequest for ServiceCall {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let verifier = req.app_data::<web::Data<ServiceVerifier>>().cloned();
        let credential = req
            .headers()
            .get(SERVICE_CREDENTIAL_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let method = req.method().as_str().to_owned();
        let path = req.uri().path().to_owned();
        let path_and_query = req
            .uri()
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_else(|| path.clone());
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let verifier =
                verifier.ok_or_else(|| ApiError::internal("service verifier not configured"))?;
            let body = body
                .await
                .map_err(|e| ApiError::validation(vec![format!("body: {e}")]))?;
            match verifier.verify(
                credential.as_deref(),
                &method,
                &path,
                &path_and_query,
                &body,
            ) {
                Ok(caller) => {
                    tracing::debug!(%caller, %method, %path, "internal call authenticated");
                    Ok(ServiceCall { caller, body })
                }
                Err(e) => {
                    tracing::warn!(error = %e, %method, %path, "internal route refused");
                    Err(refused(&e))
                }
            }
        })
    }
}

/// Calls other services' internal routes, each request signed for exactly itself.
#[derive(Clone)]
pub struct InternalClient {
    http: reqwest::Client,
    signer: Arc<ServiceSigner>,
}

impl InternalClient {
    pub fn new(service: &str, settings: &Settings) -> Result<Self, StartupError> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_millis(settings.http.internal_timeout_ms))
            .pool_max_idle_per_host(64)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| StartupError::build("the internal HTTP client", e))?;
        Ok(Self {
            http,
            signer: Arc::new(signer(service, settings)?),
        })
    }

    /// Sends `method` to `base` + `path_and_query` of service `audience`, with a JSON body if
    /// given. Trace context and the request id go along.
    pub async fn send(
        &self,
        audience: &str,
        base: &str,
        method: reqwest::Method,
        path_and_query: &str,
        json_body: Option<Vec<u8>>,
    ) -> Result<reqwest::Response, InternalCallError> {
        let body = json_body.unwrap_or_default();
        let credential = self
            .signer
            .credential(audience, method.as_str(), path_and_query, &body)
            .map_err(|e| InternalCallError::Sign(e.to_string()))?;
        let mut req = self
            .http
            .request(
                method,
                format!("{}{path_and_query}", base.trim_end_matches('/')),
            )
            .headers(idaas_web::forward_context())
            .header(SERVICE_CREDENTIAL_HEADER, credential);
        if !body.is_empty() {
            req = req
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body);
        }
        // Without the URL: a path or query can carry what no log may hold.
        req.send()
            .await
            .map_err(|e| InternalCallError::Http(e.without_url()))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum InternalCallError {
    #[error("signing the service credential: {0}")]
    Sign(String),
    #[error(transparent)]
    Http(#[from] reqwest::Error),
}
