//! What a strategy requires a body to deliver (lägesbild, orsaksanalys, åtgärdsplan, tertial follow-up).

use crate::enums::{ObligationKind, Term};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "obligation")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub strategy_id: i32,
    pub organization_id: i32,
    pub kind: ObligationKind,
    pub year: Option<i32>,
    pub term: Option<Term>,
    pub due_on: Option<Date>,
    #[sea_orm(column_type = "Text", nullable)]
    pub note: Option<String>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
