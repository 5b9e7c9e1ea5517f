//! Tag federation (section 20): the tag's owner links it to an identity on an external
//! provider. The link is PENDING with a single-use challenge (stored hashed, valid for an hour)
//! until the same application verifies it, having checked ownership on the provider itself;
//! then VERIFIED. One verified link per external identity across the platform. The owner can
//! remove a link.

use chrono::{Duration, Utc};
use diesel_async::{scoped_futures::ScopedFutureExt, AsyncConnection};
use idaas_api::{ApiError, ErrorCode};
use idaas_crypto::{
    secret::Secret,
    secret_hash::{generate_secret, hash_secret},
};
use idaas_db::unique_violation;
use idaas_domain::TagAddress;
use idaas_service::{Infra, ServiceError, ServiceResult};
use serde::Deserialize;
use uuid::Uuid;

use super::tags::{self, Owned, Owner};
use crate::store::{
    links::{self, LinkRow, VERIFIED_IDENTITY_UNIQUE},
    tags::{self as tag_store, find_record, TagRecord},
};

idaas_db::text_enum! {
    /// Matches the `status` CHECK of `identity_links`.
    pub enum LinkStatus {
        Pending => "PENDING",
        Verified => "VERIFIED",
        Removed => "REMOVED",
    }
}

/// How long a challenge can be verified.
pub const CHALLENGE_TTL: Duration = Duration::hours(1);

/// `POST /v1/tags/{tag}/federation`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FederationRequest {
    /// The external identity provider: lowercase letters, digits, `.`, `_`, `-` (1–50).
    #[schema(required = true, example = "github")]
    provider: Option<String>,
    /// The identity on that provider (1–255 characters), as the provider spells it.
    #[schema(required = true, example = "alice-github-username")]
    external_identifier: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLink {
    pub provider: String,
    pub external_identifier: String,
}

impl FederationRequest {
    pub fn parse(self) -> Result<NewLink, ApiError> {
        let mut errors = Vec::new();
        let provider = self.provider.map(|p| p.trim().to_ascii_lowercase());
        match &provider {
            None => errors.push("provider is required".to_owned()),
            Some(p) if !valid_provider(p) => errors.push(
                "provider must be 1-50 characters: lowercase letters, digits, '.', '_' or '-'"
                    .to_owned(),
            ),
            Some(_) => {}
        }
        let external = self.external_identifier.map(|e| e.trim().to_owned());
        match &external {
            None => errors.push("externalIdentifier is required".to_owned()),
            Some(e)
                if e.is_empty() || e.chars().count() > 255 || e.chars().any(char::is_control) =>
            {
                errors.push(
                    "externalIdentifier must be 1-255 characters without control characters"
                        .to_owned(),
                )
            }
            Some(_) => {}
        }
        match (provider, external) {
            (Some(provider), Some(external_identifier)) if errors.is_empty() => Ok(NewLink {
                provider,
                external_identifier,
            }),
            _ => Err(ApiError::validation(errors)),
        }
    }
}

fn valid_provider(p: &str) -> bool {
    (1..=50).contains(&p.len())
        && p.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
}

/// A new link and the challenge that verifies it, shown only this once.
pub struct Initiated {
    pub link: LinkRow,
    pub tag: TagRecord,
    pub challenge: Secret<String>,
}

#[tracing::instrument(skip_all, fields(app_id = %owner.app))]
pub async fn initiate(
    infra: &Infra,
    owner: Owner<'_>,
    address: &TagAddress,
    new: NewLink,
) -> ServiceResult<Initiated> {
    let mut conn = infra.pool.get().await?;
    let tag = tags::own_for_change(&mut conn, &owner, address).await?;
    let challenge = generate_secret();
    let now = Utc::now();
    let row = LinkRow {
        id: Uuid::now_v7(),
        tag_id: tag.tag.id,
        application_id: owner.app,
        provider: new.provider,
        external_identifier: new.external_identifier,
        status: LinkStatus::Pending,
        challenge_hash: hash_secret(challenge.expose()),
        challenge_expires_at: now + CHALLENGE_TTL,
        created_at: now,
        verified_at: None,
        removed_at: None,
    };
    let (app, tag_id) = (owner.app, tag.tag.id);
    let link = conn
        .transaction::<_, ServiceError, _>(|c| {
            async move {
                // Created against the holder a concurrent transfer cannot change meanwhile.
                if tag_store::lock_holder(c, tag_id)
                    .await?
                    .owner_application_id
                    != app
                {
                    return Err(super::claims::changed_hands());
                }
                Ok(links::insert(c, &row).await?)
            }
            .scope_boxed()
        })
        .await?;
    tracing::info!(link = %link.id, provider = %link.provider, "federation initiated");
    Ok(Initiated {
        link,
        tag,
        challenge,
    })
}

/// Verifies the link `challenge` names, for the application that created it.
#[tracing::instrument(skip_all, fields(app_id = %app))]
pub async fn verify(
    infra: &Infra,
    app: Uuid,
    challenge: &str,
) -> ServiceResult<(LinkRow, TagRecord)> {
    let mut conn = infra.pool.get().await?;
    let link = links::find_by_challenge(&mut conn, &hash_secret(challenge))
        .await?
        .ok_or(ErrorCode::IdentityLinkNotFoundByChallenge)?;
    // Whose it is comes before what state it is in: another application learns nothing more.
    if link.application_id != app {
        return Err(ErrorCode::IdentityLinkNotOwned.into());
    }
    let now = Utc::now();
    let no_longer_valid = || {
        ServiceError::Api(ApiError::new(ErrorCode::ChallengeNotValid).with_message(
            "This challenge was already used, its link removed, or it has expired; start again",
        ))
    };
    if link.status != LinkStatus::Pending || link.challenge_expires_at <= now {
        return Err(no_longer_valid());
    }
    let verified = links::verify(&mut conn, link.id, now)
        .await
        .map_err(|e| match unique_violation(&e).as_deref() {
            Some(VERIFIED_IDENTITY_UNIQUE) => ServiceError::Api(
                ApiError::new(ErrorCode::FederatedIdentityTaken).with_errors(vec![format!(
                    "{} on {} is already linked to a tag",
                    link.external_identifier, link.provider
                )]),
            ),
            _ => e.into(),
        })?
        .ok_or_else(no_longer_valid)?;
    tracing::info!(link = %verified.id, "federation verified");
    let tag = find_record(&mut conn, verified.tag_id).await?;
    Ok((verified, tag))
}

/// The caller's tag and its links; no links (or another application's tag) is 404 3009.
pub async fn of_tag(
    infra: &Infra,
    owner: Owner<'_>,
    address: &TagAddress,
) -> ServiceResult<(TagRecord, Vec<LinkRow>)> {
    let mut conn = infra.pool.get().await?;
    let tag = match tags::lookup_owned(&mut conn, &owner, address).await? {
        Owned::Mine(t) => t,
        Owned::Foreign => return Err(ErrorCode::FederatedIdentityNotFound.into()),
        Owned::Missing => return Err(ErrorCode::TagNotFound.into()),
    };
    let found = links::of_tag(&mut conn, tag.tag.id).await?;
    if found.is_empty() {
        return Err(ErrorCode::FederatedIdentityNotFound.into());
    }
    Ok((tag, found))
}

/// Removes one of the links of the caller's tag.
pub async fn remove(
    infra: &Infra,
    owner: Owner<'_>,
    address: &TagAddress,
    id: Uuid,
) -> ServiceResult<(LinkRow, TagRecord)> {
    let mut conn = infra.pool.get().await?;
    let link = links::find(&mut conn, id)
        .await?
        .filter(|l| l.status != LinkStatus::Removed)
        .ok_or(ErrorCode::IdentityLinkNotFound)?;
    if link.application_id != owner.app {
        return Err(ErrorCode::IdentityLinkNotOwned.into());
    }
    let tag = tags::own_for_change(&mut conn, &owner, address).await?;
    if tag.tag.id != link.tag_id {
        return Err(ErrorCode::IdentityLinkNotFound.into());
    }
    let removed = links::remove(&mut conn, id, Utc::now())
        .await?
        .ok_or(ErrorCode::IdentityLinkNotFound)?;
    tracing::info!(link = %removed.id, "federation link removed");
    Ok((removed, tag))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(provider: &str, external: &str) -> FederationRequest {
        FederationRequest {
            provider: Some(provider.into()),
            external_identifier: Some(external.into()),
        }
    }

    #[test]
    fn providers_are_normalised_and_identifiers_kept_as_spelt() {
        let l = req(" GitHub ", "Alice-GH")
            .parse()
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            (l.provider.as_str(), l.external_identifier.as_str()),
            ("github", "Alice-GH")
        );
    }

    #[test]
    fn bad_links_name_their_field() {
        for (p, e) in [
            ("", "x"),
            ("git hub", "x"),
            ("github", ""),
            ("github", "a\nb"),
        ] {
            assert!(req(p, e).parse().is_err(), "{p:?} {e:?}");
        }
        let long = "x".repeat(256);
        assert!(req("github", &long).parse().is_err());
        assert!(FederationRequest {
            provider: None,
            external_identifier: None
        }
        .parse()
        .is_err());
    }
}
