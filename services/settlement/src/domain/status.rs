idaas_db::text_enum! {
    /// Matches the `status` CHECK of `batches`: PENDING until the batch is proved against the
    /// ledger (COMPLETED) or is not (FAILED, with the reason, tried again later).
    pub enum BatchStatus {
        Pending => "PENDING",
        Completed => "COMPLETED",
        Failed => "FAILED",
    }
}
