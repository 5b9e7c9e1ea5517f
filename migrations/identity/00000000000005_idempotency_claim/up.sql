-- Which request holds a key: a request that outlived its claim (taken over after 60 s) must
-- neither record its answer under the new request nor release the new request's key.
ALTER TABLE idempotency_keys ADD COLUMN claim_token UUID;
