//! A delivery's life: PENDING until an attempt gets a 2xx (DELIVERED) or the attempts run out
//! (FAILED, dead-lettered). Which side of the payment it notifies is its direction.

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
    }
}
