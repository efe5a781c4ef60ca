//! A group of the city's identity provider whose members act for an organization.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "provider_group")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The group as the provider writes it in tokens (an Entra ID object ID, a Keycloak
    /// group path).
    #[sea_orm(unique)]
    pub group_value: String,
    pub organization_id: i32,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
