CREATE TABLE applications (
    id                       UUID PRIMARY KEY,
    name                     TEXT NOT NULL,
    app_handle               TEXT NOT NULL,
    client_id                UUID NOT NULL,
    -- sha256 of a 256-bit random secret; the secret itself is never stored.
    client_secret_hash       TEXT NOT NULL,
    -- AES-256-GCM under a platform key, bound to the row id; needed in clear to sign webhooks.
    webhook_secret_enc       TEXT NOT NULL,
    transaction_webhook_url  TEXT,
    redirect_uris            TEXT,
    metadata                 TEXT,
    -- Only the public half: the private key is returned once and never kept.
    app_public_jwk           JSONB NOT NULL,
    encryption_enabled       BOOLEAN NOT NULL,
    key_version              INTEGER NOT NULL DEFAULT 1,
    active                   BOOLEAN NOT NULL DEFAULT TRUE,
    deactivated_at           TIMESTAMPTZ,
    created_at               TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at               TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT applications_app_handle_key UNIQUE (app_handle),
    CONSTRAINT applications_client_id_key UNIQUE (client_id)
);

CREATE TABLE subjects (
    id              UUID PRIMARY KEY,
    application_id  UUID NOT NULL REFERENCES applications (id),
    external_id     TEXT NOT NULL,
    display_name    TEXT,
    email           TEXT,
    metadata        TEXT,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT subjects_application_external_id_key UNIQUE (application_id, external_id)
);

CREATE INDEX subjects_application_created ON subjects (application_id, created_at DESC, id);

CREATE TABLE tags (
    id                 UUID PRIMARY KEY,
    application_id     UUID NOT NULL REFERENCES applications (id),
    subject_id         UUID NOT NULL REFERENCES subjects (id),
    tag_string         TEXT NOT NULL,
    qualified_address  TEXT NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('ACTIVE', 'DISABLED')),
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT tags_application_tag_key UNIQUE (application_id, tag_string),
    CONSTRAINT tags_qualified_address_key UNIQUE (qualified_address)
);

CREATE INDEX tags_tag_string ON tags (tag_string);
CREATE INDEX tags_subject ON tags (subject_id);
CREATE INDEX tags_application_created ON tags (application_id, created_at DESC, id);
