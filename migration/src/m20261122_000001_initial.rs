//! The initial schema: the collaboration structure, the strategies and plans, the
//! follow-ups, the organizations' commitments and the audit trail.
//!
//! Enumerations are stored as short upper-case strings (`SSPF`, `ONGOING`, …) so that the
//! same schema works on SQLite and PostgreSQL and a new value needs no migration.
//! Every foreign key and every column the API filters on has an index.

use crate::util::{fk, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Municipality {
    Table,
    Id,
    Slug,
    Name,
}

#[derive(DeriveIden, Clone, Copy)]
enum District {
    Table,
    Id,
    MunicipalityId,
    Slug,
    Name,
}

#[derive(DeriveIden, Clone, Copy)]
enum Organization {
    Table,
    Id,
    Slug,
    Name,
    Kind,
    ParentId,
}

#[derive(DeriveIden, Clone, Copy)]
enum OrganizationDistrict {
    Table,
    OrganizationId,
    DistrictId,
}

#[derive(DeriveIden, Clone, Copy)]
enum Strategy {
    Table,
    Id,
    MunicipalityId,
    Slug,
    Name,
    Description,
    StartYear,
    EndYear,
}

#[derive(DeriveIden, Clone, Copy)]
enum PriorityArea {
    Table,
    Id,
    StrategyId,
    Slug,
    Name,
    Description,
    Position,
}

#[derive(DeriveIden, Clone, Copy)]
enum FocusArea {
    Table,
    Id,
    PriorityAreaId,
    Slug,
    Name,
    Description,
    Position,
}

#[derive(DeriveIden, Clone, Copy)]
enum Method {
    Table,
    Id,
    Slug,
    Name,
    Abbreviation,
    Description,
}

#[derive(DeriveIden, Clone, Copy)]
enum ActionPlan {
    Table,
    Id,
    DistrictId,
    StrategyId,
    Slug,
    Title,
    Description,
    StartYear,
    EndYear,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Activity {
    Table,
    Id,
    ActionPlanId,
    PriorityAreaId,
    FocusAreaId,
    Position,
    Goal,
    Description,
    ResponsibleText,
    Timeline,
    StartYear,
    EndYear,
    FollowUpSchedule,
    FollowUpTerms,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum ActivityMethod {
    Table,
    ActivityId,
    MethodId,
}

#[derive(DeriveIden, Clone, Copy)]
enum Responsibility {
    Table,
    Id,
    ActivityId,
    OrganizationId,
    Role,
    Position,
}

#[derive(DeriveIden, Clone, Copy)]
enum FollowUp {
    Table,
    Id,
    ActivityId,
    Year,
    Term,
    Status,
    Effects,
    AsOf,
    ReportedByOrganizationId,
    ReportedBySub,
    Locked,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum CollaborationArea {
    Table,
    Id,
    DistrictId,
    Slug,
    Name,
    Goal,
    Situation,
    Position,
}

#[derive(DeriveIden, Clone, Copy)]
enum CollaborationGroup {
    Table,
    Id,
    DistrictId,
    CollaborationAreaId,
    Slug,
    Name,
    Subtitle,
    Kind,
    Purpose,
    Situation,
    Term,
    TermEndsOn,
    MeetingCadence,
    Convener,
    Financing,
    Communication,
    FollowUpCadence,
    OtherParticipants,
    ArchivedAt,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Participation {
    Table,
    Id,
    GroupId,
    OrganizationId,
    ContactRole,
    OtherParticipants,
    IsConvener,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Commitment {
    Table,
    Id,
    GroupId,
    OrganizationId,
    Text,
    Version,
    CreatedAt,
    UpdatedAt,
    CreatedBy,
    UpdatedBy,
}

#[derive(DeriveIden, Clone, Copy)]
enum AuditEvent {
    Table,
    Id,
    At,
    ActorSub,
    ActorOrganizationId,
    Action,
    NodeType,
    NodeId,
    DistrictId,
    Before,
    After,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::{Cascade, Restrict, SetNull};

        manager
            .create_table(
                Table::create()
                    .table(Municipality::Table)
                    .col(pk_auto(Municipality::Id))
                    .col(string_uniq(Municipality::Slug))
                    .col(string(Municipality::Name))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(District::Table)
                    .col(pk_auto(District::Id))
                    .col(integer(District::MunicipalityId))
                    .col(string_uniq(District::Slug))
                    .col(string(District::Name))
                    .foreign_key(&mut fk(
                        District::Table,
                        District::MunicipalityId,
                        Municipality::Table,
                        Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(District::Table, &[District::MunicipalityId]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Organization::Table)
                    .col(pk_auto(Organization::Id))
                    .col(string_uniq(Organization::Slug))
                    .col(string(Organization::Name))
                    .col(string(Organization::Kind))
                    .col(integer_null(Organization::ParentId))
                    .foreign_key(&mut fk(
                        Organization::Table,
                        Organization::ParentId,
                        Organization::Table,
                        SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(Organization::Table, &[Organization::ParentId]))
            .await?;
        manager
            .create_index(index(Organization::Table, &[Organization::Kind]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(OrganizationDistrict::Table)
                    .col(integer(OrganizationDistrict::OrganizationId))
                    .col(integer(OrganizationDistrict::DistrictId))
                    .primary_key(
                        Index::create()
                            .col(OrganizationDistrict::OrganizationId)
                            .col(OrganizationDistrict::DistrictId),
                    )
                    .foreign_key(&mut fk(
                        OrganizationDistrict::Table,
                        OrganizationDistrict::OrganizationId,
                        Organization::Table,
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        OrganizationDistrict::Table,
                        OrganizationDistrict::DistrictId,
                        District::Table,
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                OrganizationDistrict::Table,
                &[OrganizationDistrict::DistrictId],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Strategy::Table)
                    .col(pk_auto(Strategy::Id))
                    .col(integer(Strategy::MunicipalityId))
                    .col(string_uniq(Strategy::Slug))
                    .col(text(Strategy::Name))
                    .col(text_null(Strategy::Description))
                    .col(integer(Strategy::StartYear))
                    .col(integer(Strategy::EndYear))
                    .foreign_key(&mut fk(
                        Strategy::Table,
                        Strategy::MunicipalityId,
                        Municipality::Table,
                        Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(Strategy::Table, &[Strategy::MunicipalityId]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(PriorityArea::Table)
                    .col(pk_auto(PriorityArea::Id))
                    .col(integer(PriorityArea::StrategyId))
                    .col(string_uniq(PriorityArea::Slug))
                    .col(text(PriorityArea::Name))
                    .col(text_null(PriorityArea::Description))
                    .col(integer(PriorityArea::Position))
                    .foreign_key(&mut fk(
                        PriorityArea::Table,
                        PriorityArea::StrategyId,
                        Strategy::Table,
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(PriorityArea::Table, &[PriorityArea::StrategyId]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(FocusArea::Table)
                    .col(pk_auto(FocusArea::Id))
                    .col(integer(FocusArea::PriorityAreaId))
                    .col(string_uniq(FocusArea::Slug))
                    .col(text(FocusArea::Name))
                    .col(text_null(FocusArea::Description))
                    .col(integer(FocusArea::Position))
                    .foreign_key(&mut fk(
                        FocusArea::Table,
                        FocusArea::PriorityAreaId,
                        PriorityArea::Table,
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(FocusArea::Table, &[FocusArea::PriorityAreaId]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Method::Table)
                    .col(pk_auto(Method::Id))
                    .col(string_uniq(Method::Slug))
                    .col(text(Method::Name))
                    .col(string_null(Method::Abbreviation))
                    .col(text_null(Method::Description))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ActionPlan::Table)
                    .col(pk_auto(ActionPlan::Id))
                    .col(integer(ActionPlan::DistrictId))
                    .col(integer_null(ActionPlan::StrategyId))
                    .col(string_uniq(ActionPlan::Slug))
                    .col(text(ActionPlan::Title))
                    .col(text_null(ActionPlan::Description))
                    .col(integer_null(ActionPlan::StartYear))
                    .col(integer_null(ActionPlan::EndYear))
                    .col(integer(ActionPlan::Version).default(1))
                    .col(timestamp_with_time_zone(ActionPlan::CreatedAt))
                    .col(timestamp_with_time_zone(ActionPlan::UpdatedAt))
                    .foreign_key(&mut fk(
                        ActionPlan::Table,
                        ActionPlan::DistrictId,
                        District::Table,
                        Restrict,
                    ))
                    .foreign_key(&mut fk(
                        ActionPlan::Table,
                        ActionPlan::StrategyId,
                        Strategy::Table,
                        SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(ActionPlan::Table, &[ActionPlan::DistrictId]))
            .await?;
        manager
            .create_index(index(ActionPlan::Table, &[ActionPlan::StrategyId]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Activity::Table)
                    .col(pk_auto(Activity::Id))
                    .col(integer(Activity::ActionPlanId))
                    .col(integer_null(Activity::PriorityAreaId))
                    .col(integer_null(Activity::FocusAreaId))
                    .col(integer(Activity::Position))
                    .col(text_null(Activity::Goal))
                    .col(text(Activity::Description))
                    .col(text_null(Activity::ResponsibleText))
                    .col(text_null(Activity::Timeline))
                    .col(integer_null(Activity::StartYear))
                    .col(integer_null(Activity::EndYear))
                    .col(text_null(Activity::FollowUpSchedule))
                    .col(string(Activity::FollowUpTerms).default(""))
                    .col(integer(Activity::Version).default(1))
                    .col(timestamp_with_time_zone(Activity::CreatedAt))
                    .col(timestamp_with_time_zone(Activity::UpdatedAt))
                    .foreign_key(&mut fk(
                        Activity::Table,
                        Activity::ActionPlanId,
                        ActionPlan::Table,
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        Activity::Table,
                        Activity::PriorityAreaId,
                        PriorityArea::Table,
                        SetNull,
                    ))
                    .foreign_key(&mut fk(
                        Activity::Table,
                        Activity::FocusAreaId,
                        FocusArea::Table,
                        SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(Activity::Table, &[Activity::ActionPlanId]))
            .await?;
        manager
            .create_index(index(Activity::Table, &[Activity::PriorityAreaId]))
            .await?;
        manager
            .create_index(index(Activity::Table, &[Activity::FocusAreaId]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ActivityMethod::Table)
                    .col(integer(ActivityMethod::ActivityId))
                    .col(integer(ActivityMethod::MethodId))
                    .primary_key(
                        Index::create()
                            .col(ActivityMethod::ActivityId)
                            .col(ActivityMethod::MethodId),
                    )
                    .foreign_key(&mut fk(
                        ActivityMethod::Table,
                        ActivityMethod::ActivityId,
                        Activity::Table,
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        ActivityMethod::Table,
                        ActivityMethod::MethodId,
                        Method::Table,
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(ActivityMethod::Table, &[ActivityMethod::MethodId]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Responsibility::Table)
                    .col(pk_auto(Responsibility::Id))
                    .col(integer(Responsibility::ActivityId))
                    .col(integer(Responsibility::OrganizationId))
                    .col(text_null(Responsibility::Role))
                    .col(integer(Responsibility::Position))
                    .foreign_key(&mut fk(
                        Responsibility::Table,
                        Responsibility::ActivityId,
                        Activity::Table,
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        Responsibility::Table,
                        Responsibility::OrganizationId,
                        Organization::Table,
                        Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(Responsibility::Table, &[Responsibility::ActivityId]))
            .await?;
        manager
            .create_index(index(
                Responsibility::Table,
                &[Responsibility::OrganizationId],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(FollowUp::Table)
                    .col(pk_auto(FollowUp::Id))
                    .col(integer(FollowUp::ActivityId))
                    .col(integer(FollowUp::Year))
                    .col(string(FollowUp::Term))
                    .col(string(FollowUp::Status))
                    .col(text_null(FollowUp::Effects))
                    .col(date_null(FollowUp::AsOf))
                    .col(integer_null(FollowUp::ReportedByOrganizationId))
                    .col(string_null(FollowUp::ReportedBySub))
                    .col(boolean(FollowUp::Locked).default(false))
                    .col(integer(FollowUp::Version).default(1))
                    .col(timestamp_with_time_zone(FollowUp::CreatedAt))
                    .col(timestamp_with_time_zone(FollowUp::UpdatedAt))
                    .foreign_key(&mut fk(
                        FollowUp::Table,
                        FollowUp::ActivityId,
                        Activity::Table,
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        FollowUp::Table,
                        FollowUp::ReportedByOrganizationId,
                        Organization::Table,
                        SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index(
                    FollowUp::Table,
                    &[FollowUp::ActivityId, FollowUp::Year, FollowUp::Term],
                )
                .unique()
                .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                FollowUp::Table,
                &[FollowUp::Year, FollowUp::Term, FollowUp::Status],
            ))
            .await?;
        manager
            .create_index(index(
                FollowUp::Table,
                &[FollowUp::ReportedByOrganizationId],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(CollaborationArea::Table)
                    .col(pk_auto(CollaborationArea::Id))
                    .col(integer(CollaborationArea::DistrictId))
                    .col(string_uniq(CollaborationArea::Slug))
                    .col(text(CollaborationArea::Name))
                    .col(text_null(CollaborationArea::Goal))
                    .col(text_null(CollaborationArea::Situation))
                    .col(integer(CollaborationArea::Position))
                    .foreign_key(&mut fk(
                        CollaborationArea::Table,
                        CollaborationArea::DistrictId,
                        District::Table,
                        Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                CollaborationArea::Table,
                &[CollaborationArea::DistrictId],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(CollaborationGroup::Table)
                    .col(pk_auto(CollaborationGroup::Id))
                    .col(integer(CollaborationGroup::DistrictId))
                    .col(integer_null(CollaborationGroup::CollaborationAreaId))
                    .col(string_uniq(CollaborationGroup::Slug))
                    .col(text(CollaborationGroup::Name))
                    .col(text_null(CollaborationGroup::Subtitle))
                    .col(string(CollaborationGroup::Kind))
                    .col(text_null(CollaborationGroup::Purpose))
                    .col(text_null(CollaborationGroup::Situation))
                    .col(text_null(CollaborationGroup::Term))
                    .col(date_null(CollaborationGroup::TermEndsOn))
                    .col(text_null(CollaborationGroup::MeetingCadence))
                    .col(text_null(CollaborationGroup::Convener))
                    .col(text_null(CollaborationGroup::Financing))
                    .col(text_null(CollaborationGroup::Communication))
                    .col(text_null(CollaborationGroup::FollowUpCadence))
                    .col(text_null(CollaborationGroup::OtherParticipants))
                    .col(timestamp_with_time_zone_null(
                        CollaborationGroup::ArchivedAt,
                    ))
                    .col(integer(CollaborationGroup::Version).default(1))
                    .col(timestamp_with_time_zone(CollaborationGroup::CreatedAt))
                    .col(timestamp_with_time_zone(CollaborationGroup::UpdatedAt))
                    .foreign_key(&mut fk(
                        CollaborationGroup::Table,
                        CollaborationGroup::DistrictId,
                        District::Table,
                        Restrict,
                    ))
                    .foreign_key(&mut fk(
                        CollaborationGroup::Table,
                        CollaborationGroup::CollaborationAreaId,
                        CollaborationArea::Table,
                        SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                CollaborationGroup::Table,
                &[CollaborationGroup::DistrictId],
            ))
            .await?;
        manager
            .create_index(index(
                CollaborationGroup::Table,
                &[CollaborationGroup::CollaborationAreaId],
            ))
            .await?;
        manager
            .create_index(index(
                CollaborationGroup::Table,
                &[CollaborationGroup::Kind],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Participation::Table)
                    .col(pk_auto(Participation::Id))
                    .col(integer(Participation::GroupId))
                    .col(integer(Participation::OrganizationId))
                    .col(text_null(Participation::ContactRole))
                    .col(text_null(Participation::OtherParticipants))
                    .col(boolean(Participation::IsConvener).default(false))
                    .col(integer(Participation::Version).default(1))
                    .col(timestamp_with_time_zone(Participation::CreatedAt))
                    .col(timestamp_with_time_zone(Participation::UpdatedAt))
                    .foreign_key(&mut fk(
                        Participation::Table,
                        Participation::GroupId,
                        CollaborationGroup::Table,
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        Participation::Table,
                        Participation::OrganizationId,
                        Organization::Table,
                        Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index(
                    Participation::Table,
                    &[Participation::GroupId, Participation::OrganizationId],
                )
                .unique()
                .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                Participation::Table,
                &[Participation::OrganizationId],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Commitment::Table)
                    .col(pk_auto(Commitment::Id))
                    .col(integer(Commitment::GroupId))
                    .col(integer(Commitment::OrganizationId))
                    .col(text(Commitment::Text))
                    .col(integer(Commitment::Version).default(1))
                    .col(timestamp_with_time_zone(Commitment::CreatedAt))
                    .col(timestamp_with_time_zone(Commitment::UpdatedAt))
                    .col(string_null(Commitment::CreatedBy))
                    .col(string_null(Commitment::UpdatedBy))
                    .foreign_key(&mut fk(
                        Commitment::Table,
                        Commitment::GroupId,
                        CollaborationGroup::Table,
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        Commitment::Table,
                        Commitment::OrganizationId,
                        Organization::Table,
                        Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(Commitment::Table, &[Commitment::GroupId]))
            .await?;
        manager
            .create_index(index(Commitment::Table, &[Commitment::OrganizationId]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AuditEvent::Table)
                    .col(pk_auto(AuditEvent::Id))
                    .col(timestamp_with_time_zone(AuditEvent::At))
                    .col(string(AuditEvent::ActorSub))
                    .col(integer_null(AuditEvent::ActorOrganizationId))
                    .col(string(AuditEvent::Action))
                    .col(string(AuditEvent::NodeType))
                    .col(integer(AuditEvent::NodeId))
                    .col(integer_null(AuditEvent::DistrictId))
                    .col(text_null(AuditEvent::Before))
                    .col(text_null(AuditEvent::After))
                    .foreign_key(&mut fk(
                        AuditEvent::Table,
                        AuditEvent::ActorOrganizationId,
                        Organization::Table,
                        SetNull,
                    ))
                    .foreign_key(&mut fk(
                        AuditEvent::Table,
                        AuditEvent::DistrictId,
                        District::Table,
                        SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                AuditEvent::Table,
                &[AuditEvent::NodeType, AuditEvent::NodeId],
            ))
            .await?;
        manager
            .create_index(index(AuditEvent::Table, &[AuditEvent::ActorOrganizationId]))
            .await?;
        manager
            .create_index(index(AuditEvent::Table, &[AuditEvent::DistrictId]))
            .await?;
        manager
            .create_index(index(AuditEvent::Table, &[AuditEvent::At]))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AuditEvent::Table.into_iden(),
            Commitment::Table.into_iden(),
            Participation::Table.into_iden(),
            CollaborationGroup::Table.into_iden(),
            CollaborationArea::Table.into_iden(),
            FollowUp::Table.into_iden(),
            Responsibility::Table.into_iden(),
            ActivityMethod::Table.into_iden(),
            Activity::Table.into_iden(),
            ActionPlan::Table.into_iden(),
            Method::Table.into_iden(),
            FocusArea::Table.into_iden(),
            PriorityArea::Table.into_iden(),
            Strategy::Table.into_iden(),
            OrganizationDistrict::Table.into_iden(),
            Organization::Table.into_iden(),
            District::Table.into_iden(),
            Municipality::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
