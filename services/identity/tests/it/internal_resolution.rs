//! The transaction service's view of the tags a payment names: every address of one call gets
//! its own outcome, in order, and only the transaction service's credential gets an answer.

use idaas_contracts::tags::{RESOLUTIONS_PATH, RESOLVE_PATH};
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::common::{internal_client, spawn, unique_handle, TestApp};

/// GET `path?query` on identity with `as_service`'s credential.
async fn ask(app: &TestApp, as_service: &str, path: &str, query: &str) -> (StatusCode, Value) {
    let resp = internal_client(app, as_service)
        .send(
            "identity",
            &app.base,
            Method::GET,
            &format!("{path}?{query}"),
            None,
        )
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn resolve(app: &TestApp, as_service: &str, query: &str) -> (StatusCode, Value) {
    ask(app, as_service, RESOLUTIONS_PATH, query).await
}

#[tokio::test]
async fn one_call_answers_each_address_in_order_with_its_own_outcome() {
    let app = spawn().await;
    let a = app.register(&unique_handle("ra")).await;
    let b = app.register(&unique_handle("rb")).await;
    let name = unique_handle("both");
    for owner in [&a, &b] {
        let subject = app.subject(&owner.token, "s-1").await;
        let (status, v) = app.tag(&owner.token, &subject, &name).await;
        assert_eq!(status, StatusCode::CREATED, "{v}");
    }
    let a_tag = format!("{name}@{}", a.handle);
    let b_tag = format!("{name}@{}", b.handle);
    let unknown = format!("nobody@{}", a.handle);

    let query = format!(
        "address={a_tag}&address={unknown}&address={name}&address=%20bad%20&address={b_tag}"
    );
    let (status, v) = resolve(&app, "transaction", &query).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let outcomes = v["data"].as_array().unwrap();
    assert_eq!(outcomes.len(), 5, "{v}");
    assert_eq!(outcomes[0]["found"]["qualifiedAddress"], a_tag.as_str());
    assert_eq!(outcomes[0]["found"]["applicationId"], a.id.as_str());
    assert_eq!(outcomes[0]["found"]["status"], "ACTIVE");
    assert_eq!(outcomes[0]["found"]["applicationActive"], true);
    assert_eq!(outcomes[1]["refused"]["errorCode"], "IDAAS-RES-3004");
    // A bare name held on two applications: ambiguous, with both addresses to choose from.
    assert_eq!(outcomes[2]["refused"]["errorCode"], "IDAAS-CONF-4006");
    let candidates = outcomes[2]["refused"]["data"]["candidates"]
        .as_array()
        .unwrap();
    assert_eq!(candidates.len(), 2, "{v}");
    assert_eq!(outcomes[3]["refused"]["errorCode"], "IDAAS-VALID-2001");
    assert_eq!(outcomes[4]["found"]["applicationId"], b.id.as_str());
}

#[tokio::test]
async fn malformed_calls_and_other_callers_are_refused_whole() {
    let app = spawn().await;
    let a = app.register(&unique_handle("rc")).await;
    let subject = app.subject(&a.token, "s-1").await;
    let (status, _) = app.tag(&a.token, &subject, "carol").await;
    assert_eq!(status, StatusCode::CREATED);
    let tag = format!("carol@{}", a.handle);

    for query in [
        String::new(),
        format!("address={tag}&role=sender"),
        vec![format!("address={tag}"); 9].join("&"),
    ] {
        let (status, v) = resolve(&app, "transaction", &query).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {v}");
        assert_eq!(v["errorCode"], "IDAAS-VALID-2001", "{v}");
    }
    let eight = vec![format!("address={tag}"); 8].join("&");
    let (status, v) = resolve(&app, "transaction", &eight).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["data"].as_array().unwrap().len(), 8);

    // Only the transaction service: another service's credential is 403, a tenant's token 401.
    let (status, _) = resolve(&app, "webhook-dispatcher", &format!("address={tag}")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let resp = app
        .http
        .get(format!("{}{RESOLUTIONS_PATH}?address={tag}", app.base))
        .bearer_auth(&a.token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_previous_single_tag_route_still_answers_during_a_rolling_deploy() {
    let app = spawn().await;
    let a = app.register(&unique_handle("rd")).await;
    let subject = app.subject(&a.token, "s-1").await;
    let (status, _) = app.tag(&a.token, &subject, "dave").await;
    assert_eq!(status, StatusCode::CREATED);
    let app = &app;
    let single = |address: String| async move {
        ask(
            app,
            "transaction",
            RESOLVE_PATH,
            &format!("address={address}"),
        )
        .await
    };
    let (status, v) = single(format!("dave@{}", a.handle)).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["data"]["applicationId"], a.id.as_str());
    let (status, v) = single(format!("nobody@{}", a.handle)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(v["errorCode"], "IDAAS-RES-3004");
}
