use idaas_api::ApiError;
use idaas_domain::{AppHandle, UrlPolicy};
use serde::Deserialize;
use serde_json::Value;

use super::checks::Checks;

/// The body of `POST /v1/applications`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RegistrationRequest {
    #[schema(
        required = true,
        min_length = 2,
        max_length = 150,
        example = "Wallet App"
    )]
    pub name: Option<String>,
    /// The application's namespace in every tag address (`alice@walletapp`); immutable.
    #[schema(
        required = true,
        min_length = 3,
        max_length = 30,
        pattern = "^[a-z0-9]([a-z0-9-]*[a-z0-9])?$",
        example = "walletapp"
    )]
    pub app_handle: Option<String>,
    /// HTTPS (outside local development), at most 500 characters.
    #[schema(format = "uri", max_length = 500)]
    pub transaction_webhook_url: Option<String>,
    pub redirect_uris: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub metadata: Option<Value>,
    pub encryption_enabled: Option<bool>,
    /// Further origins a payment's callbackUrl may use (ours; the guide is silent).
    pub callback_origins: Option<Vec<String>>,
}

/// A registration that passed every rule of section 5.
#[derive(Debug)]
pub struct Registration {
    pub name: String,
    pub handle: AppHandle,
    pub webhook_url: Option<String>,
    pub redirect_uris: Option<String>,
    pub metadata: Option<String>,
    pub encryption_enabled: bool,
    /// Normalised origins (`https://host[:port]`).
    pub callback_origins: Vec<String>,
}

impl RegistrationRequest {
    pub fn parse(self, urls: UrlPolicy) -> Result<Registration, ApiError> {
        let mut c = Checks::new();
        let name = c.required("name", self.name, 2, 150);
        let handle = match self.app_handle.filter(|h| !h.is_empty()) {
            None => {
                c.fail("appHandle is required");
                None
            }
            Some(h) => AppHandle::parse(&h).map_err(|e| c.fail(e.to_string())).ok(),
        };
        let webhook_url =
            c.webhook_url("transactionWebhookUrl", self.transaction_webhook_url, urls);
        let redirect_uris = c.optional("redirectUris", self.redirect_uris, 2048);
        if let Some(uris) = &redirect_uris {
            if uris.split_whitespace().any(|u| url::Url::parse(u).is_err()) {
                c.fail("redirectUris must be space-separated absolute URIs");
            }
        }
        let metadata = c.metadata(self.metadata);
        let callback_origins = c.origins("callbackOrigins", self.callback_origins, urls);
        c.finish()?;
        match (name, handle) {
            (Some(name), Some(handle)) => Ok(Registration {
                name,
                handle,
                webhook_url,
                redirect_uris,
                metadata,
                encryption_enabled: self.encryption_enabled.unwrap_or(true),
                callback_origins,
            }),
            _ => Err(ApiError::validation(vec![
                "name and appHandle are required".into(),
            ])),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(name: &str, handle: &str) -> RegistrationRequest {
        RegistrationRequest {
            name: Some(name.into()),
            app_handle: Some(handle.into()),
            transaction_webhook_url: Some("https://w.example.com/hook".into()),
            redirect_uris: None,
            metadata: Some(Value::String("{\"env\":\"prod\"}".into())),
            encryption_enabled: None,
            callback_origins: None,
        }
    }

    #[test]
    fn defaults_encryption_on() {
        let r = req("WalletApp", "walletapp").parse(UrlPolicy::HttpsOnly);
        assert!(matches!(
            r,
            Ok(Registration {
                encryption_enabled: true,
                ..
            })
        ));
    }

    #[test]
    fn rejects_bad_handle_and_name() {
        let e = req("W", "Wallet_App").parse(UrlPolicy::HttpsOnly).err();
        assert_eq!(e.map(|e| e.errors.len()), Some(2));
        assert!(req("WalletApp", "-wallet")
            .parse(UrlPolicy::HttpsOnly)
            .is_err());
        assert!(req("WalletApp", "ab").parse(UrlPolicy::HttpsOnly).is_err());
        assert!(req("WalletApp", &"a".repeat(31))
            .parse(UrlPolicy::HttpsOnly)
            .is_err());
    }
}
