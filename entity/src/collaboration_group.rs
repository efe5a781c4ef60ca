//! A collaboration group or forum (SSPF, SIG, lokalt BRÅ …).

use crate::enums::GroupKind;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "collaboration_group")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub district_id: i32,
    pub collaboration_area_id: Option<i32>,
    #[sea_orm(unique)]
    pub slug: String,
    #[sea_orm(column_type = "Text")]
    pub name: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub subtitle: Option<String>,
    pub kind: GroupKind,
    #[sea_orm(column_type = "Text", nullable)]
    pub purpose: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub situation: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub term: Option<String>,
    pub term_ends_on: Option<Date>,
    #[sea_orm(column_type = "Text", nullable)]
    pub meeting_cadence: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub convener: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub financing: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub communication: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub follow_up_cadence: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub other_participants: Option<String>,
    pub archived_at: Option<DateTimeUtc>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub valid_from: Option<Date>,
    pub valid_until: Option<Date>,
    pub source_plan_id: Option<i32>,
    #[sea_orm(column_type = "Text")]
    pub follow_up_terms: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::district::Entity",
        from = "Column::DistrictId",
        to = "super::district::Column::Id"
    )]
    District,
}

impl Related<super::district::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::District.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
