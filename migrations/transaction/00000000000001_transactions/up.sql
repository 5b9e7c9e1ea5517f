CREATE TABLE transactions (
    id                    UUID PRIMARY KEY,
    reference             TEXT NOT NULL,
    sender_app_id         UUID NOT NULL,
    sender_app_name       TEXT NOT NULL,
    sender_tag            TEXT NOT NULL,
    receiver_app_id       UUID NOT NULL,
    receiver_app_name     TEXT NOT NULL,
    receiver_tag          TEXT NOT NULL,
    amount                NUMERIC(19,4) NOT NULL CHECK (amount > 0),
    currency              CHAR(3) NOT NULL,
    narration             TEXT,
    callback_url          TEXT,
    -- Where each side is notified, fixed when the payment is initiated.
    sender_notify_url     TEXT,
    receiver_notify_url   TEXT,
    status                TEXT NOT NULL CHECK (status IN
                            ('AWAITING_ACCEPTANCE', 'ACCEPTING', 'COMPLETED', 'REJECTED', 'EXPIRED')),
    rejection_reason      TEXT,
    expires_at            TIMESTAMPTZ NOT NULL,
    accepted_at           TIMESTAMPTZ,
    completed_at          TIMESTAMPTZ,
    rejected_at           TIMESTAMPTZ,
    expired_at            TIMESTAMPTZ,
    created_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT transactions_reference_key UNIQUE (reference)
);

CREATE INDEX transactions_sent ON transactions (sender_app_id, created_at DESC, id);
CREATE INDEX transactions_received ON transactions (receiver_app_id, created_at DESC, id);
CREATE INDEX transactions_overdue ON transactions (expires_at) WHERE status = 'AWAITING_ACCEPTANCE';
CREATE INDEX transactions_accepting ON transactions (accepted_at) WHERE status = 'ACCEPTING';

-- Idempotency keys, scoped to (application, operation), written in the same database
-- transaction as the change they guard; failures are never stored.
CREATE TABLE idempotency_keys (
    application_id   UUID NOT NULL,
    operation        TEXT NOT NULL,
    idempotency_key  TEXT NOT NULL,
    request_hash     TEXT NOT NULL,
    -- The transaction the request acted on, so the recovery worker can finish its answer.
    reference        TEXT,
    status           TEXT NOT NULL CHECK (status IN ('IN_PROGRESS', 'COMPLETED')),
    response_status  INTEGER,
    response_body    TEXT,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (application_id, operation, idempotency_key)
);

CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);
CREATE INDEX idempotency_keys_reference ON idempotency_keys (reference) WHERE status = 'IN_PROGRESS';
