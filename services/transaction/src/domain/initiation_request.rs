//! `POST /v1/transactions` body, parsed exactly (amounts from the number's own text).

use idaas_api::ApiError;
use idaas_domain::{
    decimal_json::amount_field, Currency, Money, TagAddress, UrlPolicy, WebhookUrl,
};
use serde::Deserialize;
use serde_json::value::RawValue;

/// The body of `POST /v1/transactions`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InitiationBody {
    /// The sender's tag: a bare name of the caller's or a qualified address.
    #[schema(required = true, example = "alice@walletapp")]
    sender_tag: Option<String>,
    #[schema(required = true, example = "bob@shopapp")]
    receiver_tag: Option<String>,
    /// Greater than zero, at most 15 integer digits and 4 decimals; a JSON number or a string
    /// holding one.
    #[schema(value_type = f64, required = true, exclusive_minimum = 0, maximum = 999999999999999.9999, example = 1500.0)]
    amount: Option<Box<RawValue>>,
    /// ISO 4217; NGN when absent.
    #[schema(pattern = "^[A-Z]{3}$", example = "NGN")]
    currency: Option<String>,
    #[schema(max_length = 500)]
    narration: Option<String>,
    /// Where the SENDER callback goes instead of the registered webhook URL; same origin as
    /// it, or one of the application's callbackOrigins.
    callback_url: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Initiation {
    pub sender: TagAddress,
    pub receiver: TagAddress,
    pub amount: Money,
    pub currency: Currency,
    pub narration: Option<String>,
    pub callback_url: Option<WebhookUrl>,
}

fn tag(field: &str, v: Option<String>, errors: &mut Vec<String>) -> Option<TagAddress> {
    match v.filter(|s| !s.trim().is_empty()) {
        None => {
            errors.push(format!("{field} is required"));
            None
        }
        Some(s) => s
            .trim()
            .parse()
            .map_err(|e| errors.push(format!("{field}: {e}")))
            .ok(),
    }
}

pub fn parse(bytes: &[u8], urls: UrlPolicy) -> Result<Initiation, ApiError> {
    let body: InitiationBody = serde_json::from_slice(bytes)
        .map_err(|e| ApiError::validation(vec![format!("malformed JSON body: {e}")]))?;
    let mut errors = Vec::new();
    let sender = tag("senderTag", body.sender_tag, &mut errors);
    let receiver = tag("receiverTag", body.receiver_tag, &mut errors);
    let amount = amount_field(body.amount.as_deref())
        .map_err(|e| errors.push(e))
        .ok();
    let currency = match body.currency.filter(|c| !c.is_empty()) {
        None => Some(Currency::default()),
        Some(c) => Currency::parse(&c)
            .map_err(|e| errors.push(e.to_string()))
            .ok(),
    };
    let narration = body.narration.filter(|n| !n.trim().is_empty());
    if narration.as_ref().is_some_and(|n| n.chars().count() > 500) {
        errors.push("narration must be at most 500 characters".to_owned());
    }
    let callback_url = body
        .callback_url
        .filter(|u| !u.trim().is_empty())
        .and_then(|u| {
            WebhookUrl::parse(&u, urls)
                .map_err(|e| errors.push(format!("callbackUrl {e}")))
                .ok()
        });
    match (sender, receiver, amount, currency) {
        (Some(sender), Some(receiver), Some(amount), Some(currency)) if errors.is_empty() => {
            Ok(Initiation {
                sender,
                receiver,
                amount,
                currency,
                narration,
                callback_url,
            })
        }
        _ => Err(ApiError::validation(errors)),
    }
}

#[cfg(test)]
mod tests {
    use super::{Initiation, UrlPolicy};
    use idaas_api::ApiError;

    fn parse(bytes: &[u8]) -> Result<Initiation, ApiError> {
        super::parse(bytes, UrlPolicy::HttpsOnly)
    }

    #[test]
    fn amounts_are_exact_numbers_or_strings() {
        let r = parse(
            br#"{"senderTag":"alice@walletapp","receiverTag":"bob","amount":999999999999999.9999}"#,
        );
        assert_eq!(
            r.map(|i| i.amount.to_string()).ok(),
            Some("999999999999999.9999".into())
        );
        let r =
            parse(br#"{"senderTag":"alice","receiverTag":"bob","amount":"0.1","currency":"USD"}"#);
        assert_eq!(
            r.map(|i| (i.amount.to_string(), i.currency.to_string()))
                .ok(),
            Some(("0.1000".into(), "USD".into()))
        );
    }

    #[test]
    fn reports_every_field() {
        let e = parse(br#"{"senderTag":"A!","amount":0,"currency":"usd","callbackUrl":"ftp://x"}"#)
            .err();
        let errors = e.map(|e| e.errors).unwrap_or_default();
        assert_eq!(errors.len(), 5, "{errors:?}");
        assert!(parse(b"not json").is_err());
        let long = format!(
            r#"{{"senderTag":"alice","receiverTag":"bob","amount":1,"narration":"{}"}}"#,
            "n".repeat(501)
        );
        assert!(parse(long.as_bytes()).is_err());
    }
}
