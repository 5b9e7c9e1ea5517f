//! The two sides of a posting.

use rust_decimal::Decimal;

idaas_db::text_enum! {
    /// Matches the `entry_type` CHECK constraint of `ledger_entries`.
    pub enum EntryType {
        /// Money leaves the wallet (the sender's side).
        Debit => "DEBIT",
        /// Money enters the wallet (the receiver's side).
        Credit => "CREDIT",
    }
}

impl EntryType {
    /// The balance after this entry of `amount` on `opening`.
    pub fn closing(self, opening: Decimal, amount: Decimal) -> Decimal {
        match self {
            EntryType::Debit => opening - amount,
            EntryType::Credit => opening + amount,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_side_moves_the_balance_its_way_and_round_trips_its_text() {
        let (opening, amount) = (Decimal::new(100, 0), Decimal::new(25, 1));
        assert_eq!(
            EntryType::Debit.closing(opening, amount),
            Decimal::new(975, 1)
        );
        assert_eq!(
            EntryType::Credit.closing(opening, amount),
            Decimal::new(1025, 1)
        );
        for t in EntryType::ALL {
            assert_eq!(EntryType::parse(t.as_str()), Some(*t));
        }
        assert_eq!(EntryType::parse("debit"), None);
    }
}
