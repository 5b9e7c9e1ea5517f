-- Settlement's own view of the ledger, built from its LedgerPosted events: one row per entry
-- (each posting has a DEBIT and a CREDIT), keyed by the ledger's entry id so a re-read event
-- adds nothing.
CREATE TABLE posted_entries (
    entry_id              UUID PRIMARY KEY,
    posting_id            UUID NOT NULL,
    transaction_reference TEXT NOT NULL,
    wallet_id             UUID NOT NULL,
    application_id        UUID NOT NULL,
    application_name      TEXT NOT NULL,
    currency              CHAR(3) NOT NULL,
    entry_type            TEXT NOT NULL CHECK (entry_type IN ('DEBIT', 'CREDIT')),
    amount                NUMERIC(19, 4) NOT NULL CHECK (amount > 0),
    opening_balance       NUMERIC(19, 4) NOT NULL,
    closing_balance       NUMERIC(19, 4) NOT NULL,
    sequence              BIGINT NOT NULL,
    -- The posting's own time, which decides its day; never when the event arrived.
    occurred_at           TIMESTAMPTZ NOT NULL,
    received_at           TIMESTAMPTZ NOT NULL
);
CREATE INDEX posted_entries_by_day ON posted_entries (currency, occurred_at);

-- One batch per settlement date and currency.
CREATE TABLE batches (
    id                UUID PRIMARY KEY,
    settlement_date   DATE NOT NULL,
    currency          CHAR(3) NOT NULL,
    window_start      TIMESTAMPTZ NOT NULL,
    window_end        TIMESTAMPTZ NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('PENDING', 'COMPLETED', 'FAILED')),
    total_credited    NUMERIC(19, 4) NOT NULL DEFAULT 0,
    total_debited     NUMERIC(19, 4) NOT NULL DEFAULT 0,
    transaction_count BIGINT NOT NULL DEFAULT 0,
    application_count INTEGER NOT NULL DEFAULT 0,
    error_message     TEXT,
    attempts          INTEGER NOT NULL DEFAULT 0,
    -- Who runs it now: one replica at a time, until this passes (a crashed run is taken over).
    claimed_until     TIMESTAMPTZ,
    -- A FAILED batch is tried again from then on.
    retry_at          TIMESTAMPTZ,
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL,
    completed_at      TIMESTAMPTZ,
    UNIQUE (settlement_date, currency)
);
CREATE INDEX batches_newest ON batches (settlement_date DESC, currency);

CREATE TABLE batch_entries (
    batch_id          UUID NOT NULL REFERENCES batches (id) ON DELETE CASCADE,
    application_id    UUID NOT NULL,
    application_name  TEXT NOT NULL,
    total_credited    NUMERIC(19, 4) NOT NULL,
    total_debited     NUMERIC(19, 4) NOT NULL,
    net_amount        NUMERIC(19, 4) NOT NULL,
    opening_balance   NUMERIC(19, 4) NOT NULL,
    closing_balance   NUMERIC(19, 4) NOT NULL,
    transaction_count BIGINT NOT NULL,
    PRIMARY KEY (batch_id, application_id)
);
