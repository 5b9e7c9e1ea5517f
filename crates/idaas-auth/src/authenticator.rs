use std::sync::Arc;

use idaas_api::{ApiError, ErrorCode};
use uuid::Uuid;

use crate::{RevocationError, Revocations, TokenVerifier, VerifyError};

/// Who is calling, established from a verified, unrevoked bearer token.
#[derive(Debug, Clone)]
pub struct AuthenticatedApp {
    pub app_id: Uuid,
    pub handle: String,
    pub encryption_enabled: bool,
}

/// Bearer-token authentication shared by the gateway and every service.
#[derive(Clone)]
pub struct Authenticator {
    verifier: Arc<TokenVerifier>,
    revocations: Revocations,
}

impl Authenticator {
    pub fn new(verifier: Arc<TokenVerifier>, revocations: Revocations) -> Self {
        Self {
            verifier,
            revocations,
        }
    }

    pub fn revocations(&self) -> &Revocations {
        &self.revocations
    }

    /// Checks an `Authorization` header value; every failure maps to its catalog code.
    pub async fn authenticate(
        &self,
        authorization: Option<&str>,
    ) -> Result<AuthenticatedApp, ApiError> {
        let header = authorization.ok_or(ErrorCode::AuthenticationRequired)?;
        let token = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(ErrorCode::AuthenticationRequired)?;
        let claims = self.verifier.verify(token).await.map_err(|e| match e {
            VerifyError::Expired => {
                ApiError::new(ErrorCode::InvalidJwt).with_message("Invalid JWT: token has expired")
            }
            VerifyError::KeysUnavailable(cause) => ApiError::unavailable(cause),
            VerifyError::Malformed | VerifyError::Invalid => ApiError::new(ErrorCode::InvalidJwt),
        })?;
        let app_id = Uuid::parse_str(&claims.sub).map_err(|_| ErrorCode::InvalidJwt)?;
        match self.revocations.is_revoked(&claims.sub).await {
            Ok(false) => {}
            Ok(true) => return Err(ErrorCode::TokenRevoked.into()),
            Err(e @ RevocationError::Unsynced) | Err(e @ RevocationError::Redis(_)) => {
                return Err(ApiError::unavailable(e))
            }
        }
        Ok(AuthenticatedApp {
            app_id,
            handle: claims.handle,
            encryption_enabled: claims.jwe,
        })
    }
}
