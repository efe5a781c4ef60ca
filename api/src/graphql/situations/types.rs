//! The object types of `situations` (see the parent module).

use super::*;

/// The kind of source a situation picture rests on (strategy 2024–2026, section 5.2).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entity::enums::SourceKind")]
pub enum SituationSourceKind {
    /// Stadens trygghetsmätning (the city's safety survey).
    SafetySurvey,
    /// Stockholmsenkäten (the pupils' survey).
    StockholmSurvey,
    /// Socialtjänstrapporten (the social services' report).
    SocialServicesReport,
    /// Polisens lägesbild (the police's situation picture).
    PoliceSituationPicture,
    /// Any other source, named in `name`.
    Other,
}

/// A situation picture (lägesbild): what a body sees in one or more districts, or the
/// whole city, as of a date — its sources, findings and cause analysis.
#[derive(Debug, Clone)]
pub struct SituationPicture(pub situation_picture::Model);

crate::plain_fields!(SituationPicture: id, slug, title, as_of, summary, city_wide, organization, version, updated_at);

/// A situation picture (lägesbild): what a body sees in one or more districts, or the
/// whole city, as of a date — its sources, findings and cause analysis.
#[Object]
impl SituationPicture {
    /// The picture's global ID.
    pub(crate) async fn id(&self) -> ID {
        encode(NodeType::SituationPicture, self.0.id)
    }
    /// Where the record comes from (its source document, and whether it is a reading
    /// rather than as written); null when it was made in the service (neither seeded nor
    /// imported from a file).
    async fn provenance(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Provenance>> {
        crate::graphql::provenance::of(ctx, "SituationPicture", self.0.id).await
    }
    /// Stable readable identifier, e.g. `skarpnack-sdf-2022-lokal-lagesbild`.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// Title, as written.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// The date it describes (null when the document gives none).
    async fn as_of(&self) -> Option<Date> {
        self.0.as_of.map(Date)
    }
    /// Summary, as written (aggregate facts only).
    async fn summary(&self) -> Option<&str> {
        self.0.summary.as_deref()
    }
    /// Whether it covers the whole city (then `districts` is empty).
    async fn city_wide(&self) -> bool {
        self.0.city_wide
    }
    /// The body that made it.
    async fn organization(&self, ctx: &Context<'_>) -> async_graphql::Result<Organization> {
        Ok(Organization(
            load_required(ctx, OrganizationId(self.0.organization_id)).await?,
        ))
    }
    /// The strategy it was made under; null when none was named.
    async fn strategy(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Strategy>> {
        match self.0.strategy_id {
            Some(id) => Ok(load(ctx, StrategyId(id)).await?.map(Strategy)),
            None => Ok(None),
        }
    }
    /// The districts it covers (empty when city-wide).
    async fn districts(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<District>> {
        let rows = load_many(ctx, DistrictsOfSituationPicture(self.0.id)).await?;
        Ok(rows.into_iter().map(District).collect())
    }
    /// The sources it rests on, in the picture's order.
    async fn sources(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<SituationSource>> {
        let mut rows = load_many(ctx, SourcesOfSituationPicture(self.0.id)).await?;
        rows.sort_by_key(|r| (r.position, r.id));
        Ok(rows.into_iter().map(SituationSource).collect())
    }
    /// What it found, in the picture's order.
    async fn findings(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Finding>> {
        let mut rows = load_many(ctx, FindingsOfSituationPicture(self.0.id)).await?;
        rows.sort_by_key(|r| (r.position, r.id));
        Ok(rows.into_iter().map(Finding).collect())
    }
    /// Its cause analysis (orsaksanalys); null while there is none.
    async fn cause_analysis(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<CauseAnalysis>> {
        let rows = load_many(ctx, CauseAnalysesOfSituationPicture(self.0.id)).await?;
        Ok(rows.into_iter().next().map(CauseAnalysis))
    }
    /// The action plans that rest on it (`ActionPlan.basedOn`).
    async fn action_plans(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ActionPlan>> {
        let rows = load_many(ctx, ActionPlansOfSituationPicture(self.0.id)).await?;
        Ok(rows.into_iter().map(ActionPlan).collect())
    }
    /// Version, raised by every edit.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When it was last changed.
    async fn updated_at(&self) -> DateTime {
        self.0.updated_at.into()
    }
    /// Whether the caller may change it and its cause analysis (a coordinator of every
    /// district it covers, the owning body's editors, an admin; city-wide: the owner's
    /// editors and admins).
    async fn viewer_can_update(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        let districts: Vec<i32> = load_many(ctx, DistrictsOfSituationPicture(self.0.id))
            .await?
            .iter()
            .map(|d| d.id)
            .collect();
        let (owner, city_wide) = (self.0.organization_id, self.0.city_wide);
        can(ctx, |a| {
            authz::situation_picture(a, owner, &districts, city_wide, "")
        })
        .await
    }
}

/// A source a situation picture rests on.
#[derive(Debug, Clone)]
pub struct SituationSource(pub situation_source::Model);

/// A source a situation picture rests on.
#[Object]
impl SituationSource {
    /// Its kind.
    async fn kind(&self) -> SituationSourceKind {
        self.0.kind.into()
    }
    /// Its name as written, e.g. "Stockholmsenkäten".
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The year of the edition used, when given.
    async fn year(&self) -> Option<i32> {
        self.0.year
    }
}

/// A finding of a situation picture: an aggregate fact, tied to the priority or focus
/// area it concerns.
#[derive(Debug, Clone)]
pub struct Finding(pub finding::Model);

/// A finding of a situation picture: an aggregate fact, tied to the priority or focus
/// area it concerns.
#[Object]
impl Finding {
    /// The finding's global ID.
    pub(crate) async fn id(&self) -> ID {
        encode(NodeType::Finding, self.0.id)
    }
    /// Where the record comes from (its source document, and whether it is a reading
    /// rather than as written); null when it was made in the service (neither seeded nor
    /// imported from a file).
    async fn provenance(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Provenance>> {
        crate::graphql::provenance::of(ctx, "Finding", self.0.id).await
    }
    /// The finding, as written (aggregate facts only).
    async fn text(&self) -> &str {
        &self.0.text
    }
    /// Position within the picture (1 = first).
    async fn position(&self) -> i32 {
        self.0.position
    }
    /// The priority area it concerns.
    async fn priority_area(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<PriorityArea>> {
        match self.0.priority_area_id {
            Some(id) => Ok(load(ctx, PriorityAreaId(id)).await?.map(PriorityArea)),
            None => Ok(None),
        }
    }
    /// The focus area it concerns.
    async fn focus_area(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<FocusArea>> {
        match self.0.focus_area_id {
            Some(id) => Ok(load(ctx, FocusAreaId(id)).await?.map(FocusArea)),
            None => Ok(None),
        }
    }
    /// The situation picture it belongs to.
    async fn situation_picture(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<SituationPicture> {
        Ok(SituationPicture(
            load_required(ctx, SituationPictureId(self.0.situation_picture_id)).await?,
        ))
    }
}

/// A cause analysis (orsaksanalys) of a situation picture: the causes behind its
/// findings.
#[derive(Debug, Clone)]
pub struct CauseAnalysis(pub cause_analysis::Model);

/// A cause analysis (orsaksanalys) of a situation picture: the causes behind its
/// findings.
#[Object]
impl CauseAnalysis {
    /// The analysis's global ID.
    pub(crate) async fn id(&self) -> ID {
        encode(NodeType::CauseAnalysis, self.0.id)
    }
    /// Where the record comes from (its source document, and whether it is a reading
    /// rather than as written); null when it was made in the service (neither seeded nor
    /// imported from a file).
    async fn provenance(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Provenance>> {
        crate::graphql::provenance::of(ctx, "CauseAnalysis", self.0.id).await
    }
    /// The date it was made (null when the document gives none).
    async fn as_of(&self) -> Option<Date> {
        self.0.as_of.map(Date)
    }
    /// Summary, as written.
    async fn summary(&self) -> Option<&str> {
        self.0.summary.as_deref()
    }
    /// Its causes, in order.
    async fn causes(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Cause>> {
        let mut rows = load_many(ctx, CausesOfAnalysis(self.0.id)).await?;
        rows.sort_by_key(|r| (r.position, r.id));
        Ok(rows.into_iter().map(Cause).collect())
    }
    /// The situation picture it analyses.
    async fn situation_picture(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<SituationPicture> {
        Ok(SituationPicture(
            load_required(ctx, SituationPictureId(self.0.situation_picture_id)).await?,
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
    /// Whether the caller may replace or remove it (the rule of its situation picture).
    async fn viewer_can_update(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        let picture_id = self.0.situation_picture_id;
        let (picture, districts) = futures_util::try_join!(
            load_required(ctx, SituationPictureId(picture_id)),
            load_many(ctx, DistrictsOfSituationPicture(picture_id)),
        )?;
        let districts: Vec<i32> = districts.iter().map(|d| d.id).collect();
        can(ctx, |a| {
            authz::situation_picture(
                a,
                picture.organization_id,
                &districts,
                picture.city_wide,
                "",
            )
        })
        .await
    }
}

/// A cause named by a cause analysis, with the findings it explains.
#[derive(Debug, Clone)]
pub struct Cause(pub cause::Model);

/// A cause named by a cause analysis, with the findings it explains.
#[Object]
impl Cause {
    /// The cause, as written.
    async fn text(&self) -> &str {
        &self.0.text
    }
    /// Position within the analysis (1 = first).
    async fn position(&self) -> i32 {
        self.0.position
    }
    /// The findings of the picture it explains.
    async fn findings(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Finding>> {
        let rows = load_many(ctx, FindingsOfCause(self.0.id)).await?;
        Ok(rows.into_iter().map(Finding).collect())
    }
}
