//! One row of an action plan.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "activity")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub action_plan_id: i32,
    pub priority_area_id: Option<i32>,
    pub focus_area_id: Option<i32>,
    pub position: i32,
    #[sea_orm(column_type = "Text", nullable)]
    pub goal: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub responsible_text: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub timeline: Option<String>,
    pub start_year: Option<i32>,
    pub end_year: Option<i32>,
    #[sea_orm(column_type = "Text", nullable)]
    pub follow_up_schedule: Option<String>,
    pub follow_up_terms: String,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::action_plan::Entity",
        from = "Column::ActionPlanId",
        to = "super::action_plan::Column::Id"
    )]
    ActionPlan,
    #[sea_orm(
        belongs_to = "super::priority_area::Entity",
        from = "Column::PriorityAreaId",
        to = "super::priority_area::Column::Id"
    )]
    PriorityArea,
    #[sea_orm(
        belongs_to = "super::focus_area::Entity",
        from = "Column::FocusAreaId",
        to = "super::focus_area::Column::Id"
    )]
    FocusArea,
}

impl Related<super::priority_area::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::PriorityArea.def()
    }
}

impl Related<super::focus_area::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::FocusArea.def()
    }
}

impl Related<super::action_plan::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ActionPlan.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
