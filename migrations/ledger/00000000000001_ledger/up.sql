-- One wallet per application per currency. Amounts are NUMERIC(19,4) (15+4 digits); running
-- totals are sums of many amounts, so they get NUMERIC(28,4) to never overflow first.
CREATE TABLE wallets (
    id                UUID PRIMARY KEY,
    application_id    UUID NOT NULL,
    application_name  TEXT NOT NULL,
    currency          CHAR(3) NOT NULL,
    balance           NUMERIC(28,4) NOT NULL DEFAULT 0,
    total_credited    NUMERIC(28,4) NOT NULL DEFAULT 0,
    total_debited     NUMERIC(28,4) NOT NULL DEFAULT 0,
    -- Number of entries on this wallet; the next entry's sequence is entry_count + 1.
    entry_count       BIGINT NOT NULL DEFAULT 0,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT wallets_application_currency_key UNIQUE (application_id, currency),
    CONSTRAINT wallets_balance_is_net CHECK (balance = total_credited - total_debited),
    CONSTRAINT wallets_totals_non_negative CHECK (total_credited >= 0 AND total_debited >= 0)
);

-- A posting moves one amount from one wallet to another; its reference is the idempotency key.
CREATE TABLE postings (
    id                     UUID PRIMARY KEY,
    transaction_reference  TEXT NOT NULL,
    sender_wallet_id       UUID NOT NULL REFERENCES wallets (id),
    receiver_wallet_id     UUID NOT NULL REFERENCES wallets (id),
    amount                 NUMERIC(19,4) NOT NULL CHECK (amount > 0),
    currency               CHAR(3) NOT NULL,
    created_at             TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT postings_reference_key UNIQUE (transaction_reference)
);

CREATE TABLE ledger_entries (
    id                     UUID PRIMARY KEY,
    posting_id             UUID NOT NULL REFERENCES postings (id),
    wallet_id              UUID NOT NULL REFERENCES wallets (id),
    sequence               BIGINT NOT NULL CHECK (sequence > 0),
    transaction_reference  TEXT NOT NULL,
    entry_type             TEXT NOT NULL CHECK (entry_type IN ('DEBIT', 'CREDIT')),
    amount                 NUMERIC(19,4) NOT NULL CHECK (amount > 0),
    currency               CHAR(3) NOT NULL,
    opening_balance        NUMERIC(28,4) NOT NULL,
    closing_balance        NUMERIC(28,4) NOT NULL,
    description            TEXT NOT NULL,
    created_at             TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT ledger_entries_wallet_sequence_key UNIQUE (wallet_id, sequence),
    CONSTRAINT ledger_entries_posting_type_key UNIQUE (posting_id, entry_type),
    CONSTRAINT ledger_entries_running_balance CHECK (
        closing_balance = opening_balance
            + CASE entry_type WHEN 'CREDIT' THEN amount ELSE -amount END
    )
);

CREATE INDEX ledger_entries_wallet_newest ON ledger_entries (wallet_id, sequence DESC);

-- Entries and postings are facts: corrections are new postings, never edits.
CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER ledger_entries_append_only
    BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_entries_no_truncate
    BEFORE TRUNCATE ON ledger_entries
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER postings_append_only
    BEFORE UPDATE OR DELETE ON postings
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER postings_no_truncate
    BEFORE TRUNCATE ON postings
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
