-- A manual retry asked by the application a delivery is for: one attempt, then the record
-- ends DELIVERED or FAILED again; who asked and when are kept.
ALTER TABLE deliveries
    ADD COLUMN manual_requested_at TIMESTAMPTZ,
    ADD COLUMN manual_requested_by UUID,
    ADD COLUMN manual_pending      BOOLEAN NOT NULL DEFAULT false;
