-- Tag federation (section 20): a tag linked to an identity on an external provider. A link is
-- PENDING until its owner verifies the single-use challenge (stored hashed), then VERIFIED;
-- the owner may remove it (REMOVED, kept for the record).
CREATE TABLE identity_links (
    id                   UUID PRIMARY KEY,
    tag_id               UUID NOT NULL REFERENCES tags (id),
    application_id       UUID NOT NULL REFERENCES applications (id),
    provider             TEXT NOT NULL,
    external_identifier  TEXT NOT NULL,
    status               TEXT NOT NULL CHECK (status IN ('PENDING', 'VERIFIED', 'REMOVED')),
    challenge_hash       TEXT NOT NULL UNIQUE,
    challenge_expires_at TIMESTAMPTZ NOT NULL,
    created_at           TIMESTAMPTZ NOT NULL,
    verified_at          TIMESTAMPTZ,
    removed_at           TIMESTAMPTZ
);
CREATE INDEX identity_links_by_tag ON identity_links (tag_id, created_at);
-- One verified link per external identity across the platform.
CREATE UNIQUE INDEX identity_links_verified_identity
    ON identity_links (provider, external_identifier) WHERE status = 'VERIFIED';
