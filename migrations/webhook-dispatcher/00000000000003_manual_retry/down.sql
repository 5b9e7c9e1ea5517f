ALTER TABLE deliveries
    DROP COLUMN manual_requested_at,
    DROP COLUMN manual_requested_by,
    DROP COLUMN manual_pending;
