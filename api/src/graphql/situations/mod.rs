//! Situation pictures (lägesbilder) and cause analyses (orsaksanalyser): what a body sees
//! in its districts or city-wide, on what it rests, what it found, and why. Aggregate
//! facts only: every field is a text, number, date or link to a place, area or body —
//! none holds a person (see `services/situations.rs`).

use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use entity::*;

use crate::graphql::prelude::*;
use crate::graphql::scalars::{Date, DateTime};
use crate::services::situations;

mod inputs;
mod types;

pub use inputs::*;
pub use types::*;

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
    let concerned =
        obligations::concerned(&st.db, picture.organization_id, picture.strategy_id, &kinds).await;
    announce_obligations(ctx, action, concerned).await;
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
        let (node, user_errors) = mutate(ctx, (), async {
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
        let (node, user_errors) = mutate(ctx, known.map(SituationPictureId), async {
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
        let (node, user_errors) = mutate(ctx, (), async {
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
        let (node, user_errors) = mutate(ctx, known.map(AnalysisOfPicture), async {
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
        let (node, user_errors) = mutate(ctx, (), async {
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
