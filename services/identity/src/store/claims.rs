//! Cross-application claims on tags and their consent tokens (hashed).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::schema::{applications, claims};
use crate::domain::claims::{ClaimStatus, MailState};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = claims)]
pub struct ClaimRow {
    pub id: Uuid,
    pub tag_id: Uuid,
    pub subject_id: Uuid,
    pub requesting_application_id: Uuid,
    /// The tag's holder when the claim was asked of it.
    pub owner_application_id: Uuid,
    pub status: ClaimStatus,
    pub consent_token_hash: String,
    pub token_expires_at: DateTime<Utc>,
    pub consent_id: Option<Uuid>,
    pub attestation_expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_by: Option<Uuid>,
    pub mail_state: MailState,
    pub mail_sealed: Option<String>,
    pub mail_attempts: i32,
    pub mail_next_at: Option<DateTime<Utc>>,
}

impl ClaimRow {
    /// The status as the parties see it at `now`: a PENDING claim whose consent token ran out
    /// is EXPIRED, whether or not a newer claim has marked it so yet.
    pub fn status_at(&self, now: DateTime<Utc>) -> ClaimStatus {
        match self.status {
            ClaimStatus::Pending if self.token_expires_at <= now => ClaimStatus::Expired,
            s => s,
        }
    }
}

/// A claim with the name of the application that asked for it.
#[derive(Debug, Clone)]
pub struct ClaimRecord {
    pub claim: ClaimRow,
    pub requesting_app_name: String,
}

pub const ONE_PENDING: &str = "claims_one_pending";
pub const ONE_ACTIVE: &str = "claims_one_active";

type Joined = (ClaimRow, String);

/// A claim leaving PENDING: its consent mail, if still unsent, is no longer wanted.
macro_rules! mail_dropped {
    () => {
        (
            claims::mail_state.eq(MailState::None),
            claims::mail_sealed.eq(None::<String>),
        )
    };
}

/// The claim `id` while its token can still decide it (the single use).
macro_rules! decidable {
    ($id:expr, $now:expr) => {
        claims::table
            .find($id)
            .filter(claims::status.eq(ClaimStatus::Pending))
            .filter(claims::token_expires_at.gt($now))
    };
}

fn record((claim, requesting_app_name): Joined) -> ClaimRecord {
    ClaimRecord {
        claim,
        requesting_app_name,
    }
}

macro_rules! joined {
    () => {
        claims::table
            .inner_join(
                applications::table.on(applications::id.eq(claims::requesting_application_id)),
            )
            .select((ClaimRow::as_select(), applications::name))
    };
}

pub async fn insert(conn: &mut AsyncPgConnection, row: &ClaimRow) -> QueryResult<()> {
    diesel::insert_into(claims::table)
        .values(row)
        .execute(conn)
        .await
        .map(drop)
}

pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<ClaimRecord>> {
    joined!()
        .filter(claims::id.eq(id))
        .first::<Joined>(conn)
        .await
        .optional()
        .map(|o| o.map(record))
}

pub async fn find_by_token(
    conn: &mut AsyncPgConnection,
    token_hash: &str,
) -> QueryResult<Option<ClaimRecord>> {
    joined!()
        .filter(claims::consent_token_hash.eq(token_hash))
        .first::<Joined>(conn)
        .await
        .optional()
        .map(|o| o.map(record))
}

/// The claims on a tag that `app` is a party to (asked of it, or asked by it), newest first.
pub async fn of_tag(
    conn: &mut AsyncPgConnection,
    tag: Uuid,
    app: Uuid,
) -> QueryResult<Vec<ClaimRecord>> {
    joined!()
        .filter(claims::tag_id.eq(tag))
        .filter(
            claims::owner_application_id
                .eq(app)
                .or(claims::requesting_application_id.eq(app)),
        )
        .order((claims::created_at.desc(), claims::id.desc()))
        .load::<Joined>(conn)
        .await
        .map(|v| v.into_iter().map(record).collect())
}

/// The claim, if still ACTIVE, locked until the caller's transaction ends: a transfer relies on
/// it, so a revocation cannot slip in between.
pub async fn lock_active(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<ClaimRow>> {
    claims::table
        .find(id)
        .filter(claims::status.eq(ClaimStatus::Active))
        .select(ClaimRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// The subject's claim on the tag in `status`, if any.
pub async fn of_subject(
    conn: &mut AsyncPgConnection,
    tag: Uuid,
    subject: Uuid,
    status: ClaimStatus,
) -> QueryResult<Option<ClaimRow>> {
    claims::table
        .filter(claims::tag_id.eq(tag))
        .filter(claims::subject_id.eq(subject))
        .filter(claims::status.eq(status))
        .select(ClaimRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// How many of `requester`'s claims on the tag are PENDING and still decidable at `now`.
pub async fn pending_by(
    conn: &mut AsyncPgConnection,
    tag: Uuid,
    requester: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<i64> {
    claims::table
        .filter(claims::tag_id.eq(tag))
        .filter(claims::requesting_application_id.eq(requester))
        .filter(claims::status.eq(ClaimStatus::Pending))
        .filter(claims::token_expires_at.gt(now))
        .count()
        .get_result(conn)
        .await
}

/// Marks the subject's PENDING claim on the tag EXPIRED if its token ran out by `now`, so a
/// new claim can take its place.
pub async fn expire_stale(
    conn: &mut AsyncPgConnection,
    tag: Uuid,
    subject: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::update(
        claims::table
            .filter(claims::tag_id.eq(tag))
            .filter(claims::subject_id.eq(subject))
            .filter(claims::status.eq(ClaimStatus::Pending))
            .filter(claims::token_expires_at.le(now)),
    )
    .set((claims::status.eq(ClaimStatus::Expired), mail_dropped!()))
    .execute(conn)
    .await
}

/// Approves the PENDING claim, only while its token is unexpired (the single use).
pub async fn approve(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    consent_id: Uuid,
    attestation_expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> QueryResult<Option<ClaimRow>> {
    diesel::update(decidable!(id, now))
        .set((
            claims::status.eq(ClaimStatus::Active),
            claims::consent_id.eq(consent_id),
            claims::attestation_expires_at.eq(attestation_expires_at),
            claims::decided_at.eq(now),
            mail_dropped!(),
        ))
        .returning(ClaimRow::as_returning())
        .get_result(conn)
        .await
        .optional()
}

/// Denies the PENDING claim, only while its token is unexpired (the single use).
pub async fn deny(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<Option<ClaimRow>> {
    diesel::update(decidable!(id, now))
        .set((
            claims::status.eq(ClaimStatus::Denied),
            claims::decided_at.eq(now),
            mail_dropped!(),
        ))
        .returning(ClaimRow::as_returning())
        .get_result(conn)
        .await
        .optional()
}

/// A claim REVOKED by `by` at `now`: its unsent consent mail goes with it.
macro_rules! revoked {
    ($by:expr, $now:expr) => {
        (
            claims::status.eq(ClaimStatus::Revoked),
            claims::revoked_at.eq($now),
            claims::revoked_by.eq($by),
            mail_dropped!(),
        )
    };
}

/// Revokes the claim if it is still PENDING or ACTIVE.
pub async fn revoke(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    by: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<Option<ClaimRow>> {
    diesel::update(
        claims::table
            .find(id)
            .filter(claims::status.eq_any([ClaimStatus::Pending, ClaimStatus::Active])),
    )
    .set(revoked!(by, now))
    .returning(ClaimRow::as_returning())
    .get_result(conn)
    .await
    .optional()
}

/// Revokes every PENDING or ACTIVE claim on the tag but `keep` (a transfer): the new owner
/// consented to none of them.
pub async fn revoke_others(
    conn: &mut AsyncPgConnection,
    tag: Uuid,
    keep: Uuid,
    by: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<Vec<ClaimRow>> {
    diesel::update(
        claims::table
            .filter(claims::tag_id.eq(tag))
            .filter(claims::id.ne(keep))
            .filter(claims::status.eq_any([ClaimStatus::Pending, ClaimStatus::Active])),
    )
    .set(revoked!(by, now))
    .returning(ClaimRow::as_returning())
    .get_results(conn)
    .await
}

/// The oldest consent mail due by `now` whose claim can still be decided, leased for `lease`
/// (its attempt counted) so no other replica sends it meanwhile. Run inside a transaction:
/// `FOR UPDATE SKIP LOCKED` lets replicas take different rows at once.
pub async fn lease_mail(
    conn: &mut AsyncPgConnection,
    now: DateTime<Utc>,
    lease: chrono::Duration,
) -> QueryResult<Option<ClaimRow>> {
    let due: Option<Uuid> = claims::table
        .filter(claims::mail_state.eq(MailState::Pending))
        .filter(claims::mail_next_at.le(now))
        .filter(claims::status.eq(ClaimStatus::Pending))
        .filter(claims::token_expires_at.gt(now))
        .order(claims::mail_next_at.asc())
        .select(claims::id)
        .for_update()
        .skip_locked()
        .first(conn)
        .await
        .optional()?;
    let Some(id) = due else {
        return Ok(None);
    };
    diesel::update(claims::table.find(id))
        .set((
            claims::mail_next_at.eq(now + lease),
            claims::mail_attempts.eq(claims::mail_attempts + 1),
        ))
        .returning(ClaimRow::as_returning())
        .get_result(conn)
        .await
        .map(Some)
}

/// The outcome of the leased attempt `leased` (the row as leased): PENDING retries at `next`
/// keeping the sealed URL; SENT or FAILED wipe it, in the same statement. A worker whose lease
/// was taken over (the attempt count moved on) changes nothing.
pub async fn mail_done(
    conn: &mut AsyncPgConnection,
    leased: &ClaimRow,
    state: MailState,
    next: Option<DateTime<Utc>>,
) -> QueryResult<()> {
    let target = claims::table
        .find(leased.id)
        .filter(claims::mail_state.eq(MailState::Pending))
        .filter(claims::mail_attempts.eq(leased.mail_attempts));
    if state == MailState::Pending {
        diesel::update(target)
            .set(claims::mail_next_at.eq(next))
            .execute(conn)
            .await?;
    } else {
        diesel::update(target)
            .set((
                claims::mail_state.eq(state),
                claims::mail_next_at.eq(None::<DateTime<Utc>>),
                claims::mail_sealed.eq(None::<String>),
            ))
            .execute(conn)
            .await?;
    }
    Ok(())
}
