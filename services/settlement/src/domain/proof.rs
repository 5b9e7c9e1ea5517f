//! A batch from settlement's own view of a window, and its proof against the ledger's. A batch
//! completes only when both agree wallet by wallet (credits, debits, number of entries, the
//! balance before the first entry and after the last) and in the number of postings, and its
//! own arithmetic holds: Σ net = 0, closing = opening + net for every application.

use std::collections::BTreeMap;

use idaas_contracts::ledger_window::{WalletWindow, WindowTotals};
use rust_decimal::Decimal;
use uuid::Uuid;

/// One wallet's movements in the window, as settlement's own view has them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalletDay {
    pub wallet_id: Uuid,
    pub application_id: Uuid,
    pub application_name: String,
    pub total_credited: Decimal,
    pub total_debited: Decimal,
    pub entries: i64,
    /// Postings this wallet took part in (a payment between two tags of one application is one).
    pub postings: i64,
    pub opening_balance: Decimal,
    pub closing_balance: Decimal,
}

/// One application's line of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    pub application_id: Uuid,
    pub application_name: String,
    pub total_credited: Decimal,
    pub total_debited: Decimal,
    pub net_amount: Decimal,
    pub opening_balance: Decimal,
    pub closing_balance: Decimal,
    pub transaction_count: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settled {
    pub total_credited: Decimal,
    pub total_debited: Decimal,
    pub transaction_count: i64,
    pub positions: Vec<Position>,
}

/// Why a batch may not complete; its text becomes the batch's `errorMessage`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Disagreement(pub String);

/// At most this many differences are named in the error message.
const NAMED: usize = 5;

/// The batch for `currency`, if settlement's view and the ledger's agree.
pub fn prove(
    currency: &str,
    own: &[WalletDay],
    own_postings: i64,
    ledger: &WindowTotals,
) -> Result<Settled, Disagreement> {
    let ledger_postings = ledger
        .postings
        .iter()
        .find(|p| p.currency == currency)
        .map_or(0, |p| p.postings);
    let theirs: BTreeMap<Uuid, &WalletWindow> = ledger
        .wallets
        .iter()
        .filter(|w| w.currency == currency)
        .map(|w| (w.wallet_id, w))
        .collect();
    let mine: BTreeMap<Uuid, &WalletDay> = own.iter().map(|w| (w.wallet_id, w)).collect();

    let mut differences = Vec::new();
    if own_postings != ledger_postings {
        differences.push(format!(
            "{own_postings} postings here, {ledger_postings} in the ledger"
        ));
    }
    for (id, w) in &theirs {
        match mine.get(id) {
            None => differences.push(format!("wallet {id} has {} entries in the ledger, none here", w.entries)),
            Some(m) if !same(m, w) => differences.push(format!(
                "wallet {id}: credited {}/{}, debited {}/{}, entries {}/{}, opening {}/{}, closing {}/{} (here/ledger)",
                m.total_credited, w.total_credited, m.total_debited, w.total_debited,
                m.entries, w.entries, m.opening_balance, w.opening_balance,
                m.closing_balance, w.closing_balance
            )),
            Some(_) => {}
        }
    }
    for id in mine.keys().filter(|id| !theirs.contains_key(id)) {
        differences.push(format!("wallet {id} has entries here the ledger does not"));
    }
    if !differences.is_empty() {
        let more = differences.len().saturating_sub(NAMED);
        let mut text = format!(
            "does not reconcile with the ledger: {}",
            differences
                .iter()
                .take(NAMED)
                .cloned()
                .collect::<Vec<_>>()
                .join("; ")
        );
        if more > 0 {
            text.push_str(&format!("; and {more} more"));
        }
        return Err(Disagreement(text));
    }
    let settled = aggregate(own, own_postings);
    check_arithmetic(&settled)?;
    Ok(settled)
}

fn same(m: &WalletDay, w: &WalletWindow) -> bool {
    m.application_id == w.application_id
        && m.total_credited == w.total_credited
        && m.total_debited == w.total_debited
        && m.entries == w.entries
        && m.opening_balance == w.opening_balance
        && m.closing_balance == w.closing_balance
}

/// Wallets to applications (one wallet per application and currency; summed if ever more).
fn aggregate(own: &[WalletDay], postings: i64) -> Settled {
    let mut by_app: BTreeMap<Uuid, Position> = BTreeMap::new();
    for w in own {
        let p = by_app.entry(w.application_id).or_insert_with(|| Position {
            application_id: w.application_id,
            application_name: w.application_name.clone(),
            total_credited: Decimal::ZERO,
            total_debited: Decimal::ZERO,
            net_amount: Decimal::ZERO,
            opening_balance: Decimal::ZERO,
            closing_balance: Decimal::ZERO,
            transaction_count: 0,
        });
        p.total_credited += w.total_credited;
        p.total_debited += w.total_debited;
        p.net_amount += w.total_credited - w.total_debited;
        p.opening_balance += w.opening_balance;
        p.closing_balance += w.closing_balance;
        p.transaction_count += w.postings;
    }
    let positions: Vec<Position> = by_app.into_values().collect();
    Settled {
        total_credited: positions.iter().map(|p| p.total_credited).sum(),
        total_debited: positions.iter().map(|p| p.total_debited).sum(),
        transaction_count: postings,
        positions,
    }
}

fn check_arithmetic(s: &Settled) -> Result<(), Disagreement> {
    let net: Decimal = s.positions.iter().map(|p| p.net_amount).sum();
    if !net.is_zero() || s.total_credited != s.total_debited {
        return Err(Disagreement(format!(
            "net positions sum to {net}, credits {} and debits {}",
            s.total_credited, s.total_debited
        )));
    }
    if let Some(p) = s
        .positions
        .iter()
        .find(|p| p.closing_balance != p.opening_balance + p.net_amount)
    {
        return Err(Disagreement(format!(
            "application {}: closing {} is not opening {} + net {}",
            p.application_id, p.closing_balance, p.opening_balance, p.net_amount
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use idaas_contracts::ledger_window::CurrencyPostings;

    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn wallet(app: u128, credited: &str, debited: &str, opening: &str) -> WalletDay {
        let (c, db, o) = (d(credited), d(debited), d(opening));
        WalletDay {
            wallet_id: Uuid::from_u128(app + 1000),
            application_id: Uuid::from_u128(app),
            application_name: format!("App {app}"),
            total_credited: c,
            total_debited: db,
            entries: 1,
            postings: 1,
            opening_balance: o,
            closing_balance: o + c - db,
        }
    }

    fn ledger_of(own: &[WalletDay], postings: i64) -> WindowTotals {
        WindowTotals {
            postings: vec![CurrencyPostings {
                currency: "NGN".into(),
                postings,
            }],
            wallets: own
                .iter()
                .map(|w| WalletWindow {
                    wallet_id: w.wallet_id,
                    application_id: w.application_id,
                    currency: "NGN".into(),
                    total_credited: w.total_credited,
                    total_debited: w.total_debited,
                    entries: w.entries,
                    opening_balance: w.opening_balance,
                    closing_balance: w.closing_balance,
                })
                .collect(),
        }
    }

    #[test]
    fn agreeing_views_settle_with_nets_summing_to_zero() {
        let own = vec![
            wallet(1, "0", "1500.0000", "45000"),
            wallet(2, "1500.0000", "0", "-45000"),
        ];
        let s = prove("NGN", &own, 1, &ledger_of(&own, 1)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.total_credited, d("1500"));
        assert_eq!(
            s.positions.iter().map(|p| p.net_amount).sum::<Decimal>(),
            Decimal::ZERO
        );
        let payee = &s.positions[1];
        assert_eq!(
            payee.closing_balance,
            payee.opening_balance + payee.net_amount
        );
    }

    #[test]
    fn a_missing_event_is_a_disagreement_not_a_batch() {
        let all = vec![wallet(1, "0", "10", "0"), wallet(2, "10", "0", "0")];
        let ledger = ledger_of(&all, 1);
        let err = prove("NGN", &[], 0, &ledger)
            .err()
            .map(|e| e.0)
            .unwrap_or_default();
        assert!(err.contains("0 postings here, 1 in the ledger"), "{err}");
        assert!(err.contains("none here"), "{err}");
    }

    #[test]
    fn a_different_amount_is_named() {
        let own = vec![wallet(1, "0", "10", "0"), wallet(2, "10", "0", "0")];
        let mut ledger = ledger_of(&own, 1);
        ledger.wallets[1].total_credited = d("12");
        let err = prove("NGN", &own, 1, &ledger)
            .err()
            .map(|e| e.0)
            .unwrap_or_default();
        assert!(err.contains("credited 10/12"), "{err}");
    }

    #[test]
    fn other_currencies_of_the_ledger_do_not_count() {
        let own = vec![wallet(1, "0", "10", "0"), wallet(2, "10", "0", "0")];
        let mut ledger = ledger_of(&own, 1);
        ledger.postings.push(CurrencyPostings {
            currency: "USD".into(),
            postings: 4,
        });
        assert!(prove("NGN", &own, 1, &ledger).is_ok());
    }

    #[test]
    fn broken_arithmetic_never_settles() {
        // Both views agree on a wallet whose balances do not add up: still refused.
        let mut own = vec![wallet(1, "0", "10", "0"), wallet(2, "10", "0", "0")];
        own[1].closing_balance = d("11");
        let err = prove("NGN", &own, 1, &ledger_of(&own, 1))
            .err()
            .map(|e| e.0)
            .unwrap_or_default();
        assert!(err.contains("is not opening"), "{err}");
    }
}
