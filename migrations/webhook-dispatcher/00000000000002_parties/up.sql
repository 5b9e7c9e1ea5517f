-- Both parties of the payment, so either can read the delivery records of its transaction.
-- Rows recorded before this (none outside development) stay visible to their target only.
ALTER TABLE deliveries
    ADD COLUMN sender_application_id   UUID,
    ADD COLUMN receiver_application_id UUID;

CREATE INDEX deliveries_by_party ON deliveries (transaction_reference, sender_application_id, receiver_application_id);
