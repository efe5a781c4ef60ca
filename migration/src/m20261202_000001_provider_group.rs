//! Groups of the city's identity provider whose members act for an organization
//! (issue 16): a token that names no organization but carries groups (Entra ID's
//! `groups`, Keycloak's group paths) acts for the organization its groups are mapped to.
//! Admins keep the mapping in the service; a group value maps to one organization.

use crate::util::{fk, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Organization {
    Table,
}

#[derive(DeriveIden, Clone, Copy)]
enum ProviderGroup {
    Table,
    Id,
    GroupValue,
    OrganizationId,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ProviderGroup::Table)
                    .col(pk_auto(ProviderGroup::Id))
                    .col(string_uniq(ProviderGroup::GroupValue))
                    .col(integer(ProviderGroup::OrganizationId))
                    .col(integer(ProviderGroup::Version).default(1))
                    .col(timestamp_with_time_zone(ProviderGroup::CreatedAt))
                    .col(timestamp_with_time_zone(ProviderGroup::UpdatedAt))
                    .foreign_key(&mut fk(
                        ProviderGroup::Table,
                        ProviderGroup::OrganizationId,
                        Organization::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                ProviderGroup::Table,
                &[ProviderGroup::OrganizationId],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ProviderGroup::Table).to_owned())
            .await
    }
}
