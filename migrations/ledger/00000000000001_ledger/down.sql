DROP TABLE ledger_entries;
DROP TABLE postings;
DROP TABLE wallets;
DROP FUNCTION ledger_refuse_change();
