//! Which service owns a path, and which paths need no token. Pure functions, unit-tested.

use actix_web::http::Method;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Identity,
    Transaction,
    Ledger,
    WebhookDispatcher,
    Settlement,
}

impl Backend {
    pub const ALL: [Backend; 5] = [
        Backend::Identity,
        Backend::Transaction,
        Backend::Ledger,
        Backend::WebhookDispatcher,
        Backend::Settlement,
    ];

    /// The key of this service under `[services.*]` in the settings.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Identity => "identity",
            Backend::Transaction => "transaction",
            Backend::Ledger => "ledger",
            Backend::WebhookDispatcher => "webhook-dispatcher",
            Backend::Settlement => "settlement",
        }
    }
}

fn segments(path: &str) -> Vec<&str> {
    path.trim_start_matches('/').split('/').collect()
}

/// The owner of a `/v1/...` path (already stripped of `/api`), or `None` for unknown paths.
pub fn route(path: &str) -> Option<Backend> {
    let s = segments(path);
    if s.first() != Some(&"v1") {
        return None;
    }
    match s.get(1).copied()? {
        "applications" | "auth" | "keys" | "subjects" | "tags" | "consent" | "claims"
        | "federation" => Some(Backend::Identity),
        "webhooks" => Some(Backend::WebhookDispatcher),
        // Delivery records of a transaction belong to the dispatcher, which owns them.
        "transactions" if s.get(3) == Some(&"webhooks") => Some(Backend::WebhookDispatcher),
        "transactions" => Some(Backend::Transaction),
        "wallet" => Some(Backend::Ledger),
        "settlement" => Some(Backend::Settlement),
        _ => None,
    }
}

/// Endpoints the guide marks Public: everything else needs a bearer token.
pub fn is_public(method: &Method, path: &str) -> bool {
    let s = segments(path);
    matches!(
        (method.as_str(), s.as_slice()),
        ("POST", ["v1", "applications"])
            | ("POST", ["v1", "auth", "token"])
            | ("GET", ["v1", "keys", "idaas"])
            | ("GET", ["v1", "tags", _])
            | ("GET", ["v1", "consent", _])
            | ("POST", ["v1", "consent", _, "approve" | "deny"])
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_each_prefix_to_its_owner() {
        assert_eq!(route("/v1/applications"), Some(Backend::Identity));
        assert_eq!(
            route("/v1/applications/keys/rotate"),
            Some(Backend::Identity)
        );
        assert_eq!(route("/v1/auth/token"), Some(Backend::Identity));
        assert_eq!(route("/v1/tags/alice@walletapp"), Some(Backend::Identity));
        assert_eq!(route("/v1/transactions"), Some(Backend::Transaction));
        assert_eq!(
            route("/v1/transactions/TXN-1/accept"),
            Some(Backend::Transaction)
        );
        assert_eq!(
            route("/v1/transactions/TXN-1/webhooks"),
            Some(Backend::WebhookDispatcher)
        );
        assert_eq!(
            route("/v1/transactions/TXN-1/webhooks/sender"),
            Some(Backend::WebhookDispatcher)
        );
        assert_eq!(
            route("/v1/webhooks/failed"),
            Some(Backend::WebhookDispatcher)
        );
        assert_eq!(route("/v1/wallet/statement"), Some(Backend::Ledger));
        assert_eq!(
            route("/v1/settlement/date/2025-03-04"),
            Some(Backend::Settlement)
        );
        assert_eq!(route("/v1/nothing"), None);
        assert_eq!(route("/v2/tags"), None);
        assert_eq!(route("/"), None);
    }

    #[test]
    fn only_documented_public_endpoints_are_public() {
        assert!(is_public(&Method::POST, "/v1/applications"));
        assert!(is_public(&Method::POST, "/v1/auth/token"));
        assert!(is_public(&Method::GET, "/v1/keys/idaas"));
        assert!(is_public(&Method::GET, "/v1/tags/alice"));
        assert!(is_public(&Method::POST, "/v1/consent/abc/approve"));
        assert!(!is_public(&Method::GET, "/v1/applications"));
        assert!(!is_public(&Method::GET, "/v1/tags"));
        assert!(!is_public(&Method::PATCH, "/v1/tags/alice/disable"));
        assert!(!is_public(&Method::POST, "/v1/tags"));
        assert!(!is_public(&Method::GET, "/v1/wallet"));
    }
}
