-- Idempotency-Key on identity's mutating POSTs, scoped to (caller, operation): the caller is
-- the application, or 'registration' for the unauthenticated registration. The key itself is
-- not stored (only its SHA-256); the answer is, sealed under the at-rest key, because some
-- answers carry secrets shown only once. Rows live 24 h.
CREATE TABLE idempotency_keys (
    scope           TEXT NOT NULL,
    operation       TEXT NOT NULL,
    key_hash        TEXT NOT NULL,
    request_hash    TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('IN_PROGRESS', 'COMPLETED')),
    response_status INTEGER,
    response_sealed TEXT,
    created_at      TIMESTAMPTZ NOT NULL,
    expires_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (scope, operation, key_hash),
    CHECK (status = 'IN_PROGRESS' OR (response_status IS NOT NULL AND response_sealed IS NOT NULL))
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);
