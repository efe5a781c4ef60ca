//! The object types of `strategies` (see the parent module).

use super::*;

/// A city-wide strategy that the districts' plans follow.
#[derive(Debug, Clone)]
pub struct Strategy(pub strategy::Model);

/// A city-wide strategy that the districts' plans follow.
#[Object]
impl Strategy {
    /// The strategy's global ID.
    pub(crate) async fn id(&self) -> ID {
        encode(NodeType::Strategy, self.0.id)
    }
    /// Where the record comes from (its source document, and whether it is a reading
    /// rather than as written); null when it was made in the service (neither seeded nor
    /// imported from a file).
    async fn provenance(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Provenance>> {
        crate::graphql::provenance::of(ctx, "Strategy", self.0.id).await
    }
    /// Stable readable identifier, e.g. `stockholm-2024-2026`.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// The strategy's title as written.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Summary, as written.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// First year it covers.
    async fn start_year(&self) -> i32 {
        self.0.start_year
    }
    /// Last year it covers.
    async fn end_year(&self) -> i32 {
        self.0.end_year
    }
    /// The municipality whose strategy it is.
    async fn municipality(&self, ctx: &Context<'_>) -> async_graphql::Result<Municipality> {
        Ok(Municipality(
            load_required(ctx, MunicipalityId(self.0.municipality_id)).await?,
        ))
    }
    /// Its priority areas, in the strategy's order.
    async fn priority_areas(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<PriorityArea>> {
        let mut rows = load_many(ctx, PriorityAreasOfStrategy(self.0.id)).await?;
        rows.sort_by_key(|r| (r.position, r.id));
        Ok(rows.into_iter().map(PriorityArea).collect())
    }
    /// The district action plans that follow it.
    async fn action_plans(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ActionPlan>> {
        let rows = load_many(ctx, ActionPlansOfStrategy(self.0.id)).await?;
        Ok(rows.into_iter().map(ActionPlan).collect())
    }
    /// The strategy this one follows on from (2024–2026 follows 2019–2022); null for the
    /// first of its line. Seeded from the strategies' own words.
    async fn predecessor(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Strategy>> {
        match self.0.predecessor_id {
            Some(id) => Ok(load(ctx, StrategyId(id)).await?.map(Strategy)),
            None => Ok(None),
        }
    }
    /// The strategy that follows on from this one (whose `predecessor` it is); null while
    /// there is none. Should two name it, the first recorded.
    async fn successor(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Strategy>> {
        let rows = load_many(ctx, SuccessorsOfStrategy(self.0.id)).await?;
        Ok(rows.into_iter().next().map(Strategy))
    }
    /// What it obliges the bodies it binds to deliver (lägesbild, orsaksanalys,
    /// åtgärdsplan, tertial follow-ups), with where each stands; seeded from the strategy
    /// 2024–2026, section 5.1.
    #[graphql(complexity = "crate::graphql::pagination::page_cost(first, last, child_complexity)")]
    async fn obligations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which obligations.")] filter: Option<ObligationFilterInput>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "The first n items (at most 100).")] first: Option<i32>,
        #[graphql(desc = "The last n items (at most 100).")] last: Option<i32>,
    ) -> async_graphql::Result<Page<Obligation>> {
        let args = page_args(
            ctx,
            encode(NodeType::Strategy, self.0.id),
            after,
            before,
            first,
            last,
        )?;
        let rows = load_many(ctx, ObligationsOfStrategy(self.0.id)).await?;
        Ok(obligation_page(rows, filter, args)?)
    }
}

/// A priority area (prioriterat område) of a strategy.
#[derive(Debug, Clone)]
pub struct PriorityArea(pub priority_area::Model);

/// A priority area (prioriterat område) of a strategy.
#[Object]
impl PriorityArea {
    /// The priority area's global ID.
    pub(crate) async fn id(&self) -> ID {
        encode(NodeType::PriorityArea, self.0.id)
    }
    /// Where the record comes from (its source document, and whether it is a reading
    /// rather than as written); null when it was made in the service (neither seeded nor
    /// imported from a file).
    async fn provenance(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Provenance>> {
        crate::graphql::provenance::of(ctx, "PriorityArea", self.0.id).await
    }
    /// Stable readable identifier.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// Name, e.g. "Strukturerad samverkan".
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The section's opening text, as written.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// Position within the strategy (1 = first).
    async fn position(&self) -> i32 {
        self.0.position
    }
    /// The strategy it belongs to.
    async fn strategy(&self, ctx: &Context<'_>) -> async_graphql::Result<Strategy> {
        Ok(Strategy(
            load_required(ctx, StrategyId(self.0.strategy_id)).await?,
        ))
    }
    /// The predecessor strategy's priority area this one continues (the strategy says
    /// its areas are those of the one before); null when it continues none.
    async fn continues(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<PriorityArea>> {
        match self.0.continues_id {
            Some(id) => Ok(load(ctx, PriorityAreaId(id)).await?.map(PriorityArea)),
            None => Ok(None),
        }
    }
    /// The successor strategies' priority areas that continue this one (empty when none
    /// does), in the order they were recorded.
    async fn continued_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<PriorityArea>> {
        let rows = load_many(ctx, PriorityAreasContinuing(self.0.id)).await?;
        Ok(rows.into_iter().map(PriorityArea).collect())
    }
    /// Its focus areas, in the strategy's order.
    async fn focus_areas(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<FocusArea>> {
        let mut rows = load_many(ctx, FocusAreasOfPriorityArea(self.0.id)).await?;
        rows.sort_by_key(|r| (r.position, r.id));
        Ok(rows.into_iter().map(FocusArea).collect())
    }
    /// The activities under this priority area, in every district.
    #[graphql(complexity = "crate::graphql::pagination::page_cost(first, last, child_complexity)")]
    async fn activities(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "The first n items (at most 100).")] first: Option<i32>,
        #[graphql(desc = "The last n items (at most 100).")] last: Option<i32>,
    ) -> async_graphql::Result<Page<Activity>> {
        let args = page_args(
            ctx,
            encode(NodeType::PriorityArea, self.0.id),
            after,
            before,
            first,
            last,
        )?;
        let rows = load_many(ctx, ActivitiesOfPriorityArea(self.0.id)).await?;
        Ok(page_vec(rows, |r| r.id, Activity, args))
    }
}

/// A focus area (område) under a priority area.
#[derive(Debug, Clone)]
pub struct FocusArea(pub focus_area::Model);

/// A focus area (område) under a priority area.
#[Object]
impl FocusArea {
    /// The focus area's global ID.
    pub(crate) async fn id(&self) -> ID {
        encode(NodeType::FocusArea, self.0.id)
    }
    /// Where the record comes from (its source document, and whether it is a reading
    /// rather than as written); null when it was made in the service (neither seeded nor
    /// imported from a file).
    async fn provenance(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Provenance>> {
        crate::graphql::provenance::of(ctx, "FocusArea", self.0.id).await
    }
    /// Stable readable identifier.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// Name, e.g. "Samlad kompetens".
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The section's opening text, as written.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// Position within the priority area (1 = first).
    async fn position(&self) -> i32 {
        self.0.position
    }
    /// The priority area it belongs to.
    async fn priority_area(&self, ctx: &Context<'_>) -> async_graphql::Result<PriorityArea> {
        Ok(PriorityArea(
            load_required(ctx, PriorityAreaId(self.0.priority_area_id)).await?,
        ))
    }
    /// The predecessor strategy's focus area this one continues; null when it continues
    /// none.
    async fn continues(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<FocusArea>> {
        match self.0.continues_id {
            Some(id) => Ok(load(ctx, FocusAreaId(id)).await?.map(FocusArea)),
            None => Ok(None),
        }
    }
    /// The successor strategies' focus areas that continue this one (empty when none
    /// does), in the order they were recorded.
    async fn continued_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<FocusArea>> {
        let rows = load_many(ctx, FocusAreasContinuing(self.0.id)).await?;
        Ok(rows.into_iter().map(FocusArea).collect())
    }
    /// The activities under this focus area, in every district.
    #[graphql(complexity = "crate::graphql::pagination::page_cost(first, last, child_complexity)")]
    async fn activities(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "The first n items (at most 100).")] first: Option<i32>,
        #[graphql(desc = "The last n items (at most 100).")] last: Option<i32>,
    ) -> async_graphql::Result<Page<Activity>> {
        let args = page_args(
            ctx,
            encode(NodeType::FocusArea, self.0.id),
            after,
            before,
            first,
            last,
        )?;
        let rows = load_many(ctx, ActivitiesOfFocusArea(self.0.id)).await?;
        Ok(page_vec(rows, |r| r.id, Activity, args))
    }
}

/// A named method or programme (ABC, KOMET, MVP, SIG, …) from the method catalogue.
#[derive(Debug, Clone)]
pub struct Method(pub method::Model);

crate::plain_fields!(Method: id, slug, name, abbreviation, description);
crate::plain_fields!(PriorityArea: id, slug, name, description, position);
crate::plain_fields!(FocusArea: id, slug, name, description, position);

/// A named method or programme (ABC, KOMET, MVP, SIG, …) from the method catalogue.
#[Object]
impl Method {
    /// The method's global ID.
    pub(crate) async fn id(&self) -> ID {
        encode(NodeType::Method, self.0.id)
    }
    /// Where the record comes from (its source document, and whether it is a reading
    /// rather than as written); null when it was made in the service (neither seeded nor
    /// imported from a file).
    async fn provenance(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Provenance>> {
        crate::graphql::provenance::of(ctx, "Method", self.0.id).await
    }
    /// Stable readable identifier, e.g. `mvp`.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// Name, e.g. "Mentorer i våldsprevention".
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Short form, e.g. "MVP".
    async fn abbreviation(&self) -> Option<&str> {
        self.0.abbreviation.as_deref()
    }
    /// Whether the caller may change the method (admins).
    async fn viewer_can_update(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        can(ctx, |a| authz::admin(a, "")).await
    }
    /// What the strategy says of it, as written.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// The activities that use it, in every district.
    #[graphql(complexity = "crate::graphql::pagination::page_cost(first, last, child_complexity)")]
    async fn activities(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "The first n items (at most 100).")] first: Option<i32>,
        #[graphql(desc = "The last n items (at most 100).")] last: Option<i32>,
    ) -> async_graphql::Result<Page<Activity>> {
        let args = page_args(
            ctx,
            encode(NodeType::Method, self.0.id),
            after,
            before,
            first,
            last,
        )?;
        let rows = load_many(ctx, ActivitiesOfMethod(self.0.id)).await?;
        Ok(page_vec(rows, |r| r.id, Activity, args))
    }
}
