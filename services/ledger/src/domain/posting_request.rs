//! The internal request to post a payment (`idaas_contracts::postings::PostingCommand`), parsed
//! into values that are valid by construction.

use idaas_api::ApiError;
use idaas_contracts::postings::{Party as PartyContract, PostingCommand};
use idaas_domain::{Currency, Money};
use uuid::Uuid;

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

fn party(name: &str, p: PartyContract, errors: &mut Vec<String>) -> Party {
    if p.application_name.trim().is_empty() {
        errors.push(format!("{name}.applicationName is required"));
    }
    if p.tag.trim().is_empty() {
        errors.push(format!("{name}.tag is required"));
    }
    // Text the database would refuse (a NUL) must fail here, as a 400, not in a batch.
    for (field, text) in [("applicationName", &p.application_name), ("tag", &p.tag)] {
        if text.chars().any(char::is_control) {
            errors.push(format!(
                "{name}.{field} must not contain control characters"
            ));
        }
    }
    Party {
        application_id: p.application_id,
        application_name: p.application_name,
        tag: p.tag,
    }
}

/// Every field checked, every problem listed.
pub fn parse(cmd: PostingCommand) -> Result<PostingRequest, ApiError> {
    let mut errors = Vec::new();
    let reference_ok = !cmd.reference.is_empty()
        && cmd.reference.len() <= 64
        && cmd.reference.bytes().all(|b| b.is_ascii_graphic());
    if !reference_ok {
        errors.push("reference must be 1-64 printable ASCII characters".to_owned());
    }
    let amount = Money::parse(&cmd.amount.0)
        .map_err(|e| errors.push(e.to_string()))
        .ok();
    let currency = match cmd.currency {
        Some(c) => Currency::parse(&c)
            .map_err(|e| errors.push(e.to_string()))
            .ok(),
        None => Some(Currency::default()),
    };
    let sender = party("sender", cmd.sender, &mut errors);
    let receiver = party("receiver", cmd.receiver, &mut errors);
    match (amount, currency) {
        (Some(amount), Some(currency)) if errors.is_empty() => Ok(PostingRequest {
            reference: cmd.reference,
            amount,
            currency,
            sender,
            receiver,
        }),
        _ => Err(ApiError::validation(errors)),
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

    fn command(json: &str) -> PostingCommand {
        serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}"))
    }

    const PARTIES: &str = r#""sender": {"applicationId": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "applicationName": "WalletApp", "tag": "alice@walletapp"},
        "receiver": {"applicationId": "7a9b1c2d-5717-4562-b3fc-2c963f66afa6", "applicationName": "ShopApp", "tag": "bob@shopapp"}"#;

    #[test]
    fn parses_exact_amounts_and_describes() {
        let r = parse(command(&format!(
            r#"{{"reference": "TXN-1", "amount": 1500.00, "currency": "NGN", {PARTIES}}}"#
        )))
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.amount.to_string(), "1500.0000");
        assert_eq!(
            describe("Credit", &r),
            "Credit from alice (WalletApp) to bob (ShopApp) — NGN 1500.0000"
        );
        let s = parse(command(&format!(
            r#"{{"reference": "TXN-2", "amount": "0.1", {PARTIES}}}"#
        )));
        assert_eq!(
            s.map(|r| (r.amount.to_string(), r.currency.to_string()))
                .ok(),
            Some(("0.1000".into(), "NGN".into()))
        );
    }

    #[test]
    fn lists_every_problem() {
        let parties = PARTIES.replace("WalletApp", " ").replace("bob@shopapp", "");
        let e = parse(command(&format!(
            r#"{{"reference": "", "amount": -1, "currency": "XXX", {parties}}}"#
        )))
        .err();
        let errors = e.map(|e| e.errors).unwrap_or_default();
        assert_eq!(errors.len(), 5, "{errors:?}");
    }

    #[test]
    fn text_the_database_would_refuse_is_a_400_here() {
        let parties = PARTIES.replace("WalletApp", "Wallet\\u0000App");
        let errors = parse(command(&format!(
            r#"{{"reference": "TXN-3", "amount": 1, {parties}}}"#
        )))
        .err()
        .map(|e| e.errors)
        .unwrap_or_default();
        assert_eq!(
            errors,
            ["sender.applicationName must not contain control characters"]
        );
    }
}
