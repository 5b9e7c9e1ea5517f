DROP INDEX IF EXISTS postings_by_time;
DROP INDEX IF EXISTS ledger_entries_by_time;
