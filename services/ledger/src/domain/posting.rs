//! What a posting is made of: its DEBIT and CREDIT booked on locked wallets with exact running
//! balances, its `LedgerPosted` event, and how a reference posted before is told apart (the
//! same fields: a replay; others: a conflict). `batch` is the one code path that writes them.

use idaas_api::{ApiError, ErrorCode};
use idaas_kafka::OutboxMessage;
use idaas_proto::{
    ledger::v1::{LedgerEntry, LedgerPosted},
    Message,
};
use idaas_service::ServiceError;
use rust_decimal::Decimal;
use uuid::Uuid;

use super::{
    posting_request::{describe, PostingRequest},
    EntryType,
};
use crate::store::{entries::EntryRow, postings::PostingRow, wallets::WalletRow};

pub struct Applied {
    pub posting: PostingRow,
    pub entries: Vec<EntryRow>,
    /// The reference had already been posted with the same fields; nothing moved this time.
    pub replayed: bool,
}

/// Moves `amount` on a locked wallet and returns `(sequence, opening, closing)`.
fn book(w: &mut WalletRow, entry_type: EntryType, amount: Decimal) -> (i64, Decimal, Decimal) {
    let opening = w.balance;
    match entry_type {
        EntryType::Debit => w.total_debited += amount,
        EntryType::Credit => w.total_credited += amount,
    }
    let closing = entry_type.closing(opening, amount);
    w.balance = closing;
    w.entry_count += 1;
    (w.entry_count, opening, closing)
}

/// The posting's DEBIT and CREDIT, booked on its wallets (locked, in memory) in that order.
pub fn book_entries(
    locked: &mut [WalletRow],
    req: &PostingRequest,
    posting: &PostingRow,
) -> Result<Vec<EntryRow>, diesel::result::Error> {
    let mut rows = Vec::with_capacity(2);
    for (wallet_id, entry_type) in [
        (posting.sender_wallet_id, EntryType::Debit),
        (posting.receiver_wallet_id, EntryType::Credit),
    ] {
        let w = locked
            .iter_mut()
            .find(|w| w.id == wallet_id)
            .ok_or(diesel::result::Error::NotFound)?;
        let (sequence, opening_balance, closing_balance) = book(w, entry_type, posting.amount);
        rows.push(EntryRow {
            id: Uuid::now_v7(),
            posting_id: posting.id,
            wallet_id,
            sequence,
            transaction_reference: req.reference.clone(),
            entry_type,
            amount: posting.amount,
            currency: posting.currency.clone(),
            opening_balance,
            closing_balance,
            description: describe(
                match entry_type {
                    EntryType::Debit => "Debit",
                    EntryType::Credit => "Credit",
                },
                req,
            ),
            created_at: posting.created_at,
        });
    }
    Ok(rows)
}

/// Whether an already posted reference carries the same fields (a replay) or not (a conflict).
pub fn same_posting(existing: &PostingRow, new: &PostingRow) -> bool {
    existing.sender_wallet_id == new.sender_wallet_id
        && existing.receiver_wallet_id == new.receiver_wallet_id
        && existing.amount == new.amount
        && existing.currency == new.currency
}

/// The answer to a reference posted before with other fields.
pub fn reference_conflict() -> ServiceError {
    ServiceError::Api(
        ApiError::new(ErrorCode::IdempotencyConflict)
            .with_message("This reference was already posted with different fields"),
    )
}

pub fn event(
    topic: String,
    req: &PostingRequest,
    posting: &PostingRow,
    entries: &[EntryRow],
) -> OutboxMessage {
    let event_id = Uuid::now_v7();
    // A posting debits the sender's wallet and credits the receiver's, never otherwise.
    let party_of = |entry_type: EntryType| match entry_type {
        EntryType::Debit => &req.sender,
        EntryType::Credit => &req.receiver,
    };
    let msg = LedgerPosted {
        event_id: event_id.to_string(),
        posting_id: posting.id.to_string(),
        transaction_reference: posting.transaction_reference.clone(),
        currency: req.currency.to_string(),
        amount: req.amount.to_string(),
        occurred_at: posting.created_at.to_rfc3339(),
        entries: entries
            .iter()
            .map(|e| LedgerEntry {
                entry_id: e.id.to_string(),
                wallet_id: e.wallet_id.to_string(),
                application_id: party_of(e.entry_type).application_id.to_string(),
                application_name: party_of(e.entry_type).application_name.clone(),
                entry_type: e.entry_type.as_str().to_owned(),
                amount: format!("{:.4}", e.amount),
                opening_balance: format!("{:.4}", e.opening_balance),
                closing_balance: format!("{:.4}", e.closing_balance),
                sequence: e.sequence,
            })
            .collect(),
    };
    OutboxMessage::new(
        event_id,
        topic,
        posting.transaction_reference.clone(),
        "LedgerPosted",
        msg.encode_to_vec(),
    )
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;

    fn wallet() -> WalletRow {
        WalletRow {
            id: Uuid::nil(),
            application_id: Uuid::nil(),
            application_name: "A".into(),
            currency: "NGN".into(),
            balance: Decimal::ZERO,
            total_credited: Decimal::ZERO,
            total_debited: Decimal::ZERO,
            entry_count: 0,
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn booking_keeps_running_balances_exact() {
        let mut w = wallet();
        let tenth = Decimal::new(1, 1);
        for _ in 0..3 {
            book(&mut w, EntryType::Credit, tenth);
        }
        assert_eq!(w.balance, Decimal::new(3, 1));
        let (seq, opening, closing) = book(&mut w, EntryType::Debit, Decimal::new(5, 1));
        assert_eq!(
            (seq, opening, closing),
            (4, Decimal::new(3, 1), Decimal::new(-2, 1))
        );
        assert_eq!(w.balance, w.total_credited - w.total_debited);
    }
}
