-- Canonical ownership can move (tag transfer, section 22). application_id stays the
-- application whose handle is in the address (the address never changes); owner_application_id
-- is the application whose subject holds the tag now: it alone acts on the tag and receives
-- its payments.
ALTER TABLE tags ADD COLUMN owner_application_id UUID REFERENCES applications (id);
UPDATE tags SET owner_application_id = application_id;
ALTER TABLE tags ALTER COLUMN owner_application_id SET NOT NULL;
CREATE INDEX tags_by_owner ON tags (owner_application_id, created_at);

-- Cross-application claims (section 18). PENDING until the tag's owner approves (ACTIVE) or
-- denies (DENIED) through the single-use consent token (stored hashed); ACTIVE or PENDING can
-- be REVOKED. A PENDING claim whose token ran out is EXPIRED when a new claim replaces it.
CREATE TABLE claims (
    id                        UUID PRIMARY KEY,
    tag_id                    UUID NOT NULL REFERENCES tags (id),
    subject_id                UUID NOT NULL REFERENCES subjects (id),
    requesting_application_id UUID NOT NULL REFERENCES applications (id),
    -- The application that held the tag when the claim was asked of it: it decides (through
    -- its user) and sees the claim; a later holder does not inherit other tenants' claims.
    owner_application_id      UUID NOT NULL REFERENCES applications (id),
    status                    TEXT NOT NULL
        CHECK (status IN ('PENDING', 'ACTIVE', 'DENIED', 'REVOKED', 'EXPIRED')),
    consent_token_hash        TEXT NOT NULL UNIQUE,
    token_expires_at          TIMESTAMPTZ NOT NULL,
    -- Set on approval: the attestation's id and expiry.
    consent_id                UUID UNIQUE,
    attestation_expires_at    TIMESTAMPTZ,
    created_at                TIMESTAMPTZ NOT NULL,
    decided_at                TIMESTAMPTZ,
    revoked_at                TIMESTAMPTZ,
    revoked_by                UUID,
    -- The consent mail: PENDING while the sealed consent URL waits for the mailer (wiped once
    -- SENT or FAILED); NONE when the owner has no email or no SMTP is configured.
    mail_state                TEXT NOT NULL DEFAULT 'NONE'
        CHECK (mail_state IN ('NONE', 'PENDING', 'SENT', 'FAILED')),
    mail_sealed               TEXT,
    mail_attempts             INTEGER NOT NULL DEFAULT 0,
    mail_next_at              TIMESTAMPTZ,
    CHECK ((status = 'ACTIVE') <= (consent_id IS NOT NULL))
);
CREATE UNIQUE INDEX claims_one_pending ON claims (tag_id, subject_id) WHERE status = 'PENDING';
CREATE UNIQUE INDEX claims_one_active ON claims (tag_id, subject_id) WHERE status = 'ACTIVE';
CREATE INDEX claims_by_tag ON claims (tag_id, created_at);
CREATE INDEX claims_mail_due ON claims (mail_next_at) WHERE mail_state = 'PENDING';
