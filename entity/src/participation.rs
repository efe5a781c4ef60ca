//! An organization's seat in a collaboration group.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "participation")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub group_id: i32,
    pub organization_id: i32,
    #[sea_orm(column_type = "Text", nullable)]
    pub contact_role: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub other_participants: Option<String>,
    pub is_convener: bool,
    /// How the seat is attended when the document says so (e.g. "vid behov"), as written.
    #[sea_orm(column_type = "Text", nullable)]
    pub attendance: Option<String>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// The rows this one points at (for joins).
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::organization::Entity",
        from = "Column::OrganizationId",
        to = "super::organization::Column::Id"
    )]
    Organization,
}

impl Related<super::organization::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Organization.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
