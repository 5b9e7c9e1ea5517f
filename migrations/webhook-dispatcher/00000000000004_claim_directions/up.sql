-- Claim webhooks (section 18) travel the same way as a transaction's: TAG_OWNER is
-- CLAIM_REQUESTED to the application holding the tag, CLAIMANT the outcome to the requesting
-- application. Their transaction_reference is the claim id.
ALTER TABLE deliveries DROP CONSTRAINT deliveries_direction_check;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_direction_check
    CHECK (direction IN ('RECEIVER', 'SENDER', 'TAG_OWNER', 'CLAIMANT'));
