//! The one public OpenAPI document: each service describes its own endpoints from its types;
//! the gateway adds what it does in front of all of them (the `/api` prefix, the bearer
//! scheme on tenant routes, and the answers any route can get from the gateway itself).

use utoipa::openapi::{
    header::HeaderBuilder,
    path::Operation,
    response::{Response, ResponseBuilder},
    schema::{ObjectBuilder, Type},
    security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme},
    Content, InfoBuilder, OpenApi, OpenApiBuilder, PathItem, RefOr,
};

use super::routing::{Access, ROUTES};

/// The public prefix of every service path.
pub const PREFIX: &str = "/api";
/// Served by the gateway itself, beside the route table.
pub const JWKS_PATH: &str = "/.well-known/jwks.json";
const BEARER: &str = "bearerAuth";

/// The merged document, as `GET /v3/api-docs` serves it.
pub fn document() -> OpenApi {
    let mut doc = OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("IDaaS API")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(
                    "Applications, tokens, subjects and tags; payments between applications; \
                     wallets; webhook delivery records; settlement. Every answer is the \
                     ApiResponse envelope; errors carry a code from the catalog (section 21 of \
                     the integration guide).",
                ))
                .build(),
        )
        .build();
    for part in [
        identity::openapi(),
        transaction::openapi(),
        ledger::openapi(),
        webhook_dispatcher::openapi(),
        settlement::openapi(),
    ] {
        doc.merge(part);
    }
    let paths = std::mem::take(&mut doc.paths.paths);
    for (path, mut item) in paths {
        for (method, op) in operations(&mut item) {
            let access = ROUTES
                .iter()
                .find(|r| r.method == method && r.pattern == path)
                .map(|r| r.access);
            gatewayed(op, access);
        }
        doc.paths.paths.insert(format!("{PREFIX}{path}"), item);
    }
    doc.paths.paths.insert(JWKS_PATH.to_owned(), jwks_item());
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        BEARER,
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("JWT")
                .description(Some("The application token from POST /api/v1/auth/token"))
                .build(),
        ),
    );
    doc
}

/// Each operation of a path item with its method as the route table spells it.
pub fn operations(item: &mut PathItem) -> Vec<(&'static str, &mut Operation)> {
    [
        ("GET", item.get.as_mut()),
        ("POST", item.post.as_mut()),
        ("PUT", item.put.as_mut()),
        ("PATCH", item.patch.as_mut()),
        ("DELETE", item.delete.as_mut()),
    ]
    .into_iter()
    .filter_map(|(m, op)| op.map(|op| (m, op)))
    .collect()
}

fn error(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            Content::new(Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name(
                "ErrorEnvelope",
            )))),
        )
        .build()
}

fn rate_limited() -> Response {
    let integer = || ObjectBuilder::new().schema_type(Type::Integer).build();
    let mut r = error("Rate limit exceeded (IDAAS-RATE-6001)");
    r.headers.insert(
        "Retry-After".into(),
        HeaderBuilder::new()
            .schema(integer())
            .description(Some("Seconds until the limit resets"))
            .build(),
    );
    r.headers.insert(
        "X-RateLimit-Remaining".into(),
        HeaderBuilder::new().schema(integer()).build(),
    );
    r
}

/// What the gateway adds to a service's operation. `access` is `None` only for a path that is
/// not in the route table, which the route-table test refuses.
fn gatewayed(op: &mut Operation, access: Option<Access>) {
    let mut add = |status: &str, response: Response| {
        op.responses
            .responses
            .entry(status.to_owned())
            .or_insert(RefOr::T(response));
    };
    add(
        "400",
        error("A malformed path, parameter or body (IDAAS-VALID-2001), or a JWE body that does not decrypt (IDAAS-VALID-2005)"),
    );
    add("413", error("The body is larger than the limit"));
    add(
        "415",
        error("An application with encryptionEnabled sent a plain body (IDAAS-VALID-2004)"),
    );
    add("429", rate_limited());
    add("500", error("An unexpected error (IDAAS-SYS-9001)"));
    add(
        "503",
        error("A dependency is unavailable; retry (IDAAS-SYS-9003)"),
    );
    if access == Some(Access::Tenant) {
        add(
            "401",
            error("A missing, malformed, expired or revoked token (IDAAS-AUTH-100x)"),
        );
        op.security = Some(vec![SecurityRequirement::new(BEARER, Vec::<String>::new())]);
    }
    // Said in words, not as a header parameter: with `Content-Encryption: JWE` the body is a
    // JWE string, not the JSON schema, which a parameter could not express.
    if let Some(body) = op.request_body.as_mut() {
        let note = "May instead be sent encrypted (section 14.1): a JWE compact string to the key \
                    of GET /api/v1/keys/idaas with `Content-Encryption: JWE`; required for an \
                    application with encryptionEnabled.";
        body.description = Some(match body.description.take() {
            Some(d) => format!("{d}. {note}"),
            None => note.to_owned(),
        });
    }
}

fn jwks_item() -> PathItem {
    let mut op = Operation::new();
    op.tags = Some(vec!["Keys".into()]);
    op.summary = Some("The platform's token-signing keys (JWKS)".into());
    op.responses.responses.insert(
        "200".into(),
        RefOr::T(
            ResponseBuilder::new()
                .description("A JSON Web Key Set")
                .content(
                    "application/json",
                    Content::new(Some(ObjectBuilder::new().schema_type(Type::Object).build())),
                )
                .build(),
        ),
    );
    op.responses
        .responses
        .insert("429".into(), RefOr::T(rate_limited()));
    PathItem::new(utoipa::openapi::HttpMethod::Get, op)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// The document and the route table name exactly the same endpoints, so a route cannot be
    /// served without being described, nor described without being served.
    #[test]
    fn the_document_lists_exactly_the_route_table() {
        let mut doc = document();
        let mut documented = BTreeSet::new();
        for (path, item) in doc.paths.paths.iter_mut() {
            if path == JWKS_PATH {
                continue;
            }
            for (method, _) in operations(item) {
                documented.insert(format!("{method} {path}"));
            }
        }
        let routed: BTreeSet<String> = ROUTES
            .iter()
            .map(|r| format!("{} {PREFIX}{}", r.method, r.pattern))
            .collect();
        let missing: Vec<_> = routed.difference(&documented).collect();
        let extra: Vec<_> = documented.difference(&routed).collect();
        assert!(missing.is_empty(), "routed but not documented: {missing:?}");
        assert!(extra.is_empty(), "documented but not routed: {extra:?}");
    }

    #[test]
    fn tenant_routes_need_the_bearer_and_public_ones_do_not() {
        let mut doc = document();
        for (path, item) in doc.paths.paths.iter_mut() {
            for (method, op) in operations(item) {
                let route = ROUTES
                    .iter()
                    .find(|r| r.method == method && format!("{PREFIX}{}", r.pattern) == *path);
                let secured = op.security.is_some();
                match route.map(|r| r.access) {
                    Some(Access::Tenant) => assert!(secured, "{method} {path}"),
                    Some(Access::Public) | None => assert!(!secured, "{method} {path}"),
                }
            }
        }
    }

    #[test]
    fn every_schema_a_path_names_is_in_the_components() {
        let doc = document();
        let text = doc.to_json().unwrap_or_default();
        let schemas = doc.components.map(|c| c.schemas).unwrap_or_default();
        for name in text
            .split("#/components/schemas/")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
        {
            assert!(
                schemas.contains_key(name),
                "{name} is referenced, not defined"
            );
        }
    }
}
