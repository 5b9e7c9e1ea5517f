//! Application names for wallets created by `POST /v1/wallet`, asked of identity (which owns
//! them) with the caller's own token: an answer needed now, so HTTP, not an event.

use std::time::Duration;

use serde::Deserialize;
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    #[error("identity did not answer")]
    Call(#[from] reqwest::Error),
    #[error("identity answered an application without a name")]
    Unnamed,
}

/// The part of identity's `GET /v1/applications/{id}` envelope the ledger reads.
#[derive(Deserialize)]
struct Envelope {
    data: Option<Named>,
}

#[derive(Deserialize)]
struct Named {
    name: Option<String>,
}

pub struct AppDirectory {
    http: reqwest::Client,
    identity_url: String,
}

impl AppDirectory {
    pub fn new(identity_url: &str, timeout: Duration) -> Result<Self, reqwest::Error> {
        Ok(Self {
            http: reqwest::Client::builder()
                .timeout(timeout)
                .redirect(reqwest::redirect::Policy::none())
                .build()?,
            identity_url: identity_url.trim_end_matches('/').to_owned(),
        })
    }

    pub async fn name_of(
        &self,
        app: Uuid,
        authorization: Option<&str>,
    ) -> Result<String, IdentityError> {
        let url = format!("{}/v1/applications/{app}", self.identity_url);
        let mut req = self.http.get(url).headers(idaas_web::forward_context());
        if let Some(a) = authorization {
            req = req.header("authorization", a);
        }
        let envelope: Envelope = req.send().await?.error_for_status()?.json().await?;
        envelope
            .data
            .and_then(|d| d.name)
            .ok_or(IdentityError::Unnamed)
    }
}
