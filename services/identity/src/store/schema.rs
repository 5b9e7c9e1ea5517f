// Mirrors migrations/identity.

diesel::table! {
    applications (id) {
        id -> Uuid,
        name -> Text,
        app_handle -> Text,
        client_id -> Uuid,
        client_secret_hash -> Text,
        webhook_secret_enc -> Text,
        transaction_webhook_url -> Nullable<Text>,
        redirect_uris -> Nullable<Text>,
        metadata -> Nullable<Text>,
        app_public_jwk -> Jsonb,
        encryption_enabled -> Bool,
        key_version -> Int4,
        active -> Bool,
        deactivated_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        callback_origins -> Array<Text>,
    }
}

diesel::table! {
    subjects (id) {
        id -> Uuid,
        application_id -> Uuid,
        external_id -> Text,
        display_name -> Nullable<Text>,
        email -> Nullable<Text>,
        metadata -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    tags (id) {
        id -> Uuid,
        application_id -> Uuid,
        subject_id -> Uuid,
        tag_string -> Text,
        qualified_address -> Text,
        status -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        owner_application_id -> Uuid,
    }
}

diesel::table! {
    identity_links (id) {
        id -> Uuid,
        tag_id -> Uuid,
        application_id -> Uuid,
        provider -> Text,
        external_identifier -> Text,
        status -> Text,
        challenge_hash -> Text,
        challenge_expires_at -> Timestamptz,
        created_at -> Timestamptz,
        verified_at -> Nullable<Timestamptz>,
        removed_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    idempotency_keys (scope, operation, key_hash) {
        scope -> Text,
        operation -> Text,
        key_hash -> Text,
        request_hash -> Text,
        status -> Text,
        response_status -> Nullable<Int4>,
        response_sealed -> Nullable<Text>,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        claim_token -> Nullable<Uuid>,
    }
}

diesel::table! {
    claims (id) {
        id -> Uuid,
        tag_id -> Uuid,
        subject_id -> Uuid,
        requesting_application_id -> Uuid,
        owner_application_id -> Uuid,
        status -> Text,
        consent_token_hash -> Text,
        token_expires_at -> Timestamptz,
        consent_id -> Nullable<Uuid>,
        attestation_expires_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        decided_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
        revoked_by -> Nullable<Uuid>,
        mail_state -> Text,
        mail_sealed -> Nullable<Text>,
        mail_attempts -> Int4,
        mail_next_at -> Nullable<Timestamptz>,
    }
}

diesel::joinable!(subjects -> applications (application_id));
diesel::joinable!(tags -> applications (application_id));
diesel::joinable!(tags -> subjects (subject_id));
diesel::joinable!(identity_links -> tags (tag_id));
diesel::joinable!(claims -> tags (tag_id));
diesel::allow_tables_to_appear_in_same_query!(applications, subjects, tags, identity_links, claims);
