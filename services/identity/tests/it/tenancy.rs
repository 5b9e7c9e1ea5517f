//! No tenant sees or changes another's subjects and tags; conflicts answer their codes.

use crate::common::{assert_error, spawn, unique_handle};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn duplicates_and_foreign_subjects() {
    let app = spawn().await;
    let a = app.register(&unique_handle("tena")).await;
    let b = app.register(&unique_handle("tenb")).await;
    let sa = app.subject(&a.token, "user-1").await;

    let dup_subject = app
        .post(
            "/v1/subjects",
            Some(&a.token),
            json!({"externalId": "user-1"}),
        )
        .await;
    assert_error(&dup_subject, 409, "IDAAS-CONF-4003");
    // The same externalId is fine in another application.
    app.subject(&b.token, "user-1").await;

    let (status, _) = app.tag(&a.token, &sa, "carol").await;
    assert_eq!(status, StatusCode::CREATED);
    let dup_tag = app.tag(&a.token, &sa, "carol").await;
    assert_error(&dup_tag, 409, "IDAAS-CONF-4002");

    let foreign = app.tag(&b.token, &sa, "dave").await;
    assert_error(&foreign, 422, "IDAAS-STATE-5002");
    let missing = app
        .tag(&a.token, &uuid::Uuid::new_v4().to_string(), "erin")
        .await;
    assert_error(&missing, 404, "IDAAS-RES-3002");
    let bad_tag = app.tag(&a.token, &sa, "Bad Tag").await;
    assert_error(&bad_tag, 400, "IDAAS-VALID-2001");
    let long_tag = app.tag(&a.token, &sa, &"a".repeat(65)).await;
    assert_error(&long_tag, 400, "IDAAS-VALID-2001");

    let read = app.get(&format!("/v1/subjects/{sa}"), Some(&b.token)).await;
    assert_error(&read, 404, "IDAAS-RES-3002");
    let read_tags = app
        .get(&format!("/v1/subjects/{sa}/tags"), Some(&b.token))
        .await;
    assert_error(&read_tags, 404, "IDAAS-RES-3002");
    let bad_id = app.get("/v1/subjects/not-a-uuid", Some(&a.token)).await;
    assert_error(&bad_id, 400, "IDAAS-VALID-2001");
    let other_app = app
        .get(&format!("/v1/applications/{}", a.id), Some(&b.token))
        .await;
    assert_error(&other_app, 404, "IDAAS-RES-3001");
    let (_, listed) = app.get("/v1/applications", Some(&b.token)).await;
    assert_eq!(
        listed["data"].as_array().unwrap().len(),
        1,
        "a tenant lists only itself"
    );
    assert_eq!(listed["data"][0]["id"], b.id.as_str());

    let (_, b_tags) = app.get("/v1/tags", Some(&b.token)).await;
    assert_eq!(b_tags["data"]["totalElements"], 0);

    let foreign_disable = app
        .patch(&format!("/v1/tags/carol@{}/disable", a.handle), &b.token)
        .await;
    assert_error(&foreign_disable, 403, "IDAAS-AUTH-1006");
    // A bare name means the caller's own tag; b has none.
    let not_mine = app.patch("/v1/tags/carol/disable", &b.token).await;
    assert_error(&not_mine, 404, "IDAAS-RES-3004");
}

#[tokio::test]
async fn bare_name_on_two_apps_is_ambiguous() {
    let app = spawn().await;
    let a = app.register(&unique_handle("amba")).await;
    let b = app.register(&unique_handle("ambb")).await;
    let name = unique_handle("shared");
    let sa = app.subject(&a.token, "u").await;
    let sb = app.subject(&b.token, "u").await;
    assert_eq!(app.tag(&a.token, &sa, &name).await.0, StatusCode::CREATED);
    // Resolve (and cache) while unique, then add the second: the cache must not hide it.
    let (status, _) = app.get(&format!("/v1/tags/{name}"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(app.tag(&b.token, &sb, &name).await.0, StatusCode::CREATED);

    let r = app.get(&format!("/v1/tags/{name}"), None).await;
    assert_error(&r, 409, "IDAAS-CONF-4006");
    let candidates = r.1["data"]["candidates"].as_array().unwrap();
    let mut got: Vec<_> = candidates
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    got.sort();
    let mut want = vec![
        format!("{name}@{}", a.handle),
        format!("{name}@{}", b.handle),
    ];
    want.sort();
    assert_eq!(got, want);

    let (status, q) = app
        .get(&format!("/v1/tags/{name}@{}", b.handle), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(q["data"]["createdByAppName"], format!("App {}", b.handle));

    let unknown = app
        .get(&format!("/v1/tags/{}", unique_handle("nobody")), None)
        .await;
    assert_error(&unknown, 404, "IDAAS-RES-3004");
    let invalid = app.get("/v1/tags/NOT_VALID", None).await;
    assert_error(&invalid, 400, "IDAAS-VALID-2001");
}

#[tokio::test]
async fn disable_and_enable_are_visible_at_once() {
    let app = spawn().await;
    let a = app.register(&unique_handle("dis")).await;
    let s = app.subject(&a.token, "u").await;
    let name = unique_handle("tg");
    app.tag(&a.token, &s, &name).await;
    let qualified = format!("{name}@{}", a.handle);
    let (_, r) = app.get(&format!("/v1/tags/{qualified}"), None).await;
    assert_eq!(r["data"]["status"], "ACTIVE");

    let (status, d) = app
        .patch(&format!("/v1/tags/{name}/disable"), &a.token)
        .await;
    assert_eq!(status, StatusCode::OK, "{d}");
    assert_eq!(d["data"]["status"], "DISABLED");
    let (_, r) = app.get(&format!("/v1/tags/{qualified}"), None).await;
    assert_eq!(
        r["data"]["status"], "DISABLED",
        "cache invalidated on change"
    );

    let (status, e) = app
        .patch(&format!("/v1/tags/{qualified}/enable"), &a.token)
        .await;
    assert_eq!(status, StatusCode::OK, "{e}");
    let (_, r) = app.get(&format!("/v1/tags/{name}"), None).await;
    assert_eq!(r["data"]["status"], "ACTIVE");
}

#[tokio::test]
async fn a_subject_is_found_by_its_external_id_only_by_its_own_application() {
    let app = spawn().await;
    let owner = app.register(&unique_handle("extown")).await;
    let other = app.register(&unique_handle("extoth")).await;
    let id = app.subject(&owner.token, "user-12345").await;
    app.subject(&owner.token, "user-67890").await;

    let (s, v) = app
        .get("/v1/subjects?externalId=user-12345", Some(&owner.token))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["data"]["totalElements"], 1);
    assert_eq!(v["data"]["content"][0]["id"], id.as_str());
    assert_eq!(v["data"]["content"][0]["externalId"], "user-12345");

    let absent = app
        .get("/v1/subjects?externalId=user-00000", Some(&owner.token))
        .await;
    assert_error(&absent, 404, "IDAAS-RES-3003");
    // Another application's user id is not there for it, even with the same value.
    let foreign = app
        .get("/v1/subjects?externalId=user-12345", Some(&other.token))
        .await;
    assert_error(&foreign, 404, "IDAAS-RES-3003");
    // Without it, the page as before.
    let (s, v) = app.get("/v1/subjects", Some(&owner.token)).await;
    assert_eq!(
        (s, v["data"]["totalElements"].as_i64()),
        (StatusCode::OK, Some(2))
    );
}
