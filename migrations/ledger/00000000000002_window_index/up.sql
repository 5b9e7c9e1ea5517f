-- Settlement asks for every entry of a day: read by time, not by wallet.
CREATE INDEX ledger_entries_by_time ON ledger_entries (created_at);
CREATE INDEX postings_by_time ON postings (created_at);
