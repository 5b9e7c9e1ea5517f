//! The internal request to post a payment, parsed into values that are valid by construction.

use idaas_api::ApiError;
use idaas_domain::{decimal_json::amount_field, Currency, Money};
use serde::Deserialize;
use serde_json::value::RawValue;
use uuid::Uuid;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartyBody {
    pub application_id: Option<Uuid>,
    pub application_name: Option<String>,
    pub tag: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostingBody {
    pub reference: Option<String>,
    pub amount: Option<Box<RawValue>>,
    pub currency: Option<String>,
    pub sender: Option<PartyBody>,
    pub receiver: Option<PartyBody>,
}

#[derive(Debug, Clone)]
pub struct Party {
    pub application_id: Uuid,
    pub application_name: String,
    pub tag: String,
}

#[derive(Debug, Clone)]
pub struct PostingRequest {
    pub reference: String,
    pub amount: Money,
    pub currency: Currency,
    pub sender: Party,
    pub receiver: Party,
}

fn party(name: &str, p: Option<PartyBody>, errors: &mut Vec<String>) -> Option<Party> {
    let Some(p) = p else {
        errors.push(format!("{name} is required"));
        return None;
    };
    let id = p.application_id;
    let app_name = p.application_name.filter(|n| !n.trim().is_empty());
    let tag = p.tag.filter(|t| !t.trim().is_empty());
    if id.is_none() {
        errors.push(format!("{name}.applicationId is required"));
    }
    if app_name.is_none() {
        errors.push(format!("{name}.applicationName is required"));
    }
    if tag.is_none() {
        errors.push(format!("{name}.tag is required"));
    }
    Some(Party {
        application_id: id?,
        application_name: app_name?,
        tag: tag?,
    })
}

impl PostingBody {
    pub fn parse(self) -> Result<PostingRequest, ApiError> {
        let mut errors = Vec::new();
        let reference = self
            .reference
            .filter(|r| !r.is_empty() && r.len() <= 64 && r.bytes().all(|b| b.is_ascii_graphic()));
        if reference.is_none() {
            errors.push("reference must be 1-64 printable ASCII characters".to_owned());
        }
        let amount = amount_field(self.amount.as_deref())
            .map_err(|e| errors.push(e))
            .ok();
        let currency = match self.currency {
            Some(c) => Currency::parse(&c)
                .map_err(|e| errors.push(e.to_string()))
                .ok(),
            None => Some(Currency::default()),
        };
        let sender = party("sender", self.sender, &mut errors);
        let receiver = party("receiver", self.receiver, &mut errors);
        match (reference, amount, currency, sender, receiver) {
            (Some(reference), Some(amount), Some(currency), Some(sender), Some(receiver))
                if errors.is_empty() =>
            {
                Ok(PostingRequest {
                    reference,
                    amount,
                    currency,
                    sender,
                    receiver,
                })
            }
            _ => Err(ApiError::validation(errors)),
        }
    }
}

/// `Credit from alice (WalletApp) to bob (ShopApp) — NGN 1500.0000`, as in the guide.
pub fn describe(kind: &str, req: &PostingRequest) -> String {
    let local = |tag: &str| tag.split('@').next().unwrap_or(tag).to_owned();
    format!(
        "{kind} from {} ({}) to {} ({}) — {} {}",
        local(&req.sender.tag),
        req.sender.application_name,
        local(&req.receiver.tag),
        req.receiver.application_name,
        req.currency,
        req.amount
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(json: &str) -> PostingBody {
        serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}"))
    }

    const PARTIES: &str = r#""sender": {"applicationId": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "applicationName": "WalletApp", "tag": "alice@walletapp"},
        "receiver": {"applicationId": "7a9b1c2d-5717-4562-b3fc-2c963f66afa6", "applicationName": "ShopApp", "tag": "bob@shopapp"}"#;

    #[test]
    fn parses_exact_amounts_and_describes() {
        let r = body(&format!(
            r#"{{"reference": "TXN-1", "amount": 1500.00, "currency": "NGN", {PARTIES}}}"#
        ))
        .parse()
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.amount.to_string(), "1500.0000");
        assert_eq!(
            describe("Credit", &r),
            "Credit from alice (WalletApp) to bob (ShopApp) — NGN 1500.0000"
        );
        let s = body(&format!(
            r#"{{"reference": "TXN-2", "amount": "0.1", {PARTIES}}}"#
        ))
        .parse();
        assert_eq!(
            s.map(|r| (r.amount.to_string(), r.currency.to_string()))
                .ok(),
            Some(("0.1000".into(), "NGN".into()))
        );
    }

    #[test]
    fn lists_every_problem() {
        let e = body(r#"{"amount": -1, "currency": "XXX", "sender": {}}"#)
            .parse()
            .err();
        let errors = e.map(|e| e.errors).unwrap_or_default();
        assert!(errors.len() >= 6, "{errors:?}");
    }
}
