//! Settlement through the gateway, as an integrator meets it (section 13): a closed day is
//! settled on request and read back, today's day is refused until it closes, and a bad date
//! is a clear error.

use e2e::Platform;
use reqwest::StatusCode;

#[tokio::test]
async fn a_closed_day_is_settled_on_request_and_an_open_one_refused() {
    let p = Platform::start().await;
    let t = p.tenant("set").await;
    let now = chrono::Utc::now();
    // Two days back has closed whatever the time of day; tomorrow has not.
    let closed = (now - chrono::Duration::days(2)).date_naive().to_string();
    let open = (now + chrono::Duration::days(1)).date_naive().to_string();

    let run = |date: &str| {
        p.http
            .post(p.api(&format!("/v1/settlement/run?date={date}")))
            .bearer_auth(&t.token)
    };
    let (s, v) = p.send(run(&closed)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["data"]["status"], "COMPLETED", "{v}");
    assert_eq!(v["data"]["settlementDate"], closed.as_str());
    assert_eq!(v["data"]["currency"], "NGN");
    let id = v["data"]["id"].as_str().unwrap().to_owned();

    let (s, v) = p
        .send(
            p.http
                .get(p.api(&format!("/v1/settlement/date/{closed}")))
                .bearer_auth(&t.token),
        )
        .await;
    assert_eq!(
        (s, v["data"]["id"].as_str()),
        (StatusCode::OK, Some(id.as_str())),
        "{v}"
    );
    let (s, v) = p
        .send(
            p.http
                .get(p.api(&format!("/v1/settlement/{id}")))
                .bearer_auth(&t.token),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");

    let (s, v) = p.send(run(&open)).await;
    assert_eq!(
        (s, v["errorCode"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("IDAAS-STATE-5011")),
        "{v}"
    );
    let (s, v) = p.send(run("2024-13-01")).await;
    assert_eq!(
        (s, v["errorCode"].as_str()),
        (StatusCode::BAD_REQUEST, Some("IDAAS-VALID-2001")),
        "{v}"
    );
    // No token, no settlement.
    let (s, v) = p
        .send(p.http.get(p.api(&format!("/v1/settlement/date/{closed}"))))
        .await;
    assert_eq!(
        (s, v["errorCode"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("IDAAS-AUTH-1001"))
    );
}
