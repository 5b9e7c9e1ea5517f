-- The recovery worker leases an ACCEPTING row for a while before trying it again, backing off
-- per row, so a posting that keeps failing neither loops hot nor starves newer rows, and
-- replicas never try the same row at once.
ALTER TABLE transactions ADD COLUMN recovery_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE transactions ADD COLUMN next_recovery_at TIMESTAMPTZ;
