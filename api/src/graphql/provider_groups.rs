//! The identity provider's groups mapped to organizations (issue 16) ↔
//! `services::provider_groups`: a token naming no organization but carrying groups
//! (`SAMVERKAN_CLAIM_GROUPS`) acts for the organization its groups are mapped to here.
//! Admins read and keep the mapping; every change is audited and versioned.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use entity::*;

use crate::graphql::prelude::*;
use crate::graphql::scalars::DateTime;
use crate::services::provider_groups as service;

/// A group of the city's identity provider whose members act for an organization.
#[derive(Debug, Clone)]
pub struct ProviderGroup(pub provider_group::Model);

crate::plain_fields!(ProviderGroup: id, group, organization, version, updated_at);

/// A group of the city's identity provider whose members act for an organization.
#[Object]
impl ProviderGroup {
    /// The object's opaque global ID.
    pub(crate) async fn id(&self) -> ID {
        encode(NodeType::ProviderGroup, self.0.id)
    }
    /// The group as the provider writes it in tokens' groups claim (an Entra ID group
    /// object ID, a Keycloak group path such as `/polisen/farsta`).
    async fn group(&self) -> &str {
        &self.0.group_value
    }
    /// The organization its members act for.
    async fn organization(&self, ctx: &Context<'_>) -> async_graphql::Result<Organization> {
        Ok(Organization(
            load_required(ctx, OrganizationId(self.0.organization_id)).await?,
        ))
    }
    /// Version, raised by every edit.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When it was last changed.
    async fn updated_at(&self) -> DateTime {
        self.0.updated_at.into()
    }
    /// Whether the caller may change it (admins).
    async fn viewer_can_update(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        can(ctx, authz::provider_groups).await
    }
}

/// Map a group of the identity provider to an organization (admins).
#[derive(InputObject, Debug)]
pub struct MapProviderGroupInput {
    /// The group as the provider writes it in tokens (at most 200 characters); a group
    /// maps to one organization.
    pub group: String,
    /// The organization its members act for (an Organization ID).
    pub organization: ID,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
}

/// Map a group to another organization (admins).
#[derive(InputObject, Debug)]
pub struct UpdateProviderGroupInput {
    /// The mapping (a ProviderGroup ID).
    pub id: ID,
    /// The version the change is based on (`CONFLICT` when it is not the current one).
    pub expected_version: i32,
    /// The organization its members act for now (an Organization ID).
    pub organization: ID,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
}

/// Remove a group's mapping (admins): tokens carrying only that group then act for no
/// organization and are refused.
#[derive(InputObject, Debug)]
pub struct DeleteProviderGroupInput {
    /// The mapping (a ProviderGroup ID).
    pub id: ID,
    /// The version the removal is based on.
    pub expected_version: i32,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
}

/// The result of a provider group mutation.
#[derive(SimpleObject, Debug)]
pub struct ProviderGroupPayload {
    /// The mapping after the change (as it was, for a removal); null when refused.
    pub provider_group: Option<ProviderGroup>,
    /// Why nothing was changed, if so.
    pub user_errors: Vec<UserError>,
    /// The input's `clientMutationId`.
    pub client_mutation_id: Option<String>,
}

/// The identity provider's groups.
#[derive(Debug, Default)]
pub struct ProviderGroupsQuery;

/// The identity provider's groups.
#[Object]
impl ProviderGroupsQuery {
    /// The provider's groups mapped to organizations, oldest first (admins; others get
    /// `FORBIDDEN`).
    #[graphql(
        complexity = "crate::graphql::pagination::root_page_cost(first, last, child_complexity)"
    )]
    async fn provider_groups(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "The first n items (at most 100).")] first: Option<i32>,
        #[graphql(desc = "The last n items (at most 100).")] last: Option<i32>,
    ) -> async_graphql::Result<Page<ProviderGroup>> {
        authz::provider_groups(actor(ctx).await?).map_err(AppError::from)?;
        let args = PageArgs::new(ctx, None, after, before, first, last)?;
        Ok(page_query(
            &state(ctx)?.db,
            provider_group::Entity::find(),
            provider_group::Column::Id,
            |m| m.id,
            ProviderGroup,
            args,
            wants_total(ctx),
        )
        .await?)
    }
}

/// Changes to the identity provider's groups.
#[derive(Debug, Default)]
pub struct ProviderGroupsMutation;

/// Changes to the identity provider's groups.
#[Object]
impl ProviderGroupsMutation {
    /// Map a group of the identity provider to an organization (admins). A group already
    /// mapped is `BAD_USER_INPUT` on `input.group`.
    async fn map_provider_group(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The group and its organization.")] input: MapProviderGroupInput,
    ) -> async_graphql::Result<ProviderGroupPayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let (node, user_errors) = mutate(ctx, (), async {
            let org = decode_as(
                &input.organization,
                NodeType::Organization,
                "input.organization",
            )?;
            service::map_group(&st.db, actor, &input.group, org).await
        })
        .await?;
        Ok(ProviderGroupPayload {
            provider_group: node.map(ProviderGroup),
            user_errors,
            client_mutation_id: input.client_mutation_id,
        })
    }

    /// Map a group to another organization (admins).
    async fn update_provider_group(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which mapping, its version, the organization.")]
        input: UpdateProviderGroupInput,
    ) -> async_graphql::Result<ProviderGroupPayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let (node, user_errors) = mutate(ctx, (), async {
            let id = decode_as(&input.id, NodeType::ProviderGroup, "input.id")?;
            let org = decode_as(
                &input.organization,
                NodeType::Organization,
                "input.organization",
            )?;
            service::update_group(&st.db, actor, id, input.expected_version, org).await
        })
        .await?;
        Ok(ProviderGroupPayload {
            provider_group: node.map(ProviderGroup),
            user_errors,
            client_mutation_id: input.client_mutation_id,
        })
    }

    /// Remove a group's mapping (admins).
    async fn delete_provider_group(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which mapping, its version.")] input: DeleteProviderGroupInput,
    ) -> async_graphql::Result<ProviderGroupPayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let (node, user_errors) = mutate(ctx, (), async {
            let id = decode_as(&input.id, NodeType::ProviderGroup, "input.id")?;
            service::delete_group(&st.db, actor, id, input.expected_version).await
        })
        .await?;
        Ok(ProviderGroupPayload {
            provider_group: node.map(ProviderGroup),
            user_errors,
            client_mutation_id: input.client_mutation_id,
        })
    }
}
