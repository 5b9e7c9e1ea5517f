use chrono::{DateTime, SecondsFormat, Utc};

/// How every response writes a point in time: RFC 3339, UTC, whole seconds (`…T10:00:00Z`).
pub fn timestamp(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}
