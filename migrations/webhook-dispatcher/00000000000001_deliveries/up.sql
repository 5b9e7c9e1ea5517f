-- One row per WebhookDispatch event (its event id is unique: a re-read of the topic never
-- makes a second delivery). Attempts are claimed by leasing next_attempt_at, so replicas never
-- attempt the same delivery at once and a crash mid-attempt only delays it.
CREATE TABLE deliveries (
    id                    UUID PRIMARY KEY,
    event_id              TEXT NOT NULL UNIQUE,
    transaction_reference TEXT NOT NULL,
    application_id        UUID NOT NULL,
    direction             TEXT NOT NULL CHECK (direction IN ('RECEIVER', 'SENDER')),
    event_type            TEXT NOT NULL,
    target_url            TEXT,
    payload               TEXT NOT NULL,
    status                TEXT NOT NULL CHECK (status IN ('PENDING', 'DELIVERED', 'FAILED')),
    attempts              INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error            TEXT,
    last_attempt_at       TIMESTAMPTZ,
    delivered_at          TIMESTAMPTZ,
    next_attempt_at       TIMESTAMPTZ,
    traceparent           TEXT,
    -- [{number, at, status, error}], oldest first: what the dead letter carries.
    history               JSONB NOT NULL DEFAULT '[]',
    created_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK ((status = 'DELIVERED') = (delivered_at IS NOT NULL))
);

CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'PENDING';
CREATE INDEX deliveries_reference ON deliveries (transaction_reference);
CREATE INDEX deliveries_failed ON deliveries (application_id, created_at DESC) WHERE status = 'FAILED';
