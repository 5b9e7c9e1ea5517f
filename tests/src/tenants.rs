//! Tenants as a test needs them: an application with a token, a wallet, a subject and a tag,
//! and the calls that move money between them, all through the gateway.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::Platform;

#[derive(Debug, Clone)]
pub struct Tenant {
    pub id: String,
    pub handle: String,
    pub token: String,
    pub subject: String,
    /// The qualified address of its tag, `t…@handle`.
    pub tag: String,
}

impl Platform {
    pub async fn send(&self, req: reqwest::RequestBuilder) -> (StatusCode, Value) {
        let resp = req.send().await.expect("request");
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    /// The body as text, exactly as sent (JSON numbers keep their four decimals only there).
    pub async fn text(&self, req: reqwest::RequestBuilder) -> (StatusCode, String) {
        let resp = req.send().await.expect("request");
        let status = resp.status();
        (status, resp.text().await.expect("body"))
    }

    /// Registers an application with a wallet, a subject and a tag.
    pub async fn tenant(&self, prefix: &str) -> Tenant {
        let (id, handle, token) = self.register(prefix).await;
        let (s, w) = self
            .send(self.http.post(self.api("/v1/wallet")).bearer_auth(&token))
            .await;
        assert_eq!(s, StatusCode::OK, "wallet: {w}\n{}", self.logs());
        let (s, subj) = self
            .send(
                self.http
                    .post(self.api("/v1/subjects"))
                    .bearer_auth(&token)
                    .json(&json!({"externalId": format!("user-{prefix}")})),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "subject: {subj}");
        let subject = subj["data"]["id"].as_str().unwrap_or_default().to_owned();
        let local = format!("t{prefix}");
        let (s, t) = self
            .send(
                self.http
                    .post(self.api("/v1/tags"))
                    .bearer_auth(&token)
                    .json(&json!({"tag": local, "subjectId": subject})),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "tag: {t}");
        Tenant {
            id,
            tag: format!("{local}@{handle}"),
            handle,
            token,
            subject,
        }
    }

    /// `from` pays `to`; returns the reference of the AWAITING_ACCEPTANCE transaction.
    pub async fn initiate(&self, from: &Tenant, to: &Tenant, amount: &str) -> String {
        let (s, v) = self
            .send(
                self.http
                    .post(self.api("/v1/transactions"))
                    .bearer_auth(&from.token)
                    .json(&json!({"senderTag": from.tag, "receiverTag": to.tag, "amount": amount})),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "initiate: {v}\n{}", self.logs());
        v["data"]["reference"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub async fn accept(&self, receiver: &Tenant, reference: &str) -> (StatusCode, Value) {
        self.send(
            self.http
                .post(self.api(&format!("/v1/transactions/{reference}/accept")))
                .bearer_auth(&receiver.token),
        )
        .await
    }

    /// The tenant's NGN wallet balance, as text (exactly as the API writes it).
    pub async fn balance(&self, t: &Tenant) -> String {
        let (s, w) = self
            .send(self.http.get(self.api("/v1/wallet")).bearer_auth(&t.token))
            .await;
        assert_eq!(s, StatusCode::OK, "{w}\n{}", self.logs());
        w["data"]["balance"].to_string()
    }
}
