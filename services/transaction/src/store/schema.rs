// Mirrors migrations/transaction.

diesel::table! {
    transactions (id) {
        id -> Uuid,
        reference -> Text,
        sender_app_id -> Uuid,
        sender_app_name -> Text,
        sender_tag -> Text,
        receiver_app_id -> Uuid,
        receiver_app_name -> Text,
        receiver_tag -> Text,
        amount -> Numeric,
        currency -> Bpchar,
        narration -> Nullable<Text>,
        callback_url -> Nullable<Text>,
        sender_notify_url -> Nullable<Text>,
        receiver_notify_url -> Nullable<Text>,
        status -> Text,
        rejection_reason -> Nullable<Text>,
        expires_at -> Timestamptz,
        accepted_at -> Nullable<Timestamptz>,
        completed_at -> Nullable<Timestamptz>,
        rejected_at -> Nullable<Timestamptz>,
        expired_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        failure_reason -> Nullable<Text>,
        failed_at -> Nullable<Timestamptz>,
        recovery_attempts -> Int4,
        next_recovery_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    idempotency_keys (application_id, operation, idempotency_key) {
        application_id -> Uuid,
        operation -> Text,
        idempotency_key -> Text,
        request_hash -> Text,
        reference -> Nullable<Text>,
        status -> Text,
        response_status -> Nullable<Int4>,
        response_body -> Nullable<Text>,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
    }
}
