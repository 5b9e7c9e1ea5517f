// Mirrors migrations/webhook-dispatcher.

diesel::table! {
    deliveries (id) {
        id -> Uuid,
        event_id -> Text,
        transaction_reference -> Text,
        application_id -> Uuid,
        direction -> Text,
        event_type -> Text,
        target_url -> Nullable<Text>,
        payload -> Text,
        status -> Text,
        attempts -> Int4,
        last_error -> Nullable<Text>,
        last_attempt_at -> Nullable<Timestamptz>,
        delivered_at -> Nullable<Timestamptz>,
        next_attempt_at -> Nullable<Timestamptz>,
        traceparent -> Nullable<Text>,
        history -> Jsonb,
        created_at -> Timestamptz,
        sender_application_id -> Nullable<Uuid>,
        receiver_application_id -> Nullable<Uuid>,
        manual_requested_at -> Nullable<Timestamptz>,
        manual_requested_by -> Nullable<Uuid>,
        manual_pending -> Bool,
    }
}
