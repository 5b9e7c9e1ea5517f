-- A payment whose posting the ledger refused ends FAILED with the reason, instead of staying
-- ACCEPTING forever (trust-boundaries issue).
ALTER TABLE transactions DROP CONSTRAINT transactions_status_check;
ALTER TABLE transactions ADD CONSTRAINT transactions_status_check CHECK (status IN
    ('AWAITING_ACCEPTANCE', 'ACCEPTING', 'COMPLETED', 'REJECTED', 'EXPIRED', 'FAILED'));
ALTER TABLE transactions ADD COLUMN failure_reason TEXT;
ALTER TABLE transactions ADD COLUMN failed_at TIMESTAMPTZ;
CREATE INDEX transactions_failed ON transactions (failed_at) WHERE status = 'FAILED';
