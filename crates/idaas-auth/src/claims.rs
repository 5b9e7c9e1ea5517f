use serde::{Deserialize, Serialize};

/// Claims of an application token. `sub` is the application id, as in the guide.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub iss: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
    /// The application's handle, for logs and for routing decisions without a lookup.
    pub handle: String,
    /// Whether the application must send JWE bodies (fixed at registration).
    pub jwe: bool,
}
