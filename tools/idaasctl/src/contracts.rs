//! Which contract each topic carries (proto/README.md), and its events decoded to JSON from the
//! descriptors compiled with them, so an operator reads what producers wrote.

use prost_reflect::{DescriptorPool, DynamicMessage, MessageDescriptor, SerializeOptions};
use serde_json::Value;

use crate::CtlError;

/// Topic name without the prefix → the message every event on it is.
pub const TOPICS: &[(&str, &str)] = &[
    ("applications", "idaas.identity.v1.ApplicationEvent"),
    ("tags", "idaas.identity.v1.TagEvent"),
    ("transactions", "idaas.transaction.v1.TransactionEvent"),
    ("webhooks", "idaas.transaction.v1.WebhookDispatch"),
    ("webhooks.dlt", "idaas.webhook.v1.WebhookDeadLetter"),
    ("ledger", "idaas.ledger.v1.LedgerPosted"),
    ("settlements", "idaas.settlement.v1.SettlementCompleted"),
];

pub struct Contracts {
    pool: DescriptorPool,
}

/// A topic as named on the command line: its short name (`webhooks.dlt`) or its full name
/// (`idaas.webhooks.dlt`), resolved against the prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topic {
    pub short: &'static str,
    pub full: String,
    message: &'static str,
}

impl Contracts {
    pub fn load() -> Result<Self, CtlError> {
        let pool = DescriptorPool::decode(idaas_proto::FILE_DESCRIPTOR_SET)
            .map_err(|e| CtlError::Contracts(e.to_string()))?;
        Ok(Self { pool })
    }

    pub fn topic(&self, name: &str, prefix: &str) -> Result<Topic, CtlError> {
        let short = name.strip_prefix(prefix).unwrap_or(name);
        TOPICS
            .iter()
            .find(|(s, _)| *s == short)
            .map(|(s, m)| Topic {
                short: s,
                full: format!("{prefix}{s}"),
                message: m,
            })
            .ok_or_else(|| {
                let known: Vec<&str> = TOPICS.iter().map(|(s, _)| *s).collect();
                CtlError::Usage(format!(
                    "unknown topic {name:?}; one of: {} (with or without the prefix {prefix:?})",
                    known.join(", ")
                ))
            })
    }

    fn descriptor(&self, topic: &Topic) -> Result<MessageDescriptor, CtlError> {
        self.pool
            .get_message_by_name(topic.message)
            .ok_or_else(|| CtlError::Contracts(format!("{} not in the contracts", topic.message)))
    }

    /// The event as JSON (proto3 JSON mapping, field names as in proto/ in camelCase, defaults
    /// written out), or `None` if the bytes are not that message.
    pub fn decode(&self, topic: &Topic, payload: &[u8]) -> Result<Option<Value>, CtlError> {
        let descriptor = self.descriptor(topic)?;
        let Ok(message) = DynamicMessage::decode(descriptor, payload) else {
            return Ok(None);
        };
        let options = SerializeOptions::new().skip_default_fields(false);
        let value = message
            .serialize_with_options(serde_json::value::Serializer, &options)
            .map_err(|e| CtlError::Contracts(e.to_string()))?;
        Ok(Some(value))
    }
}

#[cfg(test)]
mod tests {
    use idaas_proto::{transaction::v1::TransactionEvent, Message};

    use super::*;

    #[test]
    fn every_topic_names_a_message_of_the_contracts() {
        let c = Contracts::load().unwrap_or_else(|e| panic!("{e}"));
        for (short, _) in TOPICS {
            let t = c.topic(short, "idaas.").unwrap_or_else(|e| panic!("{e}"));
            assert!(c.descriptor(&t).is_ok(), "{short}");
            assert_eq!(t.full, format!("idaas.{short}"));
        }
        assert_eq!(
            c.topic("idaas.webhooks.dlt", "idaas.")
                .map(|t| t.short)
                .ok(),
            Some("webhooks.dlt")
        );
        assert!(matches!(
            c.topic("payments", "idaas."),
            Err(CtlError::Usage(_))
        ));
    }

    #[test]
    fn an_event_decodes_to_its_fields_and_garbage_to_none() {
        let c = Contracts::load().unwrap_or_else(|e| panic!("{e}"));
        let t = c
            .topic("transactions", "x.")
            .unwrap_or_else(|e| panic!("{e}"));
        let event = TransactionEvent {
            event_id: "e-1".into(),
            transaction_reference: "TXN-1".into(),
            status: "COMPLETED".into(),
            amount: "12.5000".into(),
            ..Default::default()
        };
        let json = c.decode(&t, &event.encode_to_vec()).unwrap_or_default();
        let json = json.unwrap_or_default();
        assert_eq!(json["eventId"], "e-1");
        assert_eq!(json["transactionReference"], "TXN-1");
        assert_eq!(json["amount"], "12.5000");
        // Defaults are written out, so every field of the contract is always there.
        assert_eq!(json["currency"], "");
        assert_eq!(c.decode(&t, &[0xff, 0xff, 0xff]).ok(), Some(None));
    }
}
