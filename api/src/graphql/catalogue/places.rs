//! Municipalities and their districts (stadsdelsområden): the places every plan, group
//! and report belongs to.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use entity::*;

use crate::graphql::prelude::*;

/// A municipality (kommun), e.g. Stockholms stad.
#[derive(Debug, Clone)]
pub struct Municipality(pub municipality::Model);

/// A municipality (kommun), e.g. Stockholms stad.
#[Object]
impl Municipality {
    /// The municipality's global ID.
    pub(crate) async fn id(&self) -> ID {
        encode(NodeType::Municipality, self.0.id)
    }
    /// Stable readable identifier, e.g. `stockholm`.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// Name, e.g. "Stockholms stad".
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The municipality's districts.
    #[graphql(complexity = "crate::graphql::pagination::page_cost(first, last, child_complexity)")]
    async fn districts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "The first n items (at most 100).")] first: Option<i32>,
        #[graphql(desc = "The last n items (at most 100).")] last: Option<i32>,
    ) -> async_graphql::Result<Page<District>> {
        let args = page_args(
            ctx,
            encode(NodeType::Municipality, self.0.id),
            after,
            before,
            first,
            last,
        )?;
        let rows = load_many(ctx, DistrictsOfMunicipality(self.0.id)).await?;
        Ok(page_vec(rows, |r| r.id, District, args))
    }
    /// The city-wide strategies of the municipality.
    async fn strategies(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Strategy>> {
        let rows = load_many(ctx, StrategiesOfMunicipality(self.0.id)).await?;
        Ok(rows.into_iter().map(Strategy).collect())
    }
}

/// A district (stadsdelsområde) of a municipality.
#[derive(Debug, Clone)]
pub struct District(pub district::Model);

crate::plain_fields!(District: id, slug, name);

/// A district (stadsdelsområde) of a municipality.
#[Object]
impl District {
    /// The district's global ID.
    pub(crate) async fn id(&self) -> ID {
        encode(NodeType::District, self.0.id)
    }
    /// Stable readable identifier, e.g. `skarpnack`.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// Name, e.g. "Skarpnäck".
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The municipality the district belongs to.
    async fn municipality(&self, ctx: &Context<'_>) -> async_graphql::Result<Municipality> {
        Ok(Municipality(
            load_required(ctx, MunicipalityId(self.0.municipality_id)).await?,
        ))
    }
    /// The organizations that serve the district.
    async fn organizations(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Organization>> {
        let rows = load_many(ctx, OrganizationsOfDistrict(self.0.id)).await?;
        Ok(rows.into_iter().map(Organization).collect())
    }
    /// The district's collaboration areas (samverkansområden).
    async fn collaboration_areas(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<CollaborationArea>> {
        let rows = load_many(ctx, AreasOfDistrict(self.0.id)).await?;
        Ok(rows.into_iter().map(CollaborationArea).collect())
    }
    /// The district's collaboration groups.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "crate::graphql::pagination::page_cost(first, last, child_complexity)")]
    async fn collaboration_groups(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only groups of this kind (any of their kinds).")] kind: Option<GroupKind>,
        #[graphql(desc = "Include archived groups.", default = false)] include_archived: bool,
        #[graphql(desc = "Only groups valid on this day (their validFrom/validUntil cover it).")]
        valid_on: Option<crate::graphql::scalars::Date>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "The first n items (at most 100).")] first: Option<i32>,
        #[graphql(desc = "The last n items (at most 100).")] last: Option<i32>,
    ) -> async_graphql::Result<Page<CollaborationGroup>> {
        let args = page_args(
            ctx,
            encode(NodeType::District, self.0.id),
            after,
            before,
            first,
            last,
        )?;
        let kind = kind.map(entity::enums::GroupKind::from);
        let day = valid_on.map(chrono::NaiveDate::from);
        let mut rows: Vec<_> = load_many(ctx, GroupsOfDistrict(self.0.id))
            .await?
            .into_iter()
            .filter(|g| include_archived || g.archived_at.is_none())
            .filter(|g| day.is_none_or(|d| groups::valid_on(g, d)))
            .collect();
        if let Some(k) = kind {
            // Any of a group's kinds: one batch for every group's kinds.
            let kinds =
                futures_util::future::try_join_all(rows.iter().map(|g| group_kinds(ctx, g)))
                    .await?;
            let mut of_kind = kinds.iter().map(|ks| ks.contains(&k));
            rows.retain(|_| of_kind.next().unwrap_or(false));
        }
        Ok(page_vec(rows, |r| r.id, CollaborationGroup, args))
    }
    /// The district's action plans.
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
            encode(NodeType::District, self.0.id),
            after,
            before,
            first,
            last,
        )?;
        let rows = load_many(ctx, ActionPlansOfDistrict(self.0.id)).await?;
        Ok(page_vec(rows, |r| r.id, ActionPlan, args))
    }
    // --- The city's cycle (issue 14).
    /// The situation pictures (lägesbilder) that cover the district and, unless
    /// `includeCityWide` is false, the city-wide ones (which cover every district), in
    /// the order they were recorded.
    #[graphql(complexity = "crate::graphql::pagination::page_cost(first, last, child_complexity)")]
    async fn situation_pictures(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            default = true,
            desc = "Whether city-wide pictures are listed too (default: true)."
        )]
        include_city_wide: bool,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "The first n items (at most 100).")] first: Option<i32>,
        #[graphql(desc = "The last n items (at most 100).")] last: Option<i32>,
    ) -> async_graphql::Result<Page<SituationPicture>> {
        let args = page_args(
            ctx,
            encode(NodeType::District, self.0.id),
            after,
            before,
            first,
            last,
        )?;
        let mut rows = load_many(ctx, SituationPicturesOfDistrict(self.0.id)).await?;
        if include_city_wide {
            rows.extend(load_many(ctx, CityWideSituationPictures).await?);
            rows.sort_by_key(|r| r.id);
            rows.dedup_by_key(|r| r.id);
        }
        Ok(page_vec(rows, |r| r.id, SituationPicture, args))
    }
}

/// Filters of the `districts` list.
#[derive(InputObject, Debug, Default, Clone)]
pub struct DistrictFilterInput {
    /// Districts of this municipality (a Municipality ID).
    pub municipality: Option<ID>,
}

/// Add a district to a municipality (admins).
#[derive(InputObject, Debug)]
pub struct CreateDistrictInput {
    /// The municipality (a Municipality ID).
    pub municipality: ID,
    /// Readable identifier; default: from the name.
    pub slug: Option<String>,
    /// Name.
    pub name: String,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
}

/// The result of creating a district.
#[derive(SimpleObject, Debug)]
pub struct DistrictPayload {
    /// The new district.
    pub district: Option<District>,
    /// Why nothing was changed, if so.
    pub user_errors: Vec<UserError>,
    /// The input's `clientMutationId`.
    pub client_mutation_id: Option<String>,
}

/// Municipalities and districts.
#[derive(Debug, Default)]
pub struct PlacesQuery;

/// Municipalities and districts.
#[Object]
impl PlacesQuery {
    /// Every municipality.
    #[graphql(complexity = "crate::graphql::pagination::STATEMENT_COST + child_complexity")]
    async fn municipalities(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Municipality>> {
        let db = &state(ctx)?.db;
        Ok(municipality::Entity::find()
            .all(db)
            .await
            .map_err(crate::error::AppError::from)?
            .into_iter()
            .map(Municipality)
            .collect())
    }

    /// Districts, optionally of one municipality.
    #[graphql(
        complexity = "crate::graphql::pagination::root_page_cost(first, last, child_complexity)"
    )]
    async fn districts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which districts.")] filter: Option<DistrictFilterInput>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "The first n items (at most 100).")] first: Option<i32>,
        #[graphql(desc = "The last n items (at most 100).")] last: Option<i32>,
    ) -> async_graphql::Result<Page<District>> {
        let args = PageArgs::new(ctx, None, after, before, first, last)?;
        let f = filter.unwrap_or_default();
        let municipality = opt_id(
            f.municipality.as_ref(),
            NodeType::Municipality,
            "filter.municipality",
        )?;
        Ok(page_query(
            &state(ctx)?.db,
            queries::districts(municipality),
            district::Column::Id,
            |m| m.id,
            District,
            args,
            wants_total(ctx),
        )
        .await?)
    }

    /// One district by slug (e.g. `skarpnack`); null when there is none.
    #[graphql(complexity = "crate::graphql::pagination::STATEMENT_COST + child_complexity")]
    async fn district(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The district's slug, e.g. `spanga-tensta`.")] slug: String,
    ) -> async_graphql::Result<Option<District>> {
        Ok(load(ctx, DistrictSlug(slug)).await?.map(District))
    }
}

/// Changes to districts.
#[derive(Debug, Default)]
pub struct PlacesMutation;

/// Changes to districts.
#[Object]
impl PlacesMutation {
    /// Add a district to a municipality (admins).
    async fn create_district(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new district.")] input: CreateDistrictInput,
    ) -> async_graphql::Result<DistrictPayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let (node, user_errors) = mutate(ctx, (), async {
            let m = decode_as(
                &input.municipality,
                NodeType::Municipality,
                "input.municipality",
            )?;
            admin::create_district(&st.db, actor, m, input.slug, &input.name).await
        })
        .await?;
        Ok(DistrictPayload {
            district: node.map(District),
            user_errors,
            client_mutation_id: input.client_mutation_id,
        })
    }
}
