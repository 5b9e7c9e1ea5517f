//! The gateway as an integrator calls it: JSON answers in the envelope, and every request body
//! of an application with encryption on sealed to IDaaS's public key (section 14.1).

use std::time::Duration;

use josekit::jwk::Jwk;
use reqwest::{header::HeaderMap, Method, RequestBuilder};
use serde_json::Value;

use crate::{error::DemoError, webhook};

pub struct Api {
    base: String,
    http: reqwest::Client,
    /// `GET /v1/keys/idaas`'s JWK, fetched once.
    platform_key: Option<Jwk>,
}

/// A request body: none, plain JSON (public routes), or sealed as a JWE.
pub enum Body<'a> {
    None,
    Plain(&'a Value),
    Sealed(&'a Value),
}

impl Api {
    pub fn new(base: &str) -> Result<Api, DemoError> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|source| DemoError::Unreachable {
                url: base.to_owned(),
                source,
            })?;
        Ok(Api {
            base: base.trim_end_matches('/').to_owned(),
            http,
            platform_key: None,
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// Keeps the platform's key for sealing request bodies.
    pub fn use_platform_key(&mut self, jwk: &Value) -> Result<(), DemoError> {
        let map = jwk.as_object().cloned().unwrap_or_default();
        let key = Jwk::from_map(map)
            .map_err(|e| DemoError::Check(format!("GET /v1/keys/idaas is not a JWK: {e}")))?;
        self.platform_key = Some(key);
        Ok(())
    }

    /// `method path`, answered with `expected`; the answer's body.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Body<'_>,
        headers: &[(&str, &str)],
        expected: u16,
    ) -> Result<Value, DemoError> {
        self.call_with_headers(method, path, token, body, headers, expected)
            .await
            .map(|(body, _)| body)
    }

    /// `GET path`, answered 200.
    pub async fn get(&self, path: &str, token: Option<&str>) -> Result<Value, DemoError> {
        self.call(Method::GET, path, token, Body::None, &[], 200)
            .await
    }

    /// `POST path` without a body, answered with `expected`.
    pub async fn post(&self, path: &str, token: &str, expected: u16) -> Result<Value, DemoError> {
        self.call(Method::POST, path, Some(token), Body::None, &[], expected)
            .await
    }

    /// As `call`, with the answer's headers.
    pub async fn call_with_headers(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Body<'_>,
        headers: &[(&str, &str)],
        expected: u16,
    ) -> Result<(Value, HeaderMap), DemoError> {
        let what = format!("{method} {path}");
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        req = self.with_body(req, body)?;
        self.answer(req, &what, expected).await
    }

    /// A GET outside `/api` (the gateway's health), answered with `expected`.
    pub async fn get_url(&self, url: &str, expected: u16) -> Result<Value, DemoError> {
        self.answer(self.http.get(url), &format!("GET {url}"), expected)
            .await
            .map(|(body, _)| body)
    }

    fn with_body(&self, req: RequestBuilder, body: Body<'_>) -> Result<RequestBuilder, DemoError> {
        Ok(match body {
            Body::None => req,
            Body::Plain(v) => req.json(v),
            Body::Sealed(v) => {
                let key = self.platform_key.as_ref().ok_or_else(|| {
                    DemoError::Check("no platform key to seal a request with".into())
                })?;
                let compact = webhook::seal(v, key).map_err(|e| DemoError::Check(e.to_string()))?;
                req.header("Content-Type", "application/json")
                    .header("Content-Encryption", "JWE")
                    .body(compact)
            }
        })
    }

    async fn answer(
        &self,
        req: RequestBuilder,
        what: &str,
        expected: u16,
    ) -> Result<(Value, HeaderMap), DemoError> {
        let resp = req.send().await.map_err(|source| DemoError::Unreachable {
            url: self.base.clone(),
            source,
        })?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let text = resp.text().await.unwrap_or_default();
        if status != expected {
            return Err(DemoError::Unexpected {
                what: what.to_owned(),
                expected,
                status,
                body: redacted(&text),
            });
        }
        let body = serde_json::from_str(&text).map_err(|e| {
            DemoError::Check(format!(
                "{what}: the answer is not JSON ({e}): {}",
                redacted(&text)
            ))
        })?;
        Ok((body, headers))
    }
}

/// Fields an answer may carry that are shown once and must never reach a terminal or a log.
const SECRETS: [&str; 5] = [
    "clientSecret",
    "webhookSecret",
    "appPrivateJwk",
    "token",
    "consentToken",
];

/// An unexpected answer's body, fit to print: secret fields replaced wherever they are.
fn redacted(text: &str) -> String {
    fn scrub(v: &mut Value) {
        match v {
            Value::Object(map) => {
                for (k, v) in map.iter_mut() {
                    if SECRETS.contains(&k.as_str()) {
                        *v = Value::from("<redacted>");
                    } else {
                        scrub(v);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(scrub),
            _ => {}
        }
    }
    match serde_json::from_str::<Value>(text) {
        Ok(mut v) => {
            scrub(&mut v);
            v.to_string()
        }
        // Not JSON (a proxy's page): short enough to read, nothing of ours in it.
        Err(_) => text.chars().take(300).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_in_an_unexpected_answer_are_redacted_at_any_depth() {
        let body = r#"{"data":{"clientSecret":"cs","webhookSecret":"ws","appPrivateJwk":{"d":"x"},
            "items":[{"token":"t"}],"clientId":"id"},"errorCode":null}"#;
        let shown = redacted(body);
        for secret in ["\"cs\"", "\"ws\"", "\"x\"", "\"t\""] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(shown.contains("\"clientId\":\"id\""), "{shown}");
        assert_eq!(redacted(&"x".repeat(1000)).len(), 300);
    }
}
