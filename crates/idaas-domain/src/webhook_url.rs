//! Where the platform will send a webhook: `transactionWebhookUrl` and a payment's
//! `callbackUrl`. Checked when it is given, so delivery never meets a URL it cannot use.
//! (Address checks at delivery time, against private networks, belong to the dispatcher.)

use std::fmt;

use url::Url;

pub const MAX_WEBHOOK_URL_LEN: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookUrlError {
    #[error("must be at most {MAX_WEBHOOK_URL_LEN} characters")]
    TooLong,
    #[error("must be an absolute URL")]
    NotAbsolute,
    #[error("must use https://")]
    NotHttps,
    #[error("must use http:// or https://")]
    NotHttp,
    #[error("must not carry a user name or password")]
    Credentials,
    #[error("must not have a #fragment")]
    Fragment,
}

/// Whether plain `http://` is acceptable: only in the local profile, for receivers on the
/// developer's machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlPolicy {
    HttpsOnly,
    AllowHttp,
}

impl UrlPolicy {
    pub fn for_profile(profile: &str) -> Self {
        if profile == "local" {
            UrlPolicy::AllowHttp
        } else {
            UrlPolicy::HttpsOnly
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrl(Url);

impl WebhookUrl {
    pub fn parse(text: &str, policy: UrlPolicy) -> Result<Self, WebhookUrlError> {
        if text.len() > MAX_WEBHOOK_URL_LEN {
            return Err(WebhookUrlError::TooLong);
        }
        let url = Url::parse(text).map_err(|_| WebhookUrlError::NotAbsolute)?;
        match (url.scheme(), policy) {
            ("https", _) | ("http", UrlPolicy::AllowHttp) => {}
            (_, UrlPolicy::HttpsOnly) => return Err(WebhookUrlError::NotHttps),
            (_, UrlPolicy::AllowHttp) => return Err(WebhookUrlError::NotHttp),
        }
        if url.host().is_none() {
            return Err(WebhookUrlError::NotAbsolute);
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(WebhookUrlError::Credentials);
        }
        if url.fragment().is_some() {
            return Err(WebhookUrlError::Fragment);
        }
        Ok(Self(url))
    }

    /// Scheme, host and port are the same (RFC 6454 origin).
    pub fn same_origin(&self, other: &WebhookUrl) -> bool {
        self.0.origin() == other.0.origin()
    }

    /// `scheme://host[:port]`, the form callback origins are stored and compared in.
    pub fn origin(&self) -> String {
        self.0.origin().ascii_serialization()
    }
}

impl fmt::Display for WebhookUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use UrlPolicy::{AllowHttp, HttpsOnly};

    #[test]
    fn accepts_https_anywhere_and_http_only_locally() {
        assert!(WebhookUrl::parse("https://shop.example.com/hooks/idaas", HttpsOnly).is_ok());
        assert!(WebhookUrl::parse("http://127.0.0.1:9000/hook", AllowHttp).is_ok());
        assert_eq!(
            WebhookUrl::parse("http://shop.example.com/hook", HttpsOnly),
            Err(WebhookUrlError::NotHttps)
        );
    }

    #[test]
    fn refuses_what_delivery_could_not_use() {
        let long = format!("https://a.example.com/{}", "x".repeat(500));
        for (text, want) in [
            (long.as_str(), WebhookUrlError::TooLong),
            ("/relative", WebhookUrlError::NotAbsolute),
            ("ftp://a.example.com/x", WebhookUrlError::NotHttp),
            ("file:///etc/passwd", WebhookUrlError::NotHttp),
            (
                "https://user:pw@a.example.com/x",
                WebhookUrlError::Credentials,
            ),
            ("https://a.example.com/x#frag", WebhookUrlError::Fragment),
        ] {
            assert_eq!(WebhookUrl::parse(text, AllowHttp), Err(want), "{text}");
        }
        assert_eq!(
            WebhookUrl::parse("javascript:alert(1)", HttpsOnly),
            Err(WebhookUrlError::NotHttps)
        );
        assert_eq!(
            WebhookUrl::parse("https://", HttpsOnly),
            Err(WebhookUrlError::NotAbsolute)
        );
    }

    #[test]
    fn origin_is_scheme_host_and_port() {
        let p = |s: &str| WebhookUrl::parse(s, AllowHttp).unwrap_or_else(|e| panic!("{s}: {e}"));
        let hook = p("https://shop.example.com/hooks/idaas");
        assert!(hook.same_origin(&p("https://shop.example.com/orders/9/cb?x=1")));
        assert!(hook.same_origin(&p("https://shop.example.com:443/cb")));
        assert!(!hook.same_origin(&p("https://evil.example.com/cb")));
        assert!(!hook.same_origin(&p("https://shop.example.com:8443/cb")));
        assert!(!hook.same_origin(&p("http://shop.example.com/cb")));
        assert!(!hook.same_origin(&p("https://shop.example.com.evil.test/cb")));
        assert_eq!(
            p("https://Shop.Example.com:443/x?y").origin(),
            "https://shop.example.com"
        );
        assert_eq!(
            p("http://127.0.0.1:9000/x").origin(),
            "http://127.0.0.1:9000"
        );
    }
}
