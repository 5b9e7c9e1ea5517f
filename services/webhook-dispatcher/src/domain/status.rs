//! A delivery's life: PENDING until an attempt gets a 2xx (DELIVERED) or the attempts run out
//! (FAILED, dead-lettered). Which party (of a payment or a claim) it notifies is its direction.

idaas_db::text_enum! {
    /// Matches the `status` CHECK of `deliveries`; the guide's three delivery statuses.
    pub enum DeliveryStatus {
        Pending => "PENDING",
        Delivered => "DELIVERED",
        Failed => "FAILED",
    }
}

idaas_db::text_enum! {
    /// Matches the `direction` CHECK of `deliveries`.
    pub enum Direction {
        /// TRANSACTION_INITIATED to the receiving application.
        Receiver => "RECEIVER",
        /// The outcome to the sending application (its callbackUrl or registered URL).
        Sender => "SENDER",
        /// CLAIM_REQUESTED to the application holding the claimed tag.
        TagOwner => "TAG_OWNER",
        /// A claim's outcome (approved, denied, revoked) to the application that asked for it.
        Claimant => "CLAIMANT",
    }
}
