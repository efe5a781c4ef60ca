//! Situation pictures (lägesbilder) and cause analyses (orsaksanalyser): what a body sees
//! in its districts or city-wide, on what it rests, what it found, and why. Aggregate
//! facts only: every field is a text, number, date or link to a place, area or body —
//! none holds a person (see `services/situations.rs`).

use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use entity::*;

use crate::graphql::prelude::*;
use crate::graphql::scalars::{Date, DateTime};
use crate::services::situations;

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

/// A situation picture (lägesbild): what a body sees in one or more districts, or the
/// whole city, as of a date — its sources, findings and cause analysis.
#[Object]
impl SituationPicture {
    /// The picture's global ID.
    pub(crate) async fn id(&self) -> ID {
        encode(NodeType::SituationPicture, self.0.id)
    }
    /// Where the record comes from (its source document, and whether it is a reading
    /// rather than as written); null when it was made in the service, not seeded.
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
    /// rather than as written); null when it was made in the service, not seeded.
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
    /// rather than as written); null when it was made in the service, not seeded.
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

/// A source of a situation picture.
#[derive(InputObject, Debug)]
pub struct SituationSourceInput {
    /// Its kind.
    pub kind: SituationSourceKind,
    /// Its name as written (at most 500 characters).
    pub name: String,
    /// The year of the edition used.
    pub year: Option<i32>,
}

/// A finding of a situation picture (an aggregate fact; never about a person).
#[derive(InputObject, Debug)]
pub struct FindingInput {
    /// On update: an existing finding of the picture (a Finding ID) to keep, so that the
    /// causes pointing to it keep pointing to it; omit for a new finding.
    pub id: Option<ID>,
    /// The finding (at most 8000 characters).
    pub text: String,
    /// The priority area it concerns (a PriorityArea ID).
    pub priority_area: Option<ID>,
    /// The focus area it concerns (a FocusArea ID, of `priorityArea` when both are given).
    pub focus_area: Option<ID>,
}

/// Create a situation picture.
#[derive(InputObject, Debug)]
pub struct CreateSituationPictureInput {
    /// The body that made it (an Organization ID).
    pub organization: ID,
    /// The strategy it was made under (a Strategy ID).
    pub strategy: Option<ID>,
    /// Readable identifier; default: from the body, the year and the title.
    pub slug: Option<String>,
    /// Title (at most 500 characters).
    pub title: String,
    /// The date it describes.
    pub as_of: Option<Date>,
    /// Summary (at most 8000 characters; aggregate facts only).
    pub summary: Option<String>,
    /// Whether it covers the whole city (then name no districts).
    #[graphql(default)]
    pub city_wide: bool,
    /// The districts it covers (District IDs); at least one unless city-wide.
    #[graphql(default)]
    pub districts: Vec<ID>,
    /// Its sources, in order.
    #[graphql(default)]
    pub sources: Vec<SituationSourceInput>,
    /// Its findings, in order (without ids).
    #[graphql(default)]
    pub findings: Vec<FindingInput>,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
}

/// Change a situation picture; omitted fields stay, `null` clears; a list given replaces
/// the whole list.
#[derive(InputObject, Debug)]
pub struct UpdateSituationPictureInput {
    /// The picture (a SituationPicture ID).
    pub id: ID,
    /// The version the edit was based on.
    pub expected_version: i32,
    /// The strategy it was made under (a Strategy ID).
    pub strategy: MaybeUndefined<ID>,
    /// Title.
    pub title: Option<String>,
    /// The date it describes.
    pub as_of: MaybeUndefined<Date>,
    /// Summary.
    pub summary: MaybeUndefined<String>,
    /// Whether it covers the whole city.
    pub city_wide: Option<bool>,
    /// The districts it covers (District IDs); replaces the set.
    pub districts: Option<Vec<ID>>,
    /// Its sources, in order; replaces the list.
    pub sources: Option<Vec<SituationSourceInput>>,
    /// Its findings, in order; replaces the list (findings named by `id` are kept, the
    /// others not listed are removed with the causes' links to them).
    pub findings: Option<Vec<FindingInput>>,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
}

/// The result of a situation picture mutation.
#[derive(SimpleObject, Debug)]
pub struct SituationPicturePayload {
    /// The picture after the change; on a `CONFLICT`, the current picture.
    pub situation_picture: Option<SituationPicture>,
    /// Why nothing was changed, if so.
    pub user_errors: Vec<UserError>,
    /// The input's `clientMutationId`.
    pub client_mutation_id: Option<String>,
}

/// A cause of a cause analysis.
#[derive(InputObject, Debug)]
pub struct CauseInput {
    /// The cause (at most 8000 characters).
    pub text: String,
    /// The findings of the same picture it explains (Finding IDs).
    #[graphql(default)]
    pub findings: Vec<ID>,
}

/// Create the cause analysis of a situation picture, or replace the one it has.
#[derive(InputObject, Debug)]
pub struct SetCauseAnalysisInput {
    /// The picture (a SituationPicture ID).
    pub situation_picture: ID,
    /// The version of the picture's current analysis the edit was based on; omit when it
    /// has none. Stale, or omitted while one exists: `CONFLICT` with the current analysis.
    pub expected_version: Option<i32>,
    /// The date it was made.
    pub as_of: Option<Date>,
    /// Summary (at most 8000 characters).
    pub summary: Option<String>,
    /// Its causes, in order (replace the causes it had).
    #[graphql(default)]
    pub causes: Vec<CauseInput>,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
}

/// The result of a cause analysis mutation.
#[derive(SimpleObject, Debug)]
pub struct CauseAnalysisPayload {
    /// The analysis after the change; on a `CONFLICT`, the current analysis.
    pub cause_analysis: Option<CauseAnalysis>,
    /// Why nothing was changed, if so.
    pub user_errors: Vec<UserError>,
    /// The input's `clientMutationId`.
    pub client_mutation_id: Option<String>,
}

/// Situation pictures.
#[derive(Debug, Default)]
pub struct SituationsQuery;

/// Situation pictures.
#[Object]
impl SituationsQuery {
    /// One situation picture by slug; null when there is none.
    #[graphql(complexity = "crate::graphql::pagination::STATEMENT_COST + child_complexity")]
    async fn situation_picture(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The picture's slug.")] slug: String,
    ) -> async_graphql::Result<Option<SituationPicture>> {
        let db = &state(ctx)?.db;
        Ok(situation_picture::Entity::find()
            .filter(situation_picture::Column::Slug.eq(slug))
            .one(db)
            .await
            .map_err(AppError::from)?
            .map(SituationPicture))
    }
}

fn sources(input: Vec<SituationSourceInput>) -> Vec<situations::NewSource> {
    input
        .into_iter()
        .map(|s| situations::NewSource {
            kind: s.kind.into(),
            name: s.name,
            year: s.year,
        })
        .collect()
}

fn findings(input: Vec<FindingInput>) -> AppResult<Vec<situations::NewFinding>> {
    input
        .into_iter()
        .enumerate()
        .map(|(i, f)| {
            Ok(situations::NewFinding {
                id: opt_id(
                    f.id.as_ref(),
                    NodeType::Finding,
                    &format!("input.findings.{i}.id"),
                )?,
                text: f.text,
                priority_area_id: opt_id(
                    f.priority_area.as_ref(),
                    NodeType::PriorityArea,
                    &format!("input.findings.{i}.priorityArea"),
                )?,
                focus_area_id: opt_id(
                    f.focus_area.as_ref(),
                    NodeType::FocusArea,
                    &format!("input.findings.{i}.focusArea"),
                )?,
            })
        })
        .collect()
}

fn district_ids(ids: &[ID]) -> AppResult<Vec<i32>> {
    ids.iter()
        .enumerate()
        .map(|(i, d)| decode_as(d, NodeType::District, &format!("input.districts.{i}")))
        .collect()
}

/// After a situation picture or analysis of `picture` was saved: tell the subscribers of
/// the obligations it may deliver.
async fn announce_picture(
    ctx: &Context<'_>,
    action: &'static str,
    picture: &situation_picture::Model,
) {
    let Ok(st) = state(ctx) else { return };
    let kinds = [
        entity::enums::ObligationKind::SituationPicture,
        entity::enums::ObligationKind::CauseAnalysis,
    ];
    match obligations::concerned(&st.db, picture.organization_id, picture.strategy_id, &kinds).await
    {
        Ok(rows) => announce_all(ctx, EventKind::Obligation, action, &rows).await,
        Err(err) => tracing::warn!(error = %err, "cannot find the obligations a delivery concerns"),
    }
}

/// Reloads the cause analysis of a picture after a `CONFLICT`.
struct AnalysisOfPicture(i32);

impl Reload<cause_analysis::Model> for AnalysisOfPicture {
    fn reload<'c>(
        self,
        ctx: &'c Context<'_>,
    ) -> futures_util::future::BoxFuture<'c, async_graphql::Result<Option<cause_analysis::Model>>>
    {
        Box::pin(async move {
            Ok(load_many(ctx, CauseAnalysesOfSituationPicture(self.0))
                .await?
                .into_iter()
                .next())
        })
    }
}

/// Changes to situation pictures and cause analyses.
#[derive(Debug, Default)]
pub struct SituationsMutation;

/// Changes to situation pictures and cause analyses.
#[Object]
impl SituationsMutation {
    /// Create a situation picture with its districts, sources and findings (a coordinator
    /// of every district it covers, the owning body's editors, admins; city-wide: the
    /// owner's editors and admins).
    async fn create_situation_picture(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new picture.")] input: CreateSituationPictureInput,
    ) -> async_graphql::Result<SituationPicturePayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let (node, user_errors) = mutate(ctx, quiet, (), async {
            let picture = situations::NewPicture {
                organization_id: decode_as(
                    &input.organization,
                    NodeType::Organization,
                    "input.organization",
                )?,
                strategy_id: opt_id(
                    input.strategy.as_ref(),
                    NodeType::Strategy,
                    "input.strategy",
                )?,
                slug: input.slug,
                title: input.title,
                as_of: input.as_of.map(Into::into),
                summary: input.summary,
                city_wide: input.city_wide,
                district_ids: district_ids(&input.districts)?,
                sources: sources(input.sources),
                findings: findings(input.findings)?,
            };
            situations::create_picture(&st.db, actor, picture).await
        })
        .await?;
        if let Some(p) = &node {
            announce_picture(ctx, "situationPicture.create", p).await;
        }
        Ok(SituationPicturePayload {
            situation_picture: node.map(SituationPicture),
            user_errors,
            client_mutation_id: input.client_mutation_id,
        })
    }

    /// Change a situation picture, based on the version you read (same rule as creating;
    /// it must hold for the picture before and after).
    async fn update_situation_picture(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which picture, from which version, what changes.")]
        input: UpdateSituationPictureInput,
    ) -> async_graphql::Result<SituationPicturePayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let id = decode_as(&input.id, NodeType::SituationPicture, "input.id");
        let known = id.as_ref().ok().copied();
        let (node, user_errors) = mutate(ctx, quiet, known.map(SituationPictureId), async {
            let changes = situations::PictureChanges {
                strategy_id: patch_id(input.strategy, NodeType::Strategy, "input.strategy")?,
                title: input.title,
                as_of: patch(input.as_of).map(|d| d.map(Into::into)),
                summary: patch(input.summary),
                city_wide: input.city_wide,
                district_ids: input.districts.as_deref().map(district_ids).transpose()?,
                sources: input.sources.map(sources),
                findings: input.findings.map(findings).transpose()?,
            };
            situations::update_picture(&st.db, actor, id?, input.expected_version, changes).await
        })
        .await?;
        if let Some(p) = &node
            && user_errors.is_empty()
        {
            announce_picture(ctx, "situationPicture.update", p).await;
        }
        Ok(SituationPicturePayload {
            situation_picture: node.map(SituationPicture),
            user_errors,
            client_mutation_id: input.client_mutation_id,
        })
    }

    /// Remove a situation picture with its sources, findings and cause analysis, based on
    /// the version you read (same rule); plans that rested on it rest on nothing.
    async fn delete_situation_picture(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which picture, from which version.")] input: DeleteInput,
    ) -> async_graphql::Result<DeletePayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let (node, user_errors) = mutate(ctx, quiet, (), async {
            let id = decode_as(&input.id, NodeType::SituationPicture, "input.id")?;
            situations::delete_picture(&st.db, actor, id, input.expected_version).await
        })
        .await?;
        if let Some(p) = &node {
            announce_picture(ctx, "situationPicture.delete", p).await;
        }
        Ok(DeletePayload {
            deleted_id: node.map(|p| encode(NodeType::SituationPicture, p.id)),
            user_errors,
            client_mutation_id: input.client_mutation_id,
        })
    }

    /// Create the cause analysis of a situation picture, or replace the one it has (its
    /// causes with the findings they point to), based on the version you read (same rule
    /// as the picture).
    async fn set_cause_analysis(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which picture, the analysis.")] input: SetCauseAnalysisInput,
    ) -> async_graphql::Result<CauseAnalysisPayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let picture = decode_as(
            &input.situation_picture,
            NodeType::SituationPicture,
            "input.situationPicture",
        );
        let known = picture.as_ref().ok().copied();
        let (node, user_errors) = mutate(ctx, quiet, known.map(AnalysisOfPicture), async {
            let mut causes = Vec::new();
            for (i, c) in input.causes.into_iter().enumerate() {
                let finding_ids = c
                    .findings
                    .iter()
                    .enumerate()
                    .map(|(j, f)| {
                        decode_as(
                            f,
                            NodeType::Finding,
                            &format!("input.causes.{i}.findings.{j}"),
                        )
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                causes.push(situations::NewCause {
                    text: c.text,
                    finding_ids,
                });
            }
            situations::set_analysis(
                &st.db,
                actor,
                picture?,
                input.expected_version,
                situations::NewAnalysis {
                    as_of: input.as_of.map(Into::into),
                    summary: input.summary,
                    causes,
                },
            )
            .await
        })
        .await?;
        if let Some(a) = &node
            && user_errors.is_empty()
            && let Ok(Some(p)) = load(ctx, SituationPictureId(a.situation_picture_id)).await
        {
            announce_picture(ctx, "causeAnalysis.update", &p).await;
        }
        Ok(CauseAnalysisPayload {
            cause_analysis: node.map(CauseAnalysis),
            user_errors,
            client_mutation_id: input.client_mutation_id,
        })
    }

    /// Remove the cause analysis of a situation picture, based on the version you read
    /// (same rule as the picture).
    async fn delete_cause_analysis(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which analysis, from which version.")] input: DeleteInput,
    ) -> async_graphql::Result<DeletePayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let (node, user_errors) = mutate(ctx, quiet, (), async {
            let id = decode_as(&input.id, NodeType::CauseAnalysis, "input.id")?;
            situations::delete_analysis(&st.db, actor, id, input.expected_version).await
        })
        .await?;
        if let Some(a) = &node
            && let Ok(Some(p)) = load(ctx, SituationPictureId(a.situation_picture_id)).await
        {
            announce_picture(ctx, "causeAnalysis.delete", &p).await;
        }
        Ok(DeletePayload {
            deleted_id: node.map(|a| encode(NodeType::CauseAnalysis, a.id)),
            user_errors,
            client_mutation_id: input.client_mutation_id,
        })
    }
}
