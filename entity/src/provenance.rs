//! Where a seeded record comes from, and whether it is written in the document or a reading of it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "provenance")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub record_type: String,
    pub record_id: i32,
    pub source_document_id: Option<i32>,
    pub inferred: bool,
    #[sea_orm(column_type = "Text", nullable)]
    pub note: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
