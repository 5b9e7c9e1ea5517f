//! The tenant-isolation matrix, generated from the gateway's route table: every authenticated
//! endpoint that takes an id, a reference, a tag or a subject, called by one tenant with
//! another tenant's value, answers 403 or 404 and changes nothing. A new route with a new kind
//! of placeholder fails this test until someone decides what "another tenant's value" is.

use e2e::{Platform, Tenant};
use gateway::{Access, Route, ROUTES};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Placeholders whose value no tenant owns: a settlement date's batch is every application's
/// to read (totals, and only the caller's own entry: settlement's own tests hold that).
const NOT_TENANT_OWNED: [&str; 1] = ["{date}"];

/// Another tenant's value for each placeholder of a route.
fn victim_value(
    route: &Route,
    placeholder: &str,
    v: &Tenant,
    v_reference: &str,
    v_claim: &str,
) -> String {
    match (route.pattern.split('/').nth(2), placeholder) {
        (Some("applications"), "{id}") => v.id.clone(),
        (Some("subjects"), "{id}") => v.subject.clone(),
        (_, "{tag}") => v.tag.clone(),
        (_, "{reference}") => v_reference.to_owned(),
        // A claim on the victim's tag, asked for by a third application.
        (Some("claims"), "{id}") => v_claim.to_owned(),
        // A delivery record the matrix does not know, and a settlement batch that belongs to
        // no tenant: a well-formed id that is not the caller's stands in.
        (Some("webhooks" | "settlement"), "{id}") => uuid::Uuid::new_v4().to_string(),
        // A federation link under the victim's tag (its `{tag}` is the victim's already); the
        // identity tests try the victim's real link ids.
        (Some("tags"), "{id}") => uuid::Uuid::new_v4().to_string(),
        (_, "{challenge}" | "{token}") => uuid::Uuid::new_v4().simple().to_string(),
        other => panic!(
            "route {} {} has placeholder {other:?} that the isolation matrix does not know: \
             teach victim_value what another tenant's value is",
            route.method, route.pattern
        ),
    }
}

#[tokio::test]
async fn every_route_refuses_another_tenants_ids() {
    let p = Platform::start().await;
    let attacker = p.tenant("att").await;
    let victim = p.tenant("vic").await;
    let third = p.tenant("thd").await;
    // A payment between the victim and a third party: the attacker is neither.
    let settled = p.initiate(&victim, &third, "7").await;
    let (s, v) = p.accept(&third, &settled).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let pending = p.initiate(&victim, &third, "3").await;
    let balances_before = (p.balance(&victim).await, p.balance(&third).await);
    // A claim on the victim's tag by the third party: the attacker is neither side of it.
    let (s, v) = p
        .send(
            p.http
                .post(p.api(&format!("/v1/tags/{}/claims", victim.tag)))
                .bearer_auth(&third.token)
                .json(&json!({"subjectId": third.subject})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let claim = v["data"]["id"].as_str().unwrap().to_owned();

    let mut checked = 0;
    for route in ROUTES.iter().filter(|r| r.access == Access::Tenant) {
        let placeholders: Vec<&str> = route
            .pattern
            .split('/')
            .filter(|s| Route::is_placeholder(s))
            .collect();
        if placeholders.is_empty() || placeholders.iter().any(|p| NOT_TENANT_OWNED.contains(p)) {
            continue;
        }
        let path = placeholders
            .iter()
            .fold(route.pattern.to_owned(), |path, ph| {
                path.replacen(ph, &victim_value(route, ph, &victim, &pending, &claim), 1)
            });
        // A body every route would accept, so the answer is about whose value it is.
        let body = json!({"subjectId": victim.subject, "newOwnerSubjectId": victim.subject,
                          "reason": "isolation matrix",
                          "provider": "github", "externalIdentifier": "isolation-matrix"});
        let req = p
            .http
            .request(route.method.parse().unwrap(), p.api(&path))
            .bearer_auth(&attacker.token);
        let req = if route.method == "GET" {
            req
        } else {
            req.json(&body)
        };
        let (s, v) = p.send(req).await;
        // Claiming the victim's tag is what the claims route is for: there the refusal is of
        // the victim's subject in the body.
        let refused_subject = (route.method, route.pattern) == ("POST", "/v1/tags/{tag}/claims")
            && s == StatusCode::UNPROCESSABLE_ENTITY
            && v["errorCode"] == "IDAAS-STATE-5002";
        assert!(
            s == StatusCode::FORBIDDEN || s == StatusCode::NOT_FOUND || refused_subject,
            "{} {path} as another tenant answered {s}: {v}",
            route.method
        );
        assert!(v["errorCode"].is_string(), "{} {path}: {v}", route.method);
        checked += 1;
    }
    // Today: applications, subjects, tags, transactions and their delivery records.
    assert!(checked >= 13, "only {checked} routes checked");

    // Lists show only the caller's own rows: nothing of the victim's appears in any of them.
    let victim_marks = [
        victim.id.as_str(),
        victim.subject.as_str(),
        victim.tag.as_str(),
        settled.as_str(),
        pending.as_str(),
    ];
    for path in [
        "/v1/applications",
        "/v1/subjects",
        "/v1/tags",
        "/v1/transactions/sent",
        "/v1/transactions/received",
        "/v1/transactions/pending",
        "/v1/wallet",
        "/v1/wallet/statement",
    ] {
        let (status, text) = p
            .text(p.http.get(p.api(path)).bearer_auth(&attacker.token))
            .await;
        assert!(status.is_success(), "{path}: {status}");
        for mark in victim_marks {
            assert!(
                !text.contains(mark),
                "{path} shows the victim's {mark}: {text}"
            );
        }
    }
    // ... while the victim does see its own, so the check above can fail.
    let (_, own) = p
        .text(
            p.http
                .get(p.api("/v1/transactions/sent"))
                .bearer_auth(&victim.token),
        )
        .await;
    assert!(own.contains(&pending) && own.contains(&settled), "{own}");

    // Ids inside bodies: another tenant's subject, and paying from another tenant's tag.
    let (s, v) = p
        .send(
            p.http
                .post(p.api("/v1/tags"))
                .bearer_auth(&attacker.token)
                .json(&json!({"tag": "stolen", "subjectId": victim.subject})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["errorCode"], "IDAAS-STATE-5002");
    let (s, v) = p
        .send(
            p.http
                .post(p.api("/v1/transactions"))
                .bearer_auth(&attacker.token)
                .json(&json!({"senderTag": victim.tag, "receiverTag": attacker.tag, "amount": 1})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");

    // Nothing changed: the victim's application, tag, pending payment and balances.
    let (s, app) = p
        .send(
            p.http
                .get(p.api(&format!("/v1/applications/{}", victim.id)))
                .bearer_auth(&victim.token),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{app}");
    assert_eq!(app["data"]["active"], Value::Bool(true), "{app}");
    let (_, tag) = p
        .send(p.http.get(p.api(&format!("/v1/tags/{}", victim.tag))))
        .await;
    assert_eq!(tag["data"]["status"], "ACTIVE", "{tag}");
    let (_, tx) = p
        .send(
            p.http
                .get(p.api(&format!("/v1/transactions/{pending}")))
                .bearer_auth(&victim.token),
        )
        .await;
    assert_eq!(tx["data"]["status"], "AWAITING_ACCEPTANCE", "{tx}");
    assert_eq!(
        balances_before,
        (p.balance(&victim).await, p.balance(&third).await)
    );
}
