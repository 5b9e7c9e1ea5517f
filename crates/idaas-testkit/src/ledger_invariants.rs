//! TigerBeetle-style invariants of the ledger's database, each a query counting violations
//! (`n`) that must be zero. Checked after every ledger test and after the attack suite.

pub const LEDGER_INVARIANTS: &[(&str, &str)] = &[
        ("Σ balances per currency = 0",
         "SELECT count(*) AS n FROM (SELECT currency FROM wallets GROUP BY currency HAVING sum(balance) <> 0) x"),
        ("balance = credited − debited",
         "SELECT count(*) AS n FROM wallets WHERE balance <> total_credited - total_debited"),
        ("every posting has exactly one DEBIT and one CREDIT",
         "SELECT count(*) AS n FROM postings p WHERE (SELECT count(*) FROM ledger_entries e WHERE e.posting_id = p.id) <> 2
             OR NOT EXISTS (SELECT 1 FROM ledger_entries e WHERE e.posting_id = p.id AND e.entry_type = 'DEBIT' AND e.wallet_id = p.sender_wallet_id)
             OR NOT EXISTS (SELECT 1 FROM ledger_entries e WHERE e.posting_id = p.id AND e.entry_type = 'CREDIT' AND e.wallet_id = p.receiver_wallet_id)"),
        ("opening balance = previous closing balance",
         "SELECT count(*) AS n FROM (SELECT opening_balance, lag(closing_balance, 1, 0::numeric) OVER (PARTITION BY wallet_id ORDER BY sequence) AS prev FROM ledger_entries) x WHERE opening_balance <> prev"),
        ("sequences are 1..n without gaps",
         "SELECT count(*) AS n FROM wallets w WHERE w.entry_count <> (SELECT count(*) FROM ledger_entries e WHERE e.wallet_id = w.id)
             OR w.entry_count <> COALESCE((SELECT max(sequence) FROM ledger_entries e WHERE e.wallet_id = w.id), 0)"),
        ("wallet balance = last closing balance",
         "SELECT count(*) AS n FROM wallets w WHERE w.entry_count > 0 AND w.balance <> (SELECT closing_balance FROM ledger_entries e WHERE e.wallet_id = w.id ORDER BY sequence DESC LIMIT 1)"),
];
