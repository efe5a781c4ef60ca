//! The city's strategies with their priority and focus areas, and the catalogue of named
//! methods (MVP, SSPF's ways of working …) that activities use.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use entity::*;

use crate::graphql::prelude::*;

mod inputs;
mod types;

pub use inputs::*;
pub use types::*;

/// Strategies and methods.
#[derive(Debug, Default)]
pub struct StrategiesQuery;

/// Strategies and methods.
#[Object]
impl StrategiesQuery {
    /// Every city-wide strategy.
    #[graphql(complexity = "crate::graphql::pagination::STATEMENT_COST + child_complexity")]
    async fn strategies(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Strategy>> {
        let db = &state(ctx)?.db;
        Ok(strategy::Entity::find()
            .all(db)
            .await
            .map_err(crate::error::AppError::from)?
            .into_iter()
            .map(Strategy)
            .collect())
    }

    /// One strategy by slug (e.g. `stockholm-2024-2026`); null when there is none.
    #[graphql(complexity = "crate::graphql::pagination::STATEMENT_COST + child_complexity")]
    async fn strategy(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The strategy's slug.")] slug: String,
    ) -> async_graphql::Result<Option<Strategy>> {
        let db = &state(ctx)?.db;
        Ok(strategy::Entity::find()
            .filter(strategy::Column::Slug.eq(slug))
            .one(db)
            .await
            .map_err(crate::error::AppError::from)?
            .map(Strategy))
    }

    /// The method catalogue.
    #[graphql(
        complexity = "crate::graphql::pagination::root_page_cost(first, last, child_complexity)"
    )]
    async fn methods(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "The first n items (at most 100).")] first: Option<i32>,
        #[graphql(desc = "The last n items (at most 100).")] last: Option<i32>,
    ) -> async_graphql::Result<Page<Method>> {
        let args = PageArgs::new(ctx, None, after, before, first, last)?;
        Ok(page_query(
            &state(ctx)?.db,
            method::Entity::find(),
            method::Column::Id,
            |m| m.id,
            Method,
            args,
            wants_total(ctx),
        )
        .await?)
    }
}

/// Changes to strategies and methods.
#[derive(Debug, Default)]
pub struct StrategiesMutation;

/// Changes to strategies and methods.
#[Object]
impl StrategiesMutation {
    /// Add a strategy with its priority and focus areas (admins).
    async fn create_strategy(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new strategy.")] input: CreateStrategyInput,
    ) -> async_graphql::Result<StrategyPayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let (node, user_errors) = mutate(ctx, (), async {
            let m = decode_as(
                &input.municipality,
                NodeType::Municipality,
                "input.municipality",
            )?;
            let mut areas = Vec::new();
            for (i, pa) in input.priority_areas.into_iter().enumerate() {
                let mut focus_areas = Vec::new();
                for (j, fa) in pa.focus_areas.into_iter().enumerate() {
                    focus_areas.push(admin::NewArea {
                        name: fa.name,
                        description: fa.description,
                        continues_id: opt_id(
                            fa.continues.as_ref(),
                            NodeType::FocusArea,
                            &format!("input.priorityAreas.{i}.focusAreas.{j}.continues"),
                        )?,
                        focus_areas: Vec::new(),
                    });
                }
                areas.push(admin::NewArea {
                    name: pa.name,
                    description: pa.description,
                    continues_id: opt_id(
                        pa.continues.as_ref(),
                        NodeType::PriorityArea,
                        &format!("input.priorityAreas.{i}.continues"),
                    )?,
                    focus_areas,
                });
            }
            admin::create_strategy(
                &st.db,
                actor,
                admin::NewStrategy {
                    municipality_id: m,
                    slug: input.slug,
                    name: input.name,
                    description: input.description,
                    start_year: input.start_year,
                    end_year: input.end_year,
                    predecessor_id: opt_id(
                        input.predecessor.as_ref(),
                        NodeType::Strategy,
                        "input.predecessor",
                    )?,
                    priority_areas: areas,
                },
            )
            .await
        })
        .await?;
        Ok(StrategyPayload {
            strategy: node.map(Strategy),
            user_errors,
            client_mutation_id: input.client_mutation_id,
        })
    }

    /// Add a method to the catalogue (admins).
    async fn create_method(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new method.")] input: CreateMethodInput,
    ) -> async_graphql::Result<MethodPayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let (node, user_errors) = mutate(
            ctx,
            (),
            admin::create_method(
                &st.db,
                actor,
                admin::MethodFields {
                    slug: input.slug,
                    name: Some(input.name),
                    abbreviation: Some(input.abbreviation),
                    description: Some(input.description),
                },
            ),
        )
        .await?;
        Ok(MethodPayload {
            method: node.map(Method),
            user_errors,
            client_mutation_id: input.client_mutation_id,
        })
    }

    /// Change a method of the catalogue (admins).
    async fn update_method(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which method, what changes.")] input: UpdateMethodInput,
    ) -> async_graphql::Result<MethodPayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let (node, user_errors) = mutate(ctx, (), async {
            let id = decode_as(&input.id, NodeType::Method, "input.id")?;
            admin::update_method(
                &st.db,
                actor,
                id,
                admin::MethodFields {
                    slug: None,
                    name: input.name,
                    abbreviation: patch(input.abbreviation),
                    description: patch(input.description),
                },
            )
            .await
        })
        .await?;
        Ok(MethodPayload {
            method: node.map(Method),
            user_errors,
            client_mutation_id: input.client_mutation_id,
        })
    }
}
