//! The trust-boundaries attack suite, run as a tenant with a free account would: path tricks
//! towards the internal routes, forged tokens, odd amounts, and direct calls to the services'
//! internal routes. After every attempt, no wallet has moved and every ledger invariant holds.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use diesel::{sql_types::BigInt, QueryableByName};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use e2e::{raw_request, Platform, Tenant};
use hmac::{Hmac, Mac};
use idaas_auth::{ServiceSigner, TokenIssuer};
use idaas_crypto::keys::EcKeyPair;
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::Sha256;

/// The state an attacker must not change: both tenants' balances.
struct Snapshot(Vec<String>);

async fn snapshot(p: &Platform, tenants: &[&Tenant]) -> Snapshot {
    let mut out = Vec::new();
    for t in tenants {
        out.push(p.balance(t).await);
    }
    Snapshot(out)
}

/// TigerBeetle-style invariants of the ledger's own database, each a count that must be zero.
async fn assert_ledger_invariants(p: &Platform) {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let checks = idaas_testkit::LEDGER_INVARIANTS;
    let mut conn = AsyncPgConnection::establish(&p.database_url("ledger"))
        .await
        .unwrap();
    for (name, sql) in checks.iter().copied() {
        let c: Count = diesel::sql_query(sql).get_result(&mut conn).await.unwrap();
        assert_eq!(c.n, 0, "invariant violated: {name}");
    }
}

/// Every internal route, and a body that would move money or leak data if it got through.
fn internal_targets(victim: &Tenant, thief: &Tenant) -> Vec<(&'static str, String, Value)> {
    let posting = json!({
        "reference": "TXN-1700000000-ATTACK01",
        "amount": "1000000",
        "currency": "NGN",
        "sender": {"applicationId": victim.id, "applicationName": "victim", "tag": victim.tag},
        "receiver": {"applicationId": thief.id, "applicationName": "thief", "tag": thief.tag},
    });
    vec![
        ("POST", "internal/v1/postings".to_owned(), posting),
        (
            "GET",
            format!("internal/v1/tags/resolve?address={}", victim.tag),
            Value::Null,
        ),
        (
            "GET",
            format!(
                "internal/v1/tags/resolutions?address={}&address={}",
                victim.tag, thief.tag
            ),
            Value::Null,
        ),
        // Where the victim's payment webhooks stand.
        (
            "GET",
            "internal/v1/deliveries/summary?reference=TXN-1700000000-ATTACK01".to_owned(),
            Value::Null,
        ),
        // Every wallet's movements for a day, as settlement proves a batch with.
        (
            "GET",
            "internal/v1/ledger/window?from=2024-05-09T23:59:00Z&to=2024-05-10T23:59:00Z"
                .to_owned(),
            Value::Null,
        ),
        // The victim's webhook secret: the prize of this whole list.
        (
            "GET",
            format!(
                "internal/v1/applications/delivery-profile?applicationId={}",
                victim.id
            ),
            Value::Null,
        ),
    ]
}

/// Every spelling of "go up one segment" and of a separator a parser might honour.
const UPS: [&str; 10] = [
    "..",
    "%2e%2e",
    "%2E%2E",
    ".%2e",
    "%2e.",
    "%2E%2e",
    "%252e%252e",
    "..%2f",
    "..%5c",
    "..;",
];
const PREFIXES: [&str; 5] = [
    "/api/v1/wallet",
    "/api/v1/transactions/x",
    "/api/v1/settlement",
    "/api/v1/applications",
    "/api/v1/tags",
];

#[tokio::test]
async fn a_tenant_cannot_reach_internal_routes_forge_tokens_or_send_odd_amounts() {
    let p = Platform::start().await;
    let victim = p.tenant("vic").await;
    let thief = p.tenant("thf").await;
    // Some money on the books first, so "nothing moved" is a real check.
    let reference = p.initiate(&victim, &thief, "10").await;
    let (s, v) = p.accept(&thief, &reference).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let before = snapshot(&p, &[&victim, &thief]).await;
    let gw = p.gateway_addr();
    let bearer = format!("Bearer {}", thief.token);

    // 1. Path tricks through the gateway, sent byte for byte.
    let mut tried = 0;
    for (method, target, body) in internal_targets(&victim, &thief) {
        let body = if body.is_null() {
            Vec::new()
        } else {
            body.to_string().into_bytes()
        };
        for prefix in PREFIXES {
            for up in UPS {
                for path in [
                    format!("{prefix}/{up}/{up}/{target}"),
                    format!("{prefix}/{up}/{up}/{up}/{target}"),
                    format!("{prefix}//{up}/{up}/{target}"),
                    format!("{prefix}\\..\\..\\{target}"),
                ] {
                    let (status, text) = raw_request(
                        &gw,
                        method,
                        &path,
                        &[
                            ("Authorization", &bearer),
                            ("Content-Type", "application/json"),
                        ],
                        &body,
                    )
                    .await;
                    tried += 1;
                    // Refused by the canonical path itself, before any route is looked up.
                    assert_eq!(status, 400, "{method} {path}: {text}");
                    assert!(text.contains("IDAAS-VALID-2001"), "{path}: {text}");
                }
            }
        }
    }
    assert!(tried >= 400, "only {tried} tricks tried");
    // Tricks shaped like real routes, which a route table alone would happily match after a
    // client library folded them (`/v1/transactions/%2e%2e/webhooks` is `/v1/webhooks`).
    for (method, path) in [
        ("GET", "/api/v1/tags/%2e%2e"),
        ("GET", "/api/v1/tags/."),
        ("GET", "/api/v1/transactions/%2e%2e/webhooks"),
        ("GET", "/api/v1/transactions/..%2fwebhooks/failed"),
        ("POST", "/api/v1/transactions/%2E%2E/accept"),
        ("GET", "/api/v1/subjects/%2e/tags"),
        ("GET", "/api/v1/wallet/%2e"),
        ("GET", "/api/v1/applications/..;/x"),
    ] {
        let (status, text) =
            raw_request(&gw, method, path, &[("Authorization", &bearer)], b"").await;
        assert_eq!(status, 400, "{method} {path}: {text}");
    }
    // Every internal route the configuration knows is in the list tried above.
    let settings = idaas_config::load_from(
        &std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../config"),
        "local",
        "gateway",
    )
    .unwrap();
    let tried_routes: Vec<(String, String)> = internal_targets(&victim, &thief)
        .iter()
        .map(|(m, t, _)| {
            (
                m.to_string(),
                format!("/{}", t.split('?').next().unwrap_or(t)),
            )
        })
        .collect();
    for r in &settings.service_auth.routes {
        assert!(
            tried_routes.contains(&(r.method.clone(), r.path.clone())),
            "internal route {} {} is not in the attack list",
            r.method,
            r.path
        );
    }
    // A trick cannot move a request into another rate-limit bucket: it is refused outright.
    let (status, _) = raw_request(
        &gw,
        "POST",
        "/api/v1/transactions/%2e%2e/transactions",
        &[("Authorization", &bearer)],
        b"{}",
    )
    .await;
    assert_eq!(status, 400);

    // 2. Forged tokens, on a read and on a payment.
    let (_, jwks) = p
        .text(p.http.get(format!("{}/.well-known/jwks.json", p.gateway)))
        .await;
    let kid = serde_json::from_str::<Value>(&jwks).unwrap()["keys"][0]["kid"]
        .as_str()
        .unwrap()
        .to_owned();
    let parts: Vec<&str> = thief.token.split('.').collect();
    let mut claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    let b64 = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
    let none = format!(
        "{}.{}.",
        b64(&json!({"alg": "none", "typ": "JWT"})),
        parts[1]
    );
    // Algorithm confusion: HMAC keyed with every public form of the platform's key.
    let hs_header = b64(&json!({"alg": "HS256", "typ": "JWT", "kid": kid}));
    let platform_public = EcKeyPair::from_pkcs8_pem(&p.keys.token_signing_key)
        .unwrap()
        .public_key_pem()
        .unwrap();
    let hs256 = |key: &[u8]| {
        let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
        mac.update(format!("{hs_header}.{}", parts[1]).as_bytes());
        format!(
            "{hs_header}.{}.{}",
            parts[1],
            URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
        )
    };
    let hs256_jwks = hs256(jwks.as_bytes());
    let hs256_pem = hs256(platform_public.as_bytes());
    claims["sub"] = json!(victim.id);
    claims["handle"] = json!(victim.handle);
    let swapped = format!("{}.{}.{}", parts[0], b64(&claims), parts[2]);
    let signing = EcKeyPair::from_pkcs8_pem(&p.keys.token_signing_key).unwrap();
    let expired = TokenIssuer::new(&signing, "idaas", -120)
        .unwrap()
        .issue(victim.id.parse().unwrap(), &victim.handle, false)
        .unwrap()
        .token
        .expose()
        .clone();
    let (_, tx_private, _) = &p.keys.service_keys[1];
    let service = ServiceSigner::new(
        "transaction",
        &EcKeyPair::from_pkcs8_pem(tx_private).unwrap(),
        30,
    )
    .unwrap()
    .credential("gateway", "GET", "/v1/wallet", b"")
    .unwrap();
    for (name, token) in [
        ("alg none", none),
        ("HS256 keyed with the JWKS", hs256_jwks),
        ("HS256 keyed with the public key PEM", hs256_pem),
        ("another app's sub, original signature", swapped),
        ("expired", expired),
        ("a service credential", service),
    ] {
        let (s, v) = p
            .send(p.http.get(p.api("/v1/wallet")).bearer_auth(&token))
            .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{name}: {v}");
        let (s, v) = p
            .send(
                p.http
                    .post(p.api("/v1/transactions"))
                    .bearer_auth(&token)
                    .json(&json!({"senderTag": victim.tag, "receiverTag": thief.tag, "amount": 5})),
            )
            .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{name}: {v}");
    }

    // 3. Amounts a lenient parser would reinterpret.
    for amount in [
        json!("0.99999999999999999999999999999e0"),
        json!("1_000"),
        json!(" 1"),
        json!("1e3"),
        json!("-5"),
        json!("+5"),
        json!("NaN"),
        json!("Infinity"),
        json!("0x10"),
        json!(true),
        json!([1]),
        json!({"value": 1}),
        json!(0),
        json!("1.00001"),
        json!("1000000000000000"),
    ] {
        let (s, v) = p
            .send(
                p.http
                    .post(p.api("/v1/transactions"))
                    .bearer_auth(&thief.token)
                    .json(&json!({"senderTag": thief.tag, "receiverTag": victim.tag, "amount": amount})),
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{amount}: {v}");
        assert_eq!(v["errorCode"], "IDAAS-VALID-2001", "{amount}: {v}");
        let named = v["errors"].as_array().is_some_and(|e| {
            e.iter()
                .any(|m| m.as_str().is_some_and(|m| m.starts_with("amount")))
        });
        assert!(named, "{amount}: {v}");
    }
    // Raw JSON numbers with exponents, which serde_json would not keep as written above.
    for raw in ["1e3", "1E+2", "-0", "1.5e-1"] {
        let body = format!(
            r#"{{"senderTag":"{}","receiverTag":"{}","amount":{raw}}}"#,
            thief.tag, victim.tag
        );
        let (s, v) = p
            .send(
                p.http
                    .post(p.api("/v1/transactions"))
                    .bearer_auth(&thief.token)
                    .header("Content-Type", "application/json")
                    .body(body),
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{raw}: {v}");
        let named = v["errors"].as_array().is_some_and(|e| {
            e.iter()
                .any(|m| m.as_str().is_some_and(|m| m.starts_with("amount")))
        });
        assert!(named, "{raw}: {v}");
    }

    // 4. Straight to the services' ports, as a compromised pod next to them would.
    direct_calls_need_the_right_service_credential(&p, &victim, &thief).await;

    let after = snapshot(&p, &[&victim, &thief]).await;
    assert_eq!(before.0, after.0, "a wallet moved");
    assert_ledger_invariants(&p).await;
}

/// A name, the headers to send, the body, and the status that must come back.
type Case = (&'static str, Vec<(String, String)>, Vec<u8>, u16);

async fn direct_calls_need_the_right_service_credential(
    p: &Platform,
    victim: &Tenant,
    thief: &Tenant,
) {
    let key = |name: &str| {
        let (_, private, _) = p
            .keys
            .service_keys
            .iter()
            .find(|(n, _, _)| n == name)
            .unwrap();
        EcKeyPair::from_pkcs8_pem(private).unwrap()
    };
    let transaction = ServiceSigner::new("transaction", &key("transaction"), 30).unwrap();
    let settlement = ServiceSigner::new("settlement", &key("settlement"), 30).unwrap();
    let stranger = ServiceSigner::new("transaction", &EcKeyPair::generate(), 30).unwrap();

    let targets = internal_targets(victim, thief);
    for (method, target, body) in &targets {
        let (service, audience) = if target.starts_with("internal/v1/postings")
            || target.starts_with("internal/v1/ledger")
        {
            (p.service_url("ledger"), "ledger")
        } else if target.starts_with("internal/v1/deliveries") {
            (p.service_url("webhook-dispatcher"), "webhook-dispatcher")
        } else {
            (p.service_url("identity"), "identity")
        };
        let path = format!("/{target}");
        let body = if body.is_null() {
            Vec::new()
        } else {
            body.to_string().into_bytes()
        };
        let (other_method, other_target, _) = targets.iter().find(|(_, t, _)| t != target).unwrap();
        let cases: Vec<Case> = vec![
            ("no credential", vec![], body.clone(), 401),
            (
                "a tenant token",
                vec![("Authorization".into(), format!("Bearer {}", thief.token))],
                body.clone(),
                401,
            ),
            (
                "a tenant token as the credential",
                vec![("X-IDaaS-Service-Credential".into(), thief.token.clone())],
                body.clone(),
                401,
            ),
            (
                "a valid credential for another route",
                vec![(
                    "X-IDaaS-Service-Credential".into(),
                    transaction
                        .credential(audience, other_method, &format!("/{other_target}"), &body)
                        .unwrap(),
                )],
                body.clone(),
                401,
            ),
            (
                "a credential for another service",
                vec![(
                    "X-IDaaS-Service-Credential".into(),
                    transaction
                        .credential(
                            if audience == "ledger" {
                                "identity"
                            } else {
                                "ledger"
                            },
                            method,
                            &path,
                            &body,
                        )
                        .unwrap(),
                )],
                body.clone(),
                401,
            ),
            (
                "a service not allowed on this route",
                vec![(
                    "X-IDaaS-Service-Credential".into(),
                    // Settlement may read the ledger's window and nothing else.
                    if target.starts_with("internal/v1/ledger") {
                        &transaction
                    } else {
                        &settlement
                    }
                    .credential(audience, method, &path, &body)
                    .unwrap(),
                )],
                body.clone(),
                403,
            ),
            (
                "a key nobody configured",
                vec![(
                    "X-IDaaS-Service-Credential".into(),
                    stranger.credential(audience, method, &path, &body).unwrap(),
                )],
                body.clone(),
                401,
            ),
        ];
        let mut cases = cases;
        if !body.is_empty() {
            let mut tampered = body.clone();
            let text = String::from_utf8(tampered.clone())
                .unwrap()
                .replace("1000000", "9000000");
            tampered = text.into_bytes();
            cases.push((
                "a tampered body",
                vec![(
                    "X-IDaaS-Service-Credential".into(),
                    transaction
                        .credential(audience, method, &path, &body)
                        .unwrap(),
                )],
                tampered,
                401,
            ));
        }
        for (name, headers, body, want) in cases {
            let mut req = p
                .http
                .request(method.parse().unwrap(), format!("{service}{path}"))
                .header("Content-Type", "application/json")
                .body(body);
            for (k, v) in headers {
                req = req.header(k, v);
            }
            let resp = req.send().await.unwrap();
            let status = resp.status().as_u16();
            let text = resp.text().await.unwrap_or_default();
            assert_eq!(status, want, "{name} on {method} {path}: {text}");
        }
    }
    // The legitimate caller still gets through (so the refusals above are not an outage).
    let path = format!("/internal/v1/tags/resolutions?address={}", victim.tag);
    let ok = p
        .http
        .get(format!("{}{path}", p.service_url("identity")))
        .header(
            "X-IDaaS-Service-Credential",
            transaction
                .credential("identity", "GET", &path, b"")
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
}
