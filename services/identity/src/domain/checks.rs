use idaas_api::ApiError;
use idaas_domain::{UrlPolicy, WebhookUrl, MAX_WEBHOOK_URL_LEN};

const MAX_CALLBACK_ORIGINS: usize = 10;
use serde_json::Value;

/// Collects every field error of a request so the caller sees them all at once.
#[derive(Default)]
pub struct Checks {
    errors: Vec<String>,
}

impl Checks {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn fail(&mut self, message: impl Into<String>) {
        self.errors.push(message.into());
    }

    /// A required, non-blank string of `min..=max` characters.
    pub fn required(
        &mut self,
        field: &str,
        value: Option<String>,
        min: usize,
        max: usize,
    ) -> Option<String> {
        match value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()) {
            None => {
                self.fail(format!("{field} is required"));
                None
            }
            Some(v) => self.bounded(field, v, min, max),
        }
    }

    /// An optional string of at most `max` characters; blank counts as absent.
    pub fn optional(&mut self, field: &str, value: Option<String>, max: usize) -> Option<String> {
        let v = value
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())?;
        self.bounded(field, v, 0, max)
    }

    fn bounded(&mut self, field: &str, v: String, min: usize, max: usize) -> Option<String> {
        let n = v.chars().count();
        if n < min || n > max {
            if min > 0 {
                self.fail(format!("{field} must be {min}-{max} characters"));
            } else {
                self.fail(format!("{field} must be at most {max} characters"));
            }
            return None;
        }
        if v.chars().any(char::is_control) {
            self.fail(format!("{field} must not contain control characters"));
            return None;
        }
        Some(v)
    }

    /// A URL the platform will deliver webhooks to (`https://` outside the local profile).
    pub fn webhook_url(
        &mut self,
        field: &str,
        value: Option<String>,
        policy: UrlPolicy,
    ) -> Option<String> {
        let v = self.optional(field, value, MAX_WEBHOOK_URL_LEN)?;
        match WebhookUrl::parse(&v, policy) {
            Ok(_) => Some(v),
            Err(e) => {
                self.fail(format!("{field} {e}"));
                None
            }
        }
    }

    /// At most `MAX_CALLBACK_ORIGINS` webhook URLs, kept as their normalised origins.
    pub fn origins(
        &mut self,
        field: &str,
        value: Option<Vec<String>>,
        policy: UrlPolicy,
    ) -> Vec<String> {
        let values = value.unwrap_or_default();
        if values.len() > MAX_CALLBACK_ORIGINS {
            self.fail(format!(
                "{field} allows at most {MAX_CALLBACK_ORIGINS} origins"
            ));
            return Vec::new();
        }
        let mut out: Vec<String> = Vec::new();
        for v in values {
            match WebhookUrl::parse(v.trim(), policy) {
                Ok(u) if !out.contains(&u.origin()) => out.push(u.origin()),
                Ok(_) => {}
                Err(e) => self.fail(format!("{field} entry {e}")),
            }
        }
        out
    }

    /// The guide's "free-form JSON string": a string is kept as sent; an object or array is
    /// accepted too and stored as its JSON text.
    pub fn metadata(&mut self, value: Option<Value>) -> Option<String> {
        let text = match value? {
            Value::Null => return None,
            Value::String(s) => s,
            v @ (Value::Object(_) | Value::Array(_)) => v.to_string(),
            _ => {
                self.fail("metadata must be a JSON string");
                return None;
            }
        };
        self.optional("metadata", Some(text), 4096)
    }

    pub fn email(&mut self, value: Option<String>) -> Option<String> {
        let v = self.optional("email", value, 200)?;
        let valid = match v.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !v.contains(char::is_whitespace)
                    && !domain.contains('@')
            }
            None => false,
        };
        if valid {
            Some(v)
        } else {
            self.fail("email must be a valid email address");
            None
        }
    }

    pub fn finish(self) -> Result<(), ApiError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::validation(self.errors))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collects_all_errors() {
        let mut c = Checks::new();
        assert!(c.required("name", None, 2, 150).is_none());
        assert!(c.required("name", Some("x".into()), 2, 150).is_none());
        assert!(c
            .webhook_url(
                "transactionWebhookUrl",
                Some("ftp://x".into()),
                UrlPolicy::AllowHttp
            )
            .is_none());
        assert!(c.email(Some("no-at-sign".into())).is_none());
        let err = c.finish().err().map(|e| e.errors.len());
        assert_eq!(err, Some(4));
    }

    #[test]
    fn accepts_good_values() {
        let mut c = Checks::new();
        assert_eq!(
            c.required("name", Some(" Wallet ".into()), 2, 150)
                .as_deref(),
            Some("Wallet")
        );
        assert!(c
            .webhook_url(
                "u",
                Some("https://a.example.com/hook".into()),
                UrlPolicy::HttpsOnly
            )
            .is_some());
        let mut strict = Checks::new();
        assert!(strict
            .webhook_url(
                "u",
                Some("http://a.example.com/hook".into()),
                UrlPolicy::HttpsOnly
            )
            .is_none());
        assert_eq!(
            strict.finish().err().map(|e| e.errors),
            Some(vec!["u must use https://".to_owned()])
        );
        assert!(c.email(Some("alice@example.com".into())).is_some());
        assert_eq!(
            c.metadata(Some(serde_json::json!({"tier": "gold"})))
                .as_deref(),
            Some("{\"tier\":\"gold\"}")
        );
        assert!(c.finish().is_ok());
    }
}
