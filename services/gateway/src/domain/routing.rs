//! The gateway's route table: every public endpoint, its owner and whether it needs a token.
//! Only paths in this table leave the gateway; tests walk it so a new endpoint cannot escape
//! the tenant-isolation checks.

use actix_web::http::Method;

use super::canonical::CanonicalPath;

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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// The guide marks it Public: no token.
    Public,
    /// A bearer token of the calling application.
    Tenant,
}

/// One row of the guide's endpoint list (section 22). `{name}` matches one segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    pub method: &'static str,
    pub pattern: &'static str,
    pub backend: Backend,
    pub access: Access,
}

const fn r(method: &'static str, pattern: &'static str, backend: Backend, access: Access) -> Route {
    Route {
        method,
        pattern,
        backend,
        access,
    }
}

use Access::{Public, Tenant};
use Backend::{Identity, Ledger, Settlement, Transaction, WebhookDispatcher};

/// Every endpoint the platform serves today, and nothing else: the OpenAPI document lists
/// exactly these (a test holds the two together).
pub const ROUTES: &[Route] = &[
    r("POST", "/v1/applications", Identity, Public),
    r("GET", "/v1/applications", Identity, Tenant),
    r("GET", "/v1/applications/{id}", Identity, Tenant),
    r(
        "PATCH",
        "/v1/applications/{id}/deactivate",
        Identity,
        Tenant,
    ),
    r("POST", "/v1/applications/keys/rotate", Identity, Tenant),
    r(
        "POST",
        "/v1/applications/webhook-secret/rotate",
        Identity,
        Tenant,
    ),
    r("POST", "/v1/auth/token", Identity, Public),
    r("GET", "/v1/keys/idaas", Identity, Public),
    r("POST", "/v1/subjects", Identity, Tenant),
    r("GET", "/v1/subjects", Identity, Tenant),
    r("GET", "/v1/subjects/{id}", Identity, Tenant),
    r("GET", "/v1/subjects/{id}/tags", Identity, Tenant),
    r("POST", "/v1/tags", Identity, Tenant),
    r("GET", "/v1/tags", Identity, Tenant),
    r("GET", "/v1/tags/{tag}", Identity, Public),
    r("PATCH", "/v1/tags/{tag}/disable", Identity, Tenant),
    r("PATCH", "/v1/tags/{tag}/enable", Identity, Tenant),
    r("POST", "/v1/tags/{tag}/transfer", Identity, Tenant),
    r("POST", "/v1/tags/{tag}/claims", Identity, Tenant),
    r("GET", "/v1/tags/{tag}/claims", Identity, Tenant),
    r("GET", "/v1/claims/{id}", Identity, Tenant),
    r("POST", "/v1/claims/{id}/revoke", Identity, Tenant),
    r("GET", "/v1/consent/{token}", Identity, Public),
    r("POST", "/v1/consent/{token}/approve", Identity, Public),
    r("POST", "/v1/consent/{token}/deny", Identity, Public),
    r("POST", "/v1/tags/{tag}/federation", Identity, Tenant),
    r("GET", "/v1/tags/{tag}/federation", Identity, Tenant),
    r("DELETE", "/v1/tags/{tag}/federation/{id}", Identity, Tenant),
    r(
        "POST",
        "/v1/federation/verify/{challenge}",
        Identity,
        Tenant,
    ),
    r("POST", "/v1/transactions", Transaction, Tenant),
    r("GET", "/v1/transactions/sent", Transaction, Tenant),
    r("GET", "/v1/transactions/received", Transaction, Tenant),
    r("GET", "/v1/transactions/pending", Transaction, Tenant),
    r("GET", "/v1/transactions/{reference}", Transaction, Tenant),
    r(
        "POST",
        "/v1/transactions/{reference}/accept",
        Transaction,
        Tenant,
    ),
    r(
        "POST",
        "/v1/transactions/{reference}/reject",
        Transaction,
        Tenant,
    ),
    // Delivery records of a transaction belong to the dispatcher, which owns them.
    r(
        "GET",
        "/v1/transactions/{reference}/webhooks",
        WebhookDispatcher,
        Tenant,
    ),
    r(
        "GET",
        "/v1/transactions/{reference}/webhooks/receiver",
        WebhookDispatcher,
        Tenant,
    ),
    r(
        "GET",
        "/v1/transactions/{reference}/webhooks/sender",
        WebhookDispatcher,
        Tenant,
    ),
    r("GET", "/v1/webhooks/failed", WebhookDispatcher, Tenant),
    r("GET", "/v1/webhooks/{id}", WebhookDispatcher, Tenant),
    r("POST", "/v1/webhooks/{id}/retry", WebhookDispatcher, Tenant),
    r("POST", "/v1/wallet", Ledger, Tenant),
    r("GET", "/v1/wallet", Ledger, Tenant),
    r("GET", "/v1/wallet/statement", Ledger, Tenant),
    r("GET", "/v1/settlement", Settlement, Tenant),
    r("POST", "/v1/settlement/run", Settlement, Tenant),
    r("GET", "/v1/settlement/date/{date}", Settlement, Tenant),
    r("GET", "/v1/settlement/{id}", Settlement, Tenant),
];

impl Route {
    pub fn segments(&self) -> impl Iterator<Item = &'static str> {
        self.pattern.trim_start_matches('/').split('/')
    }

    pub fn is_placeholder(segment: &str) -> bool {
        segment.starts_with('{') && segment.ends_with('}')
    }

    /// How many literal segments match, if the path has this shape at all.
    fn matches(&self, path: &CanonicalPath) -> Option<usize> {
        let mut literal = 0;
        let mut want = self.segments();
        let mut got = path.segments();
        loop {
            match (want.next(), got.next()) {
                (None, None) => return Some(literal),
                (Some(w), Some(_)) if Route::is_placeholder(w) => {}
                (Some(w), Some(g)) if w == g => literal += 1,
                _ => return None,
            }
        }
    }
}

/// The route for a method and canonical path; the most specific pattern wins
/// (`/v1/webhooks/failed` over `/v1/webhooks/{id}`). `None` is 404: nothing is forwarded.
pub fn find(method: &Method, path: &CanonicalPath) -> Option<&'static Route> {
    ROUTES
        .iter()
        .filter(|r| r.method == method.as_str())
        .filter_map(|r| r.matches(path).map(|n| (n, r)))
        .max_by_key(|(n, _)| *n)
        .map(|(_, r)| r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(p: &str) -> CanonicalPath {
        CanonicalPath::parse(&format!("/api{p}")).unwrap_or_else(|e| panic!("{p}: {e}"))
    }

    fn owner(method: Method, p: &str) -> Option<(Backend, Access)> {
        find(&method, &path(p)).map(|r| (r.backend, r.access))
    }

    #[test]
    fn routes_each_endpoint_to_its_owner() {
        use Method as M;
        assert_eq!(owner(M::POST, "/v1/applications"), Some((Identity, Public)));
        assert_eq!(owner(M::GET, "/v1/applications"), Some((Identity, Tenant)));
        assert_eq!(
            owner(M::POST, "/v1/applications/keys/rotate"),
            Some((Identity, Tenant))
        );
        assert_eq!(owner(M::POST, "/v1/auth/token"), Some((Identity, Public)));
        assert_eq!(
            owner(M::GET, "/v1/tags/alice@walletapp"),
            Some((Identity, Public))
        );
        assert_eq!(
            owner(M::PATCH, "/v1/tags/alice/disable"),
            Some((Identity, Tenant))
        );
        assert_eq!(
            owner(M::POST, "/v1/transactions"),
            Some((Transaction, Tenant))
        );
        assert_eq!(
            owner(M::GET, "/v1/transactions/sent"),
            Some((Transaction, Tenant))
        );
        assert_eq!(
            owner(M::GET, "/v1/transactions/TXN-1"),
            Some((Transaction, Tenant))
        );
        assert_eq!(
            owner(M::POST, "/v1/transactions/TXN-1/accept"),
            Some((Transaction, Tenant))
        );
        assert_eq!(
            owner(M::GET, "/v1/transactions/TXN-1/webhooks/sender"),
            Some((WebhookDispatcher, Tenant))
        );
        assert_eq!(
            owner(M::GET, "/v1/webhooks/failed"),
            Some((WebhookDispatcher, Tenant))
        );
        assert_eq!(
            owner(M::GET, "/v1/wallet/statement"),
            Some((Ledger, Tenant))
        );
        // The literal beats the placeholder: `date` and `run` are not batch ids.
        assert_eq!(
            owner(M::GET, "/v1/settlement/date/2025-03-04"),
            Some((Settlement, Tenant))
        );
        assert_eq!(
            owner(M::POST, "/v1/settlement/run"),
            Some((Settlement, Tenant))
        );
        assert_eq!(
            owner(M::GET, "/v1/settlement/run"),
            Some((Settlement, Tenant))
        );
    }

    #[test]
    fn anything_else_is_not_forwarded() {
        assert_eq!(owner(Method::GET, "/v1/nothing"), None);
        // Methods and shapes no route has: 404 at the gateway, nothing forwarded.
        assert_eq!(owner(Method::DELETE, "/v1/settlement/run"), None);
        assert_eq!(owner(Method::GET, "/v1/consent/abc/approve"), None);
        assert_eq!(owner(Method::POST, "/v1/consent/abc"), None);
        assert_eq!(owner(Method::POST, "/v1/consent/abc/approve/x"), None);
        // The consent pages are public; claims and transfers need the tenant's token.
        assert_eq!(
            owner(Method::POST, "/v1/consent/abc/approve"),
            Some((Backend::Identity, Access::Public))
        );
        assert_eq!(
            owner(Method::POST, "/v1/tags/bob/transfer"),
            Some((Backend::Identity, Access::Tenant))
        );
        assert_eq!(owner(Method::DELETE, "/v1/tags/alice"), None);
        assert_eq!(owner(Method::POST, "/v1/tags/alice"), None);
        assert_eq!(owner(Method::GET, "/v1/wallet/statement/extra"), None);
        assert_eq!(owner(Method::POST, "/v1/wallet/internal"), None);
        assert_eq!(owner(Method::GET, "/v1/transactions/x/y/z/w"), None);
        assert_eq!(owner(Method::POST, "/v1/transactions/x/transactions"), None);
    }

    #[test]
    fn the_table_is_well_formed() {
        for (i, a) in ROUTES.iter().enumerate() {
            assert!(a.pattern.starts_with("/v1/"), "{}", a.pattern);
            assert!(
                !a.pattern.contains("internal"),
                "internal routes are never public: {}",
                a.pattern
            );
            for b in &ROUTES[i + 1..] {
                assert!(
                    a.method != b.method || a.pattern != b.pattern,
                    "duplicate route {} {}",
                    a.method,
                    a.pattern
                );
            }
        }
    }
}
