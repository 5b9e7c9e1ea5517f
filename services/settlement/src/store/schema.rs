// Mirrors migrations/settlement.

diesel::table! {
    posted_entries (entry_id) {
        entry_id -> Uuid,
        posting_id -> Uuid,
        transaction_reference -> Text,
        wallet_id -> Uuid,
        application_id -> Uuid,
        application_name -> Text,
        currency -> Bpchar,
        entry_type -> Text,
        amount -> Numeric,
        opening_balance -> Numeric,
        closing_balance -> Numeric,
        sequence -> Int8,
        occurred_at -> Timestamptz,
        received_at -> Timestamptz,
    }
}

diesel::table! {
    batches (id) {
        id -> Uuid,
        settlement_date -> Date,
        currency -> Bpchar,
        window_start -> Timestamptz,
        window_end -> Timestamptz,
        status -> Text,
        total_credited -> Numeric,
        total_debited -> Numeric,
        transaction_count -> Int8,
        application_count -> Int4,
        error_message -> Nullable<Text>,
        attempts -> Int4,
        claimed_until -> Nullable<Timestamptz>,
        retry_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        completed_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    batch_entries (batch_id, application_id) {
        batch_id -> Uuid,
        application_id -> Uuid,
        application_name -> Text,
        total_credited -> Numeric,
        total_debited -> Numeric,
        net_amount -> Numeric,
        opening_balance -> Numeric,
        closing_balance -> Numeric,
        transaction_count -> Int8,
    }
}

diesel::joinable!(batch_entries -> batches (batch_id));
diesel::allow_tables_to_appear_in_same_query!(posted_entries, batches, batch_entries);
