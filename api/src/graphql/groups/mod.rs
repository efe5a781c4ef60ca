//! Collaboration areas (samverkansområden) and collaboration groups (SSPF, SIG, Lokalt BRÅ
//! …) of a district.

use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use entity::*;

use crate::graphql::prelude::*;

mod inputs;
mod types;

pub use inputs::*;
pub use types::*;

/// Collaboration groups.
#[derive(Debug, Default)]
pub struct GroupsQuery;

/// Collaboration groups.
#[Object]
impl GroupsQuery {
    /// Collaboration groups across every district, filtered. Archived groups are left
    /// out unless asked for.
    #[graphql(
        complexity = "crate::graphql::pagination::root_page_cost(first, last, child_complexity)"
    )]
    async fn collaboration_groups(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which groups.")] filter: Option<CollaborationGroupFilterInput>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "The first n items (at most 100).")] first: Option<i32>,
        #[graphql(desc = "The last n items (at most 100).")] last: Option<i32>,
    ) -> async_graphql::Result<Page<CollaborationGroup>> {
        let args = PageArgs::new(ctx, None, after, before, first, last)?;
        let f = filter.unwrap_or_default();
        let q = queries::GroupFilter {
            district: opt_id(f.district.as_ref(), NodeType::District, "filter.district")?,
            kind: f.kind.map(Into::into),
            organization: opt_id(
                f.organization.as_ref(),
                NodeType::Organization,
                "filter.organization",
            )?,
            include_archived: f.include_archived,
            valid_on: f.valid_on.map(Into::into),
        };
        Ok(page_query(
            &state(ctx)?.db,
            queries::groups(&q),
            collaboration_group::Column::Id,
            |m| m.id,
            CollaborationGroup,
            args,
            wants_total(ctx),
        )
        .await?)
    }
}

/// Changes to collaboration areas and groups.
#[derive(Debug, Default)]
pub struct GroupsMutation;

/// Changes to collaboration areas and groups.
#[Object]
impl GroupsMutation {
    /// Create a collaboration area (coordinators of the district, admins).
    async fn create_collaboration_area(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new area.")] input: CreateCollaborationAreaInput,
    ) -> async_graphql::Result<CollaborationAreaPayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let (node, user_errors) = mutate(ctx, (), async {
            groups::create_area(
                &st.db,
                actor,
                groups::NewArea {
                    district_id: decode_as(&input.district, NodeType::District, "input.district")?,
                    slug: input.slug,
                    name: input.name,
                    goal: input.goal,
                    situation: input.situation,
                },
            )
            .await
        })
        .await?;
        Ok(CollaborationAreaPayload {
            collaboration_area: node.map(CollaborationArea),
            user_errors,
            client_mutation_id: input.client_mutation_id,
        })
    }

    /// Create a collaboration group (coordinators of the district, admins).
    async fn create_collaboration_group(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new group.")] input: CreateCollaborationGroupInput,
    ) -> async_graphql::Result<CollaborationGroupPayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let (node, user_errors) = mutate(ctx, (), async {
            let district = decode_as(&input.district, NodeType::District, "input.district")?;
            let fields = groups::GroupFields {
                area_id: Some(opt_id(
                    input.area.as_ref(),
                    NodeType::CollaborationArea,
                    "input.area",
                )?),
                name: Some(input.name),
                kind: input.kind.map(Into::into),
                subtitle: Some(input.subtitle),
                purpose: Some(input.purpose),
                situation: Some(input.situation),
                term: Some(input.term),
                term_ends_on: Some(input.term_ends_on.map(Into::into)),
                meeting_cadence: Some(input.meeting_cadence),
                convener: Some(input.convener),
                financing: Some(input.financing),
                communication: Some(input.communication),
                follow_up_cadence: Some(input.follow_up_cadence),
                other_participants: Some(input.other_participants),
                kinds: input.kinds.map(|k| k.into_iter().map(Into::into).collect()),
                valid_from: Some(input.valid_from.map(Into::into)),
                valid_until: Some(input.valid_until.map(Into::into)),
                source_plan_id: Some(opt_id(
                    input.source_plan.as_ref(),
                    NodeType::ActionPlan,
                    "input.sourcePlan",
                )?),
                follow_up_terms: Some(input.follow_up_terms.into_iter().map(Into::into).collect()),
            };
            groups::create_group(&st.db, actor, district, input.slug, fields).await
        })
        .await?;
        Ok(CollaborationGroupPayload {
            collaboration_group: node.map(CollaborationGroup),
            user_errors,
            client_mutation_id: input.client_mutation_id,
        })
    }

    /// Change a collaboration group (coordinators of the district, admins), based on the
    /// version you read.
    async fn update_collaboration_group(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which group, from which version, what changes.")]
        input: UpdateCollaborationGroupInput,
    ) -> async_graphql::Result<CollaborationGroupPayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let id = decode_as(&input.id, NodeType::CollaborationGroup, "input.id");
        let known = id.as_ref().ok().copied();
        let (node, user_errors) = mutate(ctx, known.map(CollaborationGroupId), async {
            let fields = groups::GroupFields {
                area_id: patch_id(input.area, NodeType::CollaborationArea, "input.area")?,
                name: input.name,
                kind: input.kind.map(Into::into),
                subtitle: patch(input.subtitle),
                purpose: patch(input.purpose),
                situation: patch(input.situation),
                term: patch(input.term),
                term_ends_on: patch(input.term_ends_on.map_value(Into::into)),
                meeting_cadence: patch(input.meeting_cadence),
                convener: patch(input.convener),
                financing: patch(input.financing),
                communication: patch(input.communication),
                follow_up_cadence: patch(input.follow_up_cadence),
                other_participants: patch(input.other_participants),
                kinds: input.kinds.map(|k| k.into_iter().map(Into::into).collect()),
                valid_from: patch(input.valid_from.map_value(Into::into)),
                valid_until: patch(input.valid_until.map_value(Into::into)),
                source_plan_id: patch_id(
                    input.source_plan,
                    NodeType::ActionPlan,
                    "input.sourcePlan",
                )?,
                follow_up_terms: input
                    .follow_up_terms
                    .map(|t| t.into_iter().map(Into::into).collect()),
            };
            groups::update_group(&st.db, actor, id?, input.expected_version, fields, false).await
        })
        .await?;
        Ok(CollaborationGroupPayload {
            collaboration_group: node.map(CollaborationGroup),
            user_errors,
            client_mutation_id: input.client_mutation_id,
        })
    }

    /// Archive a collaboration group (coordinators of the district, admins): it leaves
    /// the lists but keeps its history.
    async fn archive_collaboration_group(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which group, from which version.")] input: DeleteInput,
    ) -> async_graphql::Result<CollaborationGroupPayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let (node, user_errors) = mutate(ctx, (), async {
            let id = decode_as(&input.id, NodeType::CollaborationGroup, "input.id")?;
            groups::update_group(
                &st.db,
                actor,
                id,
                input.expected_version,
                groups::GroupFields::default(),
                true,
            )
            .await
        })
        .await?;
        Ok(CollaborationGroupPayload {
            collaboration_group: node.map(CollaborationGroup),
            user_errors,
            client_mutation_id: input.client_mutation_id,
        })
    }
}
