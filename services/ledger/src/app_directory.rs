//! Application names for wallets created by `POST /v1/wallet`, asked of identity (which owns
//! them) with the caller's own token: an answer needed now, so internal HTTP, not an event.

use std::time::Duration;

use uuid::Uuid;

pub struct AppDirectory {
    http: reqwest::Client,
    identity_url: String,
}

impl AppDirectory {
    pub fn new(identity_url: &str) -> Result<Self, reqwest::Error> {
        Ok(Self {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(5))
                .build()?,
            identity_url: identity_url.trim_end_matches('/').to_owned(),
        })
    }

    pub async fn name_of(&self, app: Uuid, authorization: Option<&str>) -> Result<String, String> {
        let url = format!("{}/v1/applications/{app}", self.identity_url);
        let mut req = self.http.get(url).headers(idaas_web::forward_context(None));
        if let Some(a) = authorization {
            req = req.header("authorization", a);
        }
        let body: serde_json::Value = req
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .map_err(|e| format!("identity: {e}"))?
            .json()
            .await
            .map_err(|e| format!("identity: {e}"))?;
        body["data"]["name"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| "identity: application without a name".to_owned())
    }
}
