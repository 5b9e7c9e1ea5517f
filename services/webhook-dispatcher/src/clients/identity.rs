//! The delivery profile of an application (secret and key in force now), from identity's
//! internal route, signed with the dispatcher's service credential.

use idaas_api::ApiResponse;
use idaas_contracts::applications::{DeliveryProfile, DELIVERY_PROFILE_PATH};
use idaas_service::{InternalCallError, InternalClient};
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// Identity does not know the application: nothing can be signed for it, ever.
    #[error("identity knows no application {0}")]
    Unknown(Uuid),
    /// Identity could not answer now; the attempt waits, it is not the receiver's fault.
    #[error("identity unavailable")]
    Unavailable(#[source] InternalCallError),
    #[error("identity answered {0}")]
    Status(reqwest::StatusCode),
    #[error("identity's answer could not be read")]
    Body(#[source] reqwest::Error),
}

pub struct Identity {
    internal: InternalClient,
    base: String,
}

impl Identity {
    pub fn new(internal: InternalClient, base: &str) -> Self {
        Self {
            internal,
            base: base.trim_end_matches('/').to_owned(),
        }
    }

    pub async fn profile(&self, app: Uuid) -> Result<DeliveryProfile, ProfileError> {
        let path = format!("{DELIVERY_PROFILE_PATH}?applicationId={app}");
        let resp = self
            .internal
            .send("identity", &self.base, reqwest::Method::GET, &path, None)
            .await
            .map_err(ProfileError::Unavailable)?;
        match resp.status() {
            s if s.is_success() => {}
            reqwest::StatusCode::NOT_FOUND => return Err(ProfileError::Unknown(app)),
            s => return Err(ProfileError::Status(s)),
        }
        let body: ApiResponse<DeliveryProfile> = resp.json().await.map_err(ProfileError::Body)?;
        body.data
            .ok_or(ProfileError::Status(reqwest::StatusCode::OK))
    }
}
