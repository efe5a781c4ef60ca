//! Organizations: the agencies that work together (district administrations, police,
//! schools, social services, housing companies, transit, civil society …), and the
//! districts each serves.

use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use entity::*;

use crate::graphql::prelude::*;

/// What kind of body an organization is.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entity::enums::OrganizationKind")]
pub enum OrganizationKind {
    /// A district administration (stadsdelsförvaltning, SDF).
    DistrictAdministration,
    /// The police: a region or a local police area (lokalpolisområde, LPO).
    Police,
    /// Education: utbildningsförvaltningen or a school.
    Education,
    /// A city-wide administration (socialförvaltningen, trafikkontoret, …).
    CityAdministration,
    /// The region (hälso- och sjukvård, BUP).
    Region,
    /// A housing company (bostadsbolag).
    HousingCompany,
    /// Public transport (e.g. MTR).
    Transit,
    /// A security company (e.g. AVARN).
    SecurityCompany,
    /// Civil society: associations, congregations, foundations.
    CivilSociety,
    /// Business and merchants.
    Business,
    /// Anything else.
    Other,
}

/// An organization taking part in the collaboration: an agency, a company, an
/// association.
#[derive(Debug, Clone)]
pub struct Organization(pub organization::Model);

crate::plain_fields!(Organization: id, slug, name, kind, parent);
crate::plain_enums!(OrganizationKind);

/// An organization taking part in the collaboration: an agency, a company, an
/// association.
#[Object]
impl Organization {
    /// The organization's global ID.
    pub(crate) async fn id(&self) -> ID {
        encode(NodeType::Organization, self.0.id)
    }
    /// Where the record comes from (its source document, and whether it is a reading
    /// rather than as written); null when it was made in the service (neither seeded nor
    /// imported from a file).
    async fn provenance(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Provenance>> {
        crate::graphql::provenance::of(ctx, "Organization", self.0.id).await
    }
    /// Stable readable identifier, e.g. `skarpnack-sdf`, `lpo-farsta`; tokens name it in
    /// their `org` claim.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// Name, e.g. "Skarpnäcks stadsdelsförvaltning".
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// What kind of body it is.
    async fn kind(&self) -> OrganizationKind {
        self.0.kind.into()
    }
    /// Whether the caller may change the organization: national admins, and admins of a
    /// municipality it works in (who may add or remove only their own districts).
    async fn viewer_can_update(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        let id = self.0.id;
        can(ctx, |a| authz::organization(a, id, &[], &[])).await
    }
    /// The organization it belongs to (a local police area's region, a school's
    /// administration).
    async fn parent(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Organization>> {
        match self.0.parent_id {
            Some(id) => Ok(load(ctx, OrganizationId(id)).await?.map(Organization)),
            None => Ok(None),
        }
    }
    /// Organizations that belong to this one.
    async fn children(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Organization>> {
        let rows = load_many(ctx, ChildrenOfOrganization(self.0.id)).await?;
        Ok(rows.into_iter().map(Organization).collect())
    }
    /// The districts it serves (empty for city-wide bodies).
    async fn districts(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<District>> {
        let rows = load_many(ctx, DistrictsOfOrganization(self.0.id)).await?;
        Ok(rows.into_iter().map(District).collect())
    }
    /// Its seats in collaboration groups.
    async fn participations(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<PlainList<Participation>> {
        let rows = load_many(ctx, ParticipationsOfOrganization(self.0.id)).await?;
        Ok(rows.into_iter().map(Participation).collect())
    }
    /// Its commitments, in every district and group.
    #[graphql(complexity = "crate::graphql::pagination::page_cost(first, last, child_complexity)")]
    async fn commitments(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "The first n items (at most 100).")] first: Option<i32>,
        #[graphql(desc = "The last n items (at most 100).")] last: Option<i32>,
    ) -> async_graphql::Result<Page<Commitment>> {
        let args = page_args(
            ctx,
            encode(NodeType::Organization, self.0.id),
            after,
            before,
            first,
            last,
        )?;
        let rows = load_many(ctx, CommitmentsOfOrganization(self.0.id)).await?;
        Ok(page_vec(rows, |r| r.id, Commitment, args))
    }
    /// The activity responsibilities it carries.
    async fn responsibilities(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<Responsibility>> {
        let rows = load_many(ctx, ResponsibilitiesOfOrganization(self.0.id)).await?;
        Ok(rows.into_iter().map(Responsibility).collect())
    }
    // --- The city's cycle (issue 14).
    /// The action plans it owns: a district administration's district plans, a
    /// facknämnd's own plans (with or without a district).
    #[graphql(complexity = "crate::graphql::pagination::page_cost(first, last, child_complexity)")]
    async fn action_plans(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "The first n items (at most 100).")] first: Option<i32>,
        #[graphql(desc = "The last n items (at most 100).")] last: Option<i32>,
    ) -> async_graphql::Result<Page<ActionPlan>> {
        let args = page_args(
            ctx,
            encode(NodeType::Organization, self.0.id),
            after,
            before,
            first,
            last,
        )?;
        let rows = load_many(ctx, ActionPlansOfOrganization(self.0.id)).await?;
        Ok(page_vec(rows, |r| r.id, ActionPlan, args))
    }
    /// The situation pictures (lägesbilder) it made.
    #[graphql(complexity = "crate::graphql::pagination::page_cost(first, last, child_complexity)")]
    async fn situation_pictures(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "The first n items (at most 100).")] first: Option<i32>,
        #[graphql(desc = "The last n items (at most 100).")] last: Option<i32>,
    ) -> async_graphql::Result<Page<SituationPicture>> {
        let args = page_args(
            ctx,
            encode(NodeType::Organization, self.0.id),
            after,
            before,
            first,
            last,
        )?;
        let rows = load_many(ctx, SituationPicturesOfOrganization(self.0.id)).await?;
        Ok(page_vec(rows, |r| r.id, SituationPicture, args))
    }
    /// What the strategies oblige it to deliver, with where each stands.
    #[graphql(complexity = "crate::graphql::pagination::page_cost(first, last, child_complexity)")]
    async fn obligations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which obligations (its `organization` is ignored here).")] filter: Option<
            ObligationFilterInput,
        >,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "The first n items (at most 100).")] first: Option<i32>,
        #[graphql(desc = "The last n items (at most 100).")] last: Option<i32>,
    ) -> async_graphql::Result<Page<Obligation>> {
        let args = page_args(
            ctx,
            encode(NodeType::Organization, self.0.id),
            after,
            before,
            first,
            last,
        )?;
        let rows = load_many(ctx, ObligationsOfOrganization(self.0.id)).await?;
        let filter = filter.map(|f| ObligationFilterInput {
            organization: None,
            ..f
        });
        Ok(obligation_page(rows, filter, args)?)
    }
}

/// Filters of the `organizations` list.
#[derive(InputObject, Debug, Default, Clone)]
pub struct OrganizationFilterInput {
    /// Organizations of this kind.
    pub kind: Option<OrganizationKind>,
    /// Organizations serving this district (a District ID).
    pub district: Option<ID>,
}

/// Add an organization (admins).
#[derive(InputObject, Debug)]
pub struct CreateOrganizationInput {
    /// Readable identifier, used in tokens' `org`; default: from the name.
    pub slug: Option<String>,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: OrganizationKind,
    /// The organization it belongs to (an Organization ID).
    pub parent: Option<ID>,
    /// The districts it serves (District IDs).
    #[graphql(default)]
    pub districts: Vec<ID>,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
}

/// Change an organization (admins); omitted fields stay.
#[derive(InputObject, Debug)]
pub struct UpdateOrganizationInput {
    /// The organization (an Organization ID).
    pub id: ID,
    /// Name.
    pub name: Option<String>,
    /// Kind.
    pub kind: Option<OrganizationKind>,
    /// The organization it belongs to; `null` clears.
    pub parent: MaybeUndefined<ID>,
    /// The districts it serves (replaces the set).
    pub districts: Option<Vec<ID>>,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
}

/// The result of an organization mutation.
#[derive(SimpleObject, Debug)]
pub struct OrganizationPayload {
    /// The organization after the change.
    pub organization: Option<Organization>,
    /// Why nothing was changed, if so.
    pub user_errors: Vec<UserError>,
    /// The input's `clientMutationId`.
    pub client_mutation_id: Option<String>,
}

/// Organizations.
#[derive(Debug, Default)]
pub struct OrganizationsQuery;

/// Organizations.
#[Object]
impl OrganizationsQuery {
    /// Organizations, optionally of one kind or serving one district.
    #[graphql(
        complexity = "crate::graphql::pagination::root_page_cost(first, last, child_complexity)"
    )]
    async fn organizations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which organizations.")] filter: Option<OrganizationFilterInput>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "The first n items (at most 100).")] first: Option<i32>,
        #[graphql(desc = "The last n items (at most 100).")] last: Option<i32>,
    ) -> async_graphql::Result<Page<Organization>> {
        let args = PageArgs::new(ctx, None, after, before, first, last)?;
        let f = filter.unwrap_or_default();
        let q = queries::OrganizationFilter {
            kind: f.kind.map(Into::into),
            district: opt_id(f.district.as_ref(), NodeType::District, "filter.district")?,
        };
        Ok(page_query(
            &state(ctx)?.db,
            queries::organizations(&q),
            organization::Column::Id,
            |m| m.id,
            Organization,
            args,
            wants_total(ctx),
        )
        .await?)
    }

    /// One organization by slug (e.g. `lpo-farsta`); null when there is none.
    #[graphql(complexity = "crate::graphql::pagination::STATEMENT_COST + child_complexity")]
    async fn organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organization's slug, e.g. `utbildningsforvaltningen`.")] slug: String,
    ) -> async_graphql::Result<Option<Organization>> {
        Ok(load(ctx, OrganizationSlug(slug)).await?.map(Organization))
    }
}

/// Changes to organizations.
#[derive(Debug, Default)]
pub struct OrganizationsMutation;

/// Changes to organizations.
#[Object]
impl OrganizationsMutation {
    /// Add an organization (admins).
    async fn create_organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new organization.")] input: CreateOrganizationInput,
    ) -> async_graphql::Result<OrganizationPayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let (node, user_errors) = mutate(ctx, (), async {
            let district_ids = input
                .districts
                .iter()
                .map(|d| decode_as(d, NodeType::District, "input.districts"))
                .collect::<AppResult<Vec<_>>>()?;
            admin::create_organization(
                &st.db,
                actor,
                admin::NewOrganization {
                    slug: input.slug,
                    name: input.name,
                    kind: input.kind.into(),
                    parent_id: opt_id(
                        input.parent.as_ref(),
                        NodeType::Organization,
                        "input.parent",
                    )?,
                    district_ids,
                },
            )
            .await
        })
        .await?;
        Ok(OrganizationPayload {
            organization: node.map(Organization),
            user_errors,
            client_mutation_id: input.client_mutation_id,
        })
    }

    /// Change an organization (admins).
    async fn update_organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which organization, what changes.")] input: UpdateOrganizationInput,
    ) -> async_graphql::Result<OrganizationPayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let (node, user_errors) = mutate(ctx, (), async {
            let id = decode_as(&input.id, NodeType::Organization, "input.id")?;
            let district_ids = input
                .districts
                .as_ref()
                .map(|ds| {
                    ds.iter()
                        .map(|d| decode_as(d, NodeType::District, "input.districts"))
                        .collect::<AppResult<Vec<_>>>()
                })
                .transpose()?;
            admin::update_organization(
                &st.db,
                actor,
                id,
                admin::OrganizationChanges {
                    name: input.name,
                    kind: input.kind.map(Into::into),
                    parent_id: patch_id(input.parent, NodeType::Organization, "input.parent")?,
                    district_ids,
                },
            )
            .await
        })
        .await?;
        Ok(OrganizationPayload {
            organization: node.map(Organization),
            user_errors,
            client_mutation_id: input.client_mutation_id,
        })
    }
}
