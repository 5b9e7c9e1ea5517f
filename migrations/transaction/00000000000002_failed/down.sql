DROP INDEX transactions_failed;
ALTER TABLE transactions DROP COLUMN failed_at;
ALTER TABLE transactions DROP COLUMN failure_reason;
ALTER TABLE transactions DROP CONSTRAINT transactions_status_check;
ALTER TABLE transactions ADD CONSTRAINT transactions_status_check CHECK (status IN
    ('AWAITING_ACCEPTANCE', 'ACCEPTING', 'COMPLETED', 'REJECTED', 'EXPIRED'));
