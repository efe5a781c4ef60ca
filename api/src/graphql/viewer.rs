//! Who is asking: the `viewer` field, and `can`, which answers the `viewerCan…` fields of
//! every type by the same rule the mutation applies (`services/authz.rs`).

use async_graphql::{Context, Object};

use crate::graphql::prelude::*;

/// Whether the caller may make a change, by the same rule the mutation applies.
pub(crate) async fn can(
    ctx: &Context<'_>,
    rule: impl FnOnce(&Actor) -> Result<(), Denied>,
) -> async_graphql::Result<bool> {
    Ok(rule(actor(ctx).await?).is_ok())
}

/// The caller, as their token describes them.
#[derive(Debug, Clone)]
pub struct Viewer;

/// The caller, as their token describes them.
#[Object]
impl Viewer {
    /// The token's subject: who is asking.
    async fn sub(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        Ok(state(ctx)?.caller.sub.clone())
    }

    /// The token's roles.
    async fn roles(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Role>> {
        Ok(state(ctx)?.caller.roles.clone())
    }

    /// The slug of the organization the caller acts for (the token's `org`).
    async fn organization_slug(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        Ok(state(ctx)?.caller.org.clone())
    }

    /// The organization the caller acts for; null if the token names an unknown one.
    async fn organization(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Organization>> {
        let slug = state(ctx)?.caller.org.clone();
        Ok(load(ctx, OrganizationSlug(slug)).await?.map(Organization))
    }

    /// The districts the token names (for district coordinators).
    async fn districts(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<District>> {
        let mut out = Vec::new();
        for slug in &state(ctx)?.caller.districts {
            if let Some(d) = load(ctx, DistrictSlug(slug.clone())).await? {
                out.push(District(d));
            }
        }
        Ok(out)
    }

    /// The municipalities the token names (for municipality admins); a slug that names
    /// no municipality is left out (and grants nothing).
    async fn municipalities(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Municipality>> {
        let lookups = state(ctx)?
            .caller
            .municipalities
            .iter()
            .map(|slug| load(ctx, MunicipalitySlug(slug.clone())));
        Ok(futures_util::future::try_join_all(lookups)
            .await?
            .into_iter()
            .flatten()
            .map(|(m, _)| Municipality(m))
            .collect())
    }
}

/// The caller.
#[derive(Debug, Default)]
pub struct ViewerQuery;

/// The caller.
#[Object]
impl ViewerQuery {
    /// Who is asking: the caller as their token describes them.
    async fn viewer(&self) -> Viewer {
        Viewer
    }
}
