//! Commitments (åtaganden): what an organization promises in a group. Each agency edits
//! only its own.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use entity::*;

use crate::graphql::prelude::*;

/// What one organization has promised in one collaboration group (X:s åtagande). Only
/// that organization (or an admin) edits it; every edit raises its version.
#[derive(Debug, Clone)]
pub struct Commitment(pub commitment::Model);

crate::plain_fields!(Commitment: id, text, version, created_at, updated_at, updated_by, organization, group);

/// What one organization has promised in one collaboration group (X:s åtagande). Only
/// that organization (or an admin) edits it; every edit raises its version.
#[Object]
impl Commitment {
    /// The commitment's global ID.
    pub(crate) async fn id(&self) -> ID {
        encode(NodeType::Commitment, self.0.id)
    }
    /// Where the record comes from (its source document, and whether it is a reading
    /// rather than as written); null when it was made in the service (neither seeded nor
    /// imported from a file).
    async fn provenance(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Provenance>> {
        crate::graphql::provenance::of(ctx, "Commitment", self.0.id).await
    }
    /// The promise, as written.
    async fn text(&self) -> &str {
        &self.0.text
    }
    /// Version, raised by every edit; edits must name the version they were based on.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When it was created.
    async fn created_at(&self) -> crate::graphql::scalars::DateTime {
        self.0.created_at.into()
    }
    /// When it was last changed.
    async fn updated_at(&self) -> crate::graphql::scalars::DateTime {
        self.0.updated_at.into()
    }
    /// The token subject who last changed it.
    async fn updated_by(&self) -> Option<&str> {
        self.0.updated_by.as_deref()
    }
    /// The organization that owns the promise.
    async fn organization(&self, ctx: &Context<'_>) -> async_graphql::Result<Organization> {
        Ok(Organization(
            load_required(ctx, OrganizationId(self.0.organization_id)).await?,
        ))
    }
    /// The group it was made in.
    async fn group(&self, ctx: &Context<'_>) -> async_graphql::Result<CollaborationGroup> {
        Ok(CollaborationGroup(
            load_required(ctx, CollaborationGroupId(self.0.group_id)).await?,
        ))
    }
    /// Whether the caller may change its text (only its own organization, or an admin).
    async fn viewer_can_update(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        let owner = self.0.organization_id;
        let district = load_required(ctx, CollaborationGroupId(self.0.group_id))
            .await?
            .district_id;
        can(ctx, |a| authz::commitment(a, owner, "", district)).await
    }
    /// Whether the caller may remove it (same rule as changing it).
    async fn viewer_can_delete(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        self.viewer_can_update(ctx).await
    }
    /// Its changes, oldest first (the district's coordinators and admins).
    #[graphql(complexity = "crate::graphql::pagination::page_cost(first, last, child_complexity)")]
    async fn history(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "The first n items (at most 100).")] first: Option<i32>,
        #[graphql(desc = "The last n items (at most 100).")] last: Option<i32>,
    ) -> async_graphql::Result<Page<AuditEvent>> {
        let args = page_args(
            ctx,
            encode(NodeType::Commitment, self.0.id),
            after,
            before,
            first,
            last,
        )?;
        let group = load_required(ctx, CollaborationGroupId(self.0.group_id)).await?;
        history(ctx, "Commitment", self.0.id, Some(group.district_id), args).await
    }
}

/// Filters of the `commitments` list.
#[derive(InputObject, Debug, Default, Clone)]
pub struct CommitmentFilterInput {
    /// Commitments of this organization (an Organization ID).
    pub organization: Option<ID>,
    /// Commitments made in this group (a CollaborationGroup ID).
    pub group: Option<ID>,
    /// Commitments made in groups of this district (a District ID).
    pub district: Option<ID>,
}

/// Make a commitment in a group, for your own organization (or, as an admin, any).
#[derive(InputObject, Debug)]
pub struct CreateCommitmentInput {
    /// The group the commitment is made in (a CollaborationGroup ID).
    pub group: ID,
    /// The owning organization (an Organization ID); default: the token's organization.
    pub organization: Option<ID>,
    /// The promise.
    pub text: String,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
}

/// Change a commitment's text.
#[derive(InputObject, Debug)]
pub struct UpdateCommitmentInput {
    /// The commitment (a Commitment ID).
    pub id: ID,
    /// The version the edit was based on; a stale version is a `CONFLICT`.
    pub expected_version: i32,
    /// The new text.
    pub text: String,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
}

/// The result of a commitment mutation.
#[derive(SimpleObject, Debug)]
pub struct CommitmentPayload {
    /// The commitment after the change; on a `CONFLICT`, the current commitment.
    pub commitment: Option<Commitment>,
    /// Why nothing was changed, if so.
    pub user_errors: Vec<UserError>,
    /// The input's `clientMutationId`.
    pub client_mutation_id: Option<String>,
}

/// Commitments.
#[derive(Debug, Default)]
pub struct CommitmentsQuery;

/// Commitments.
#[Object]
impl CommitmentsQuery {
    /// Commitments across every district, filtered.
    #[graphql(
        complexity = "crate::graphql::pagination::root_page_cost(first, last, child_complexity)"
    )]
    async fn commitments(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which commitments.")] filter: Option<CommitmentFilterInput>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "The first n items (at most 100).")] first: Option<i32>,
        #[graphql(desc = "The last n items (at most 100).")] last: Option<i32>,
    ) -> async_graphql::Result<Page<Commitment>> {
        let args = PageArgs::new(ctx, None, after, before, first, last)?;
        let f = filter.unwrap_or_default();
        let q = queries::CommitmentFilter {
            organization: opt_id(
                f.organization.as_ref(),
                NodeType::Organization,
                "filter.organization",
            )?,
            group: opt_id(
                f.group.as_ref(),
                NodeType::CollaborationGroup,
                "filter.group",
            )?,
            district: opt_id(f.district.as_ref(), NodeType::District, "filter.district")?,
        };
        let db = &state(ctx)?.db;
        // Whose and in which group (and the group's district), asked of nearly every list
        // of commitments: read with the page by joins, priming the request's cache.
        let joined = selects_of_items(ctx, &["organization", "group"])
            .then(|| priming_reader(ctx))
            .flatten();
        let districts = selects_of_items_at(ctx, &["group", "district"]);
        let fetch = |page: sea_orm::Select<commitment::Entity>| async move {
            match joined {
                Some(reader) => reader
                    .page_with_organizations_and_groups(page, districts)
                    .await
                    .map_err(own_load_error),
                None => fetch_page(db, page).await,
            }
        };
        let select = queries::commitments(&q);
        let id = commitment::Column::Id;
        let total = wants_kept_total(ctx);
        Ok(page_query_with(db, select, id, |m| m.id, Commitment, args, total, fetch).await?)
    }
}

/// Changes to commitments.
#[derive(Debug, Default)]
pub struct CommitmentsMutation;

/// Changes to commitments.
#[Object]
impl CommitmentsMutation {
    /// Make a commitment in a group for your own organization.
    async fn create_commitment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to promise, where.")] input: CreateCommitmentInput,
    ) -> async_graphql::Result<CommitmentPayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let (node, user_errors) = mutate(ctx, (), async {
            let group = decode_as(&input.group, NodeType::CollaborationGroup, "input.group")?;
            let org = opt_id(
                input.organization.as_ref(),
                NodeType::Organization,
                "input.organization",
            )?;
            let (commitment, group) = commitments::create(
                &st.db,
                actor,
                commitments::NewCommitment {
                    group_id: group,
                    organization_id: org,
                    text: input.text,
                },
            )
            .await?;
            keep(ctx, CollaborationGroupId(group.id), group);
            Ok(commitment)
        })
        .await?;
        Ok(CommitmentPayload {
            commitment: node.map(Commitment),
            user_errors,
            client_mutation_id: input.client_mutation_id,
        })
    }

    /// Change a commitment's text (your own organization's only), based on the version
    /// you read. On a stale version nothing is written: the payload holds the current
    /// commitment and a `CONFLICT` user error.
    async fn update_commitment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which commitment, from which version, to what text.")]
        input: UpdateCommitmentInput,
    ) -> async_graphql::Result<CommitmentPayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let id = decode_as(&input.id, NodeType::Commitment, "input.id");
        let known = id.as_ref().ok().copied();
        let (node, user_errors) = mutate(ctx, known.map(CommitmentId), async {
            let (commitment, group) =
                commitments::update(&st.db, actor, id?, input.expected_version, &input.text)
                    .await?;
            keep(ctx, CollaborationGroupId(group.id), group);
            Ok(commitment)
        })
        .await?;
        Ok(CommitmentPayload {
            commitment: node.map(Commitment),
            user_errors,
            client_mutation_id: input.client_mutation_id,
        })
    }

    /// Remove a commitment (your own organization's only), based on the version you read.
    async fn delete_commitment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which commitment, from which version.")] input: DeleteInput,
    ) -> async_graphql::Result<DeletePayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let (node, user_errors) = mutate(ctx, (), async {
            let id = decode_as(&input.id, NodeType::Commitment, "input.id")?;
            let (before, group) =
                commitments::delete(&st.db, actor, id, input.expected_version).await?;
            keep(ctx, CollaborationGroupId(group.id), group);
            Ok(before)
        })
        .await?;
        Ok(DeletePayload {
            deleted_id: node.map(|c| encode(NodeType::Commitment, c.id)),
            user_errors,
            client_mutation_id: input.client_mutation_id,
        })
    }
}
