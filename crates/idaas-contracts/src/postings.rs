//! `POST /internal/v1/postings` (ledger; caller: transaction).

use serde::{de::Error as _, Deserialize, Deserializer, Serialize};
use serde_json::value::RawValue;
use uuid::Uuid;

pub const PATH: &str = "/internal/v1/postings";

/// One side of a posting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Party {
    pub application_id: Uuid,
    pub application_name: String,
    pub tag: String,
}

/// Post a payment under its transaction reference (the idempotency key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostingCommand {
    pub reference: String,
    pub amount: DecimalText,
    /// ISO 4217; NGN when absent.
    #[serde(default)]
    pub currency: Option<String>,
    pub sender: Party,
    pub receiver: Party,
}

/// An amount as the exact text of a JSON number or string (written as a string), never read
/// through `f64`; the ledger parses it strictly into `Money`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct DecimalText(pub String);

impl<'de> Deserialize<'de> for DecimalText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(d)?;
        idaas_domain::decimal_json::raw_decimal_text(&raw)
            .map(DecimalText)
            .ok_or_else(|| D::Error::custom("amount must be a JSON number or a string holding one"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_keep_their_exact_text_both_ways() {
        let json = r#"{"reference":"TXN-1","amount":0.1000,"currency":"NGN",
            "sender":{"applicationId":"00000000-0000-0000-0000-000000000001","applicationName":"A","tag":"a@x"},
            "receiver":{"applicationId":"00000000-0000-0000-0000-000000000002","applicationName":"B","tag":"b@y"}}"#;
        let c: Result<PostingCommand, _> = serde_json::from_str(json);
        let c = c.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.amount, DecimalText("0.1000".into()));
        let back = serde_json::to_value(&c).unwrap_or_default();
        assert_eq!(back["amount"], "0.1000");
        assert!(serde_json::from_str::<PostingCommand>(&json.replace("0.1000", "true")).is_err());
    }
}
