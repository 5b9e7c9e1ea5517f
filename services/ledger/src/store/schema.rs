// Mirrors migrations/ledger.

diesel::table! {
    wallets (id) {
        id -> Uuid,
        application_id -> Uuid,
        application_name -> Text,
        currency -> Bpchar,
        balance -> Numeric,
        total_credited -> Numeric,
        total_debited -> Numeric,
        entry_count -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    postings (id) {
        id -> Uuid,
        transaction_reference -> Text,
        sender_wallet_id -> Uuid,
        receiver_wallet_id -> Uuid,
        amount -> Numeric,
        currency -> Bpchar,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    ledger_entries (id) {
        id -> Uuid,
        posting_id -> Uuid,
        wallet_id -> Uuid,
        sequence -> Int8,
        transaction_reference -> Text,
        entry_type -> Text,
        amount -> Numeric,
        currency -> Bpchar,
        opening_balance -> Numeric,
        closing_balance -> Numeric,
        description -> Text,
        created_at -> Timestamptz,
    }
}

diesel::allow_tables_to_appear_in_same_query!(wallets, postings, ledger_entries);
