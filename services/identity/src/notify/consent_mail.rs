//! Sends the consent mail a claim queued (its URL sealed in the claim row) to the email of the
//! tag owner's subject. A mail is leased before it is sent, so replicas never send it at the
//! same time; a failure is retried with growing delays, then given up (FAILED) — the claim
//! stands and the requesting application still holds the URL. Sent or given up, the sealed
//! URL is wiped.

use std::time::Duration;

use chrono::Duration as Span;
use diesel_async::{scoped_futures::ScopedFutureExt, AsyncConnection};
use idaas_api::timestamp;
use idaas_service::{CancellationToken, Infra, ServiceError, ServiceResult};

use super::mailer::{Mail, Mailer};
use crate::{
    domain::claims::MailState,
    store::{
        claims::{self, ClaimRow},
        subjects, tags,
    },
    IdentityState,
};

/// A leased mail is someone's for this long: well past one SMTP exchange (its own timeout).
const LEASE: Span = Span::seconds(120);
/// At most this many mails per round, one lease at a time.
const PER_ROUND: usize = 20;

pub async fn run(
    infra: Infra,
    state: actix_web::web::Data<IdentityState>,
    stop: CancellationToken,
) {
    // Spawned only with a mailer; without one there is nothing to wait for but the stop.
    let Some(mailer) = state.mailer.as_ref() else {
        return stop.cancelled().await;
    };
    let poll = Duration::from_millis(state.claims.mail_poll_ms.max(50));
    loop {
        match send_due(&infra, &state, mailer).await {
            Ok(0) => {}
            Ok(n) => tracing::debug!(mails = n, "consent mail handled"),
            Err(e) => {
                tracing::warn!(error = %idaas_service::chain(&e), "consent mail round failed; retrying")
            }
        }
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = state.mail_wake.notified() => {}
            _ = tokio::time::sleep(poll) => {}
        }
    }
}

/// Sends what is due, leasing one mail at a time, so a lease never waits behind other sends
/// and no database connection is held while the SMTP server answers.
async fn send_due(infra: &Infra, state: &IdentityState, mailer: &Mailer) -> ServiceResult<usize> {
    let mut handled = 0;
    while handled < PER_ROUND {
        let now = state.clock.now();
        let leased = {
            let mut conn = infra.pool.get().await?;
            conn.transaction::<_, ServiceError, _>(|c| {
                async move { Ok(claims::lease_mail(c, now, LEASE).await?) }.scope_boxed()
            })
            .await?
        };
        let Some(claim) = leased else {
            break;
        };
        let outcome = send_one(infra, state, mailer, &claim).await;
        let (mail_state, next) = match outcome {
            Ok(()) => (MailState::Sent, None),
            Err(why) if claim.mail_attempts >= state.claims.mail_attempts => {
                tracing::warn!(claim = %claim.id, %why, attempts = claim.mail_attempts, "consent mail given up");
                (MailState::Failed, None)
            }
            Err(why) => {
                let delay = Span::seconds(30 * (1 << claim.mail_attempts.clamp(0, 6)));
                tracing::info!(claim = %claim.id, %why, "consent mail failed; will retry");
                (MailState::Pending, Some(state.clock.now() + delay))
            }
        };
        let mut conn = infra.pool.get().await?;
        claims::mail_done(&mut conn, &claim, mail_state, next).await?;
        handled += 1;
    }
    Ok(handled)
}

/// One mail; the error is why it was not sent, never the URL.
async fn send_one(
    infra: &Infra,
    state: &IdentityState,
    mailer: &Mailer,
    claim: &ClaimRow,
) -> Result<(), String> {
    let sealed = claim.mail_sealed.as_deref().ok_or("no sealed URL")?;
    let url = state
        .cipher
        .decrypt(sealed, claim.id.as_bytes())
        .map_err(|_| "the sealed URL does not open".to_owned())?;
    let url = String::from_utf8(url.expose().clone()).map_err(|_| "the URL is not text")?;
    let mut pooled = infra.pool.get().await.map_err(|e| e.to_string())?;
    let conn = &mut *pooled;
    let tag = tags::find_record(conn, claim.tag_id)
        .await
        .map_err(|e| e.to_string())?;
    let owner = subjects::find(conn, tag.tag.subject_id)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("the tag's owner is gone")?;
    let Some(to) = owner.email.as_deref() else {
        return Err("the tag's owner has no email any more".to_owned());
    };
    let requesting = crate::domain::claims::requesting_name(conn, claim)
        .await
        .map_err(|e| idaas_service::chain(&e))?;
    // The connection goes back before the SMTP exchange.
    drop(pooled);
    let address = &tag.tag.qualified_address;
    let greeting = owner.display_name.as_deref().unwrap_or("Hello");
    mailer
        .send(Mail {
            to,
            subject: format!("{requesting} asks to link your tag {address}"),
            text: format!(
                "{greeting},\n\n{requesting} asks to link one of its users to your tag {address}.\n\
                 If that was you, approve it; if not, deny it:\n\n{url}\n\n\
                 The link works once and expires at {} (UTC).\n",
                timestamp(&claim.token_expires_at)
            ),
        })
        .await
}
