//! The city's whole cycle (issue 14): strategy lineage, the obligations a strategy puts on
//! each body, situation pictures (lägesbild) with their sources and findings, cause analyses
//! (orsaksanalys), action plans owned by any body and resting on a situation picture, groups with several kinds, validity and
//! their own follow-ups, indicators, targets and measurements, target groups, and the
//! provenance of every seeded record; a seat's attendance as written ("vid behov").
//!
//! `action_plan.district_id` becomes nullable (a facknämnd's plan has no district). SQLite
//! cannot drop a NOT NULL constraint, so there the table is rebuilt the way SQLite documents
//! it (foreign keys off on one connection, copy, drop, rename, in one transaction).
//! Columns added to existing tables are plain `ALTER TABLE … ADD COLUMN … REFERENCES`,
//! which both databases accept for nullable columns.

use crate::util::{fk, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum District {
    Table,
}

#[derive(DeriveIden, Clone, Copy)]
enum Organization {
    Table,
}

#[derive(DeriveIden, Clone, Copy)]
enum Strategy {
    Table,
    PredecessorId,
}

#[derive(DeriveIden, Clone, Copy)]
enum PriorityArea {
    Table,
    ContinuesId,
}

#[derive(DeriveIden, Clone, Copy)]
enum FocusArea {
    Table,
    ContinuesId,
}

#[derive(DeriveIden, Clone, Copy)]
enum Activity {
    Table,
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
    OrganizationId,
    SituationPictureId,
}

#[derive(DeriveIden, Clone, Copy)]
enum CollaborationGroup {
    Table,
    ValidFrom,
    ValidUntil,
    SourcePlanId,
}

#[derive(DeriveIden, Clone, Copy)]
enum SourceDocument {
    Table,
    Id,
    Slug,
    Title,
    FileName,
    Publisher,
    Year,
}

#[derive(DeriveIden, Clone, Copy)]
enum Provenance {
    Table,
    Id,
    RecordType,
    RecordId,
    SourceDocumentId,
    Inferred,
    Note,
}

#[derive(DeriveIden, Clone, Copy)]
enum Obligation {
    Table,
    Id,
    StrategyId,
    OrganizationId,
    Kind,
    Year,
    Term,
    DueOn,
    Note,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum SituationPicture {
    Table,
    Id,
    Slug,
    OrganizationId,
    StrategyId,
    Title,
    AsOf,
    Summary,
    CityWide,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum SituationPictureDistrict {
    Table,
    SituationPictureId,
    DistrictId,
}

#[derive(DeriveIden, Clone, Copy)]
enum SituationSource {
    Table,
    Id,
    SituationPictureId,
    Kind,
    Name,
    Year,
    Position,
}

#[derive(DeriveIden, Clone, Copy)]
enum Finding {
    Table,
    Id,
    SituationPictureId,
    Text,
    PriorityAreaId,
    FocusAreaId,
    Position,
}

#[derive(DeriveIden, Clone, Copy)]
enum CauseAnalysis {
    Table,
    Id,
    SituationPictureId,
    AsOf,
    Summary,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Cause {
    Table,
    Id,
    #[sea_orm(iden = "cause_analysis_id")]
    AnalysisId,
    Text,
    Position,
}

#[derive(DeriveIden, Clone, Copy)]
enum CauseFinding {
    Table,
    CauseId,
    FindingId,
}

#[derive(DeriveIden, Clone, Copy)]
enum CollaborationGroupKind {
    Table,
    CollaborationGroupId,
    Kind,
    Position,
}

#[derive(DeriveIden, Clone, Copy)]
enum ActivityGroup {
    Table,
    ActivityId,
    CollaborationGroupId,
}

#[derive(DeriveIden, Clone, Copy)]
enum GroupFollowUp {
    Table,
    Id,
    CollaborationGroupId,
    Year,
    Term,
    Status,
    Notes,
    AsOf,
    ReportedByOrganizationId,
    ReportedBySub,
    Locked,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Indicator {
    Table,
    Id,
    Slug,
    Name,
    Unit,
    Source,
    Description,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Target {
    Table,
    Id,
    IndicatorId,
    ActionPlanId,
    ActivityId,
    DistrictId,
    Baseline,
    BaselineYear,
    Value,
    Year,
    Text,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Measurement {
    Table,
    Id,
    IndicatorId,
    DistrictId,
    Year,
    Term,
    Value,
    Note,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum TargetGroup {
    Table,
    Id,
    ActivityId,
    Label,
    AgeFrom,
    AgeTo,
    Position,
}

/// `ALTER TABLE <table> ADD COLUMN <column> <type> [REFERENCES <to>(id) …]`, valid on both
/// databases for a nullable column.
async fn add_column(
    manager: &SchemaManager<'_>,
    table: &str,
    column: &str,
    sql_type: &str,
    references: Option<(&str, &str)>,
) -> Result<(), DbErr> {
    let references = references
        .map(|(to, on_delete)| {
            format!(" REFERENCES \"{to}\" (\"id\") ON DELETE {on_delete} ON UPDATE CASCADE")
        })
        .unwrap_or_default();
    manager
        .get_connection()
        .execute_unprepared(&format!(
            "ALTER TABLE \"{table}\" ADD COLUMN \"{column}\" {sql_type}{references}"
        ))
        .await?;
    Ok(())
}

/// The action plan table as it is after this migration (district optional, an owner, the
/// situation picture and analysis it rests on).
fn action_plan_table(name: &str) -> TableCreateStatement {
    use ForeignKeyAction::{Restrict, SetNull};
    let mut owner = fk(
        ActionPlan::Table,
        ActionPlan::OrganizationId,
        Organization::Table,
        Restrict,
    );
    let mut picture = fk(
        ActionPlan::Table,
        ActionPlan::SituationPictureId,
        SituationPicture::Table,
        SetNull,
    );
    let mut district = fk(
        ActionPlan::Table,
        ActionPlan::DistrictId,
        District::Table,
        Restrict,
    );
    let mut strategy = fk(
        ActionPlan::Table,
        ActionPlan::StrategyId,
        Strategy::Table,
        SetNull,
    );
    Table::create()
        .table(Alias::new(name))
        .col(pk_auto(ActionPlan::Id))
        .col(integer_null(ActionPlan::DistrictId))
        .col(integer_null(ActionPlan::StrategyId))
        .col(string_uniq(ActionPlan::Slug))
        .col(text(ActionPlan::Title))
        .col(text_null(ActionPlan::Description))
        .col(integer_null(ActionPlan::StartYear))
        .col(integer_null(ActionPlan::EndYear))
        .col(integer(ActionPlan::Version).default(1))
        .col(timestamp_with_time_zone(ActionPlan::CreatedAt))
        .col(timestamp_with_time_zone(ActionPlan::UpdatedAt))
        .col(integer_null(ActionPlan::OrganizationId))
        .col(integer_null(ActionPlan::SituationPictureId))
        .foreign_key(&mut district)
        .foreign_key(&mut strategy)
        .foreign_key(&mut owner)
        .foreign_key(&mut picture)
        .to_owned()
}

/// Gives `action_plan` its owner and analysis columns and makes its district optional.
async fn rebuild_action_plan(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = manager.get_connection();
    if manager.get_database_backend() == sea_orm::DatabaseBackend::Sqlite {
        // https://www.sqlite.org/lang_altertable.html#otheralter — one script, so one
        // connection: foreign keys off, rebuild in a transaction, foreign keys on.
        let create = action_plan_table("action_plan_new").to_string(SqliteQueryBuilder);
        let columns = "id, district_id, strategy_id, slug, title, description, start_year, \
                       end_year, version, created_at, updated_at";
        db.execute_unprepared(&format!(
            "PRAGMA foreign_keys = OFF; BEGIN; {create}; \
             INSERT INTO action_plan_new ({columns}) SELECT {columns} FROM action_plan; \
             DROP TABLE action_plan; ALTER TABLE action_plan_new RENAME TO action_plan; \
             COMMIT; PRAGMA foreign_keys = ON;"
        ))
        .await?;
        for column in [ActionPlan::DistrictId, ActionPlan::StrategyId] {
            manager
                .create_index(index(ActionPlan::Table, &[column]))
                .await?;
        }
    } else {
        db.execute_unprepared("ALTER TABLE action_plan ALTER COLUMN district_id DROP NOT NULL")
            .await?;
        add_column(
            manager,
            "action_plan",
            "organization_id",
            "integer",
            Some(("organization", "RESTRICT")),
        )
        .await?;
        add_column(
            manager,
            "action_plan",
            "situation_picture_id",
            "integer",
            Some(("situation_picture", "SET NULL")),
        )
        .await?;
    }
    // Existing plans are owned by their district's administration.
    db.execute_unprepared(
        "UPDATE action_plan SET organization_id = (\
           SELECT MIN(o.id) FROM organization o \
           JOIN organization_district od ON od.organization_id = o.id \
           WHERE od.district_id = action_plan.district_id \
             AND o.kind = 'DISTRICT_ADMINISTRATION') \
         WHERE organization_id IS NULL",
    )
    .await?;
    for column in [ActionPlan::OrganizationId, ActionPlan::SituationPictureId] {
        manager
            .create_index(index(ActionPlan::Table, &[column]))
            .await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::{Cascade, Restrict, SetNull};

        // Lineage.
        add_column(
            manager,
            "strategy",
            "predecessor_id",
            "integer",
            Some(("strategy", "SET NULL")),
        )
        .await?;
        manager
            .create_index(index(Strategy::Table, &[Strategy::PredecessorId]))
            .await?;
        add_column(
            manager,
            "priority_area",
            "continues_id",
            "integer",
            Some(("priority_area", "SET NULL")),
        )
        .await?;
        manager
            .create_index(index(PriorityArea::Table, &[PriorityArea::ContinuesId]))
            .await?;
        add_column(
            manager,
            "focus_area",
            "continues_id",
            "integer",
            Some(("focus_area", "SET NULL")),
        )
        .await?;
        manager
            .create_index(index(FocusArea::Table, &[FocusArea::ContinuesId]))
            .await?;

        // Provenance.
        manager
            .create_table(
                Table::create()
                    .table(SourceDocument::Table)
                    .col(pk_auto(SourceDocument::Id))
                    .col(string_uniq(SourceDocument::Slug))
                    .col(text(SourceDocument::Title))
                    .col(text(SourceDocument::FileName))
                    .col(text_null(SourceDocument::Publisher))
                    .col(integer_null(SourceDocument::Year))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Provenance::Table)
                    .col(pk_auto(Provenance::Id))
                    .col(string(Provenance::RecordType))
                    .col(integer(Provenance::RecordId))
                    .col(integer_null(Provenance::SourceDocumentId))
                    .col(boolean(Provenance::Inferred).default(false))
                    .col(text_null(Provenance::Note))
                    .foreign_key(&mut fk(
                        Provenance::Table,
                        Provenance::SourceDocumentId,
                        SourceDocument::Table,
                        SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index(
                    Provenance::Table,
                    &[Provenance::RecordType, Provenance::RecordId],
                )
                .unique()
                .to_owned(),
            )
            .await?;
        manager
            .create_index(index(Provenance::Table, &[Provenance::SourceDocumentId]))
            .await?;

        // Obligations.
        manager
            .create_table(
                Table::create()
                    .table(Obligation::Table)
                    .col(pk_auto(Obligation::Id))
                    .col(integer(Obligation::StrategyId))
                    .col(integer(Obligation::OrganizationId))
                    .col(string(Obligation::Kind))
                    .col(integer_null(Obligation::Year))
                    .col(string_null(Obligation::Term))
                    .col(date_null(Obligation::DueOn))
                    .col(text_null(Obligation::Note))
                    .col(integer(Obligation::Version).default(1))
                    .col(timestamp_with_time_zone(Obligation::CreatedAt))
                    .col(timestamp_with_time_zone(Obligation::UpdatedAt))
                    .foreign_key(&mut fk(
                        Obligation::Table,
                        Obligation::StrategyId,
                        Strategy::Table,
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        Obligation::Table,
                        Obligation::OrganizationId,
                        Organization::Table,
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                Obligation::Table,
                &[Obligation::StrategyId, Obligation::OrganizationId],
            ))
            .await?;
        manager
            .create_index(index(Obligation::Table, &[Obligation::OrganizationId]))
            .await?;

        // Situation pictures and their analyses.
        manager
            .create_table(
                Table::create()
                    .table(SituationPicture::Table)
                    .col(pk_auto(SituationPicture::Id))
                    .col(string_uniq(SituationPicture::Slug))
                    .col(integer(SituationPicture::OrganizationId))
                    .col(integer_null(SituationPicture::StrategyId))
                    .col(text(SituationPicture::Title))
                    .col(date_null(SituationPicture::AsOf))
                    .col(text_null(SituationPicture::Summary))
                    .col(boolean(SituationPicture::CityWide).default(false))
                    .col(integer(SituationPicture::Version).default(1))
                    .col(timestamp_with_time_zone(SituationPicture::CreatedAt))
                    .col(timestamp_with_time_zone(SituationPicture::UpdatedAt))
                    .foreign_key(&mut fk(
                        SituationPicture::Table,
                        SituationPicture::OrganizationId,
                        Organization::Table,
                        Restrict,
                    ))
                    .foreign_key(&mut fk(
                        SituationPicture::Table,
                        SituationPicture::StrategyId,
                        Strategy::Table,
                        SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        for column in [
            SituationPicture::OrganizationId,
            SituationPicture::StrategyId,
        ] {
            manager
                .create_index(index(SituationPicture::Table, &[column]))
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(SituationPictureDistrict::Table)
                    .col(integer(SituationPictureDistrict::SituationPictureId))
                    .col(integer(SituationPictureDistrict::DistrictId))
                    .primary_key(
                        Index::create()
                            .col(SituationPictureDistrict::SituationPictureId)
                            .col(SituationPictureDistrict::DistrictId),
                    )
                    .foreign_key(&mut fk(
                        SituationPictureDistrict::Table,
                        SituationPictureDistrict::SituationPictureId,
                        SituationPicture::Table,
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        SituationPictureDistrict::Table,
                        SituationPictureDistrict::DistrictId,
                        District::Table,
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                SituationPictureDistrict::Table,
                &[SituationPictureDistrict::DistrictId],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SituationSource::Table)
                    .col(pk_auto(SituationSource::Id))
                    .col(integer(SituationSource::SituationPictureId))
                    .col(string(SituationSource::Kind))
                    .col(text(SituationSource::Name))
                    .col(integer_null(SituationSource::Year))
                    .col(integer(SituationSource::Position).default(0))
                    .foreign_key(&mut fk(
                        SituationSource::Table,
                        SituationSource::SituationPictureId,
                        SituationPicture::Table,
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                SituationSource::Table,
                &[SituationSource::SituationPictureId],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Finding::Table)
                    .col(pk_auto(Finding::Id))
                    .col(integer(Finding::SituationPictureId))
                    .col(text(Finding::Text))
                    .col(integer_null(Finding::PriorityAreaId))
                    .col(integer_null(Finding::FocusAreaId))
                    .col(integer(Finding::Position).default(0))
                    .foreign_key(&mut fk(
                        Finding::Table,
                        Finding::SituationPictureId,
                        SituationPicture::Table,
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        Finding::Table,
                        Finding::PriorityAreaId,
                        PriorityArea::Table,
                        SetNull,
                    ))
                    .foreign_key(&mut fk(
                        Finding::Table,
                        Finding::FocusAreaId,
                        FocusArea::Table,
                        SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        for column in [
            Finding::SituationPictureId,
            Finding::PriorityAreaId,
            Finding::FocusAreaId,
        ] {
            manager
                .create_index(index(Finding::Table, &[column]))
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(CauseAnalysis::Table)
                    .col(pk_auto(CauseAnalysis::Id))
                    .col(integer_uniq(CauseAnalysis::SituationPictureId))
                    .col(date_null(CauseAnalysis::AsOf))
                    .col(text_null(CauseAnalysis::Summary))
                    .col(integer(CauseAnalysis::Version).default(1))
                    .col(timestamp_with_time_zone(CauseAnalysis::CreatedAt))
                    .col(timestamp_with_time_zone(CauseAnalysis::UpdatedAt))
                    .foreign_key(&mut fk(
                        CauseAnalysis::Table,
                        CauseAnalysis::SituationPictureId,
                        SituationPicture::Table,
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Cause::Table)
                    .col(pk_auto(Cause::Id))
                    .col(integer(Cause::AnalysisId))
                    .col(text(Cause::Text))
                    .col(integer(Cause::Position).default(0))
                    .foreign_key(&mut fk(
                        Cause::Table,
                        Cause::AnalysisId,
                        CauseAnalysis::Table,
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(Cause::Table, &[Cause::AnalysisId]))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CauseFinding::Table)
                    .col(integer(CauseFinding::CauseId))
                    .col(integer(CauseFinding::FindingId))
                    .primary_key(
                        Index::create()
                            .col(CauseFinding::CauseId)
                            .col(CauseFinding::FindingId),
                    )
                    .foreign_key(&mut fk(
                        CauseFinding::Table,
                        CauseFinding::CauseId,
                        Cause::Table,
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        CauseFinding::Table,
                        CauseFinding::FindingId,
                        Finding::Table,
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(CauseFinding::Table, &[CauseFinding::FindingId]))
            .await?;

        // Plans of any body.
        rebuild_action_plan(manager).await?;

        // Seats taken only when needed ("vid behov"), as written.
        add_column(manager, "participation", "attendance", "text", None).await?;

        // Groups everywhere.
        add_column(manager, "collaboration_group", "valid_from", "date", None).await?;
        add_column(manager, "collaboration_group", "valid_until", "date", None).await?;
        add_column(
            manager,
            "collaboration_group",
            "source_plan_id",
            "integer",
            Some(("action_plan", "SET NULL")),
        )
        .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "ALTER TABLE collaboration_group ADD COLUMN follow_up_terms text NOT NULL DEFAULT ''",
            )
            .await?;
        manager
            .create_index(index(
                CollaborationGroup::Table,
                &[CollaborationGroup::SourcePlanId],
            ))
            .await?;
        manager
            .create_index(index(
                CollaborationGroup::Table,
                &[
                    CollaborationGroup::ValidFrom,
                    CollaborationGroup::ValidUntil,
                ],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CollaborationGroupKind::Table)
                    .col(integer(CollaborationGroupKind::CollaborationGroupId))
                    .col(string(CollaborationGroupKind::Kind))
                    .col(integer(CollaborationGroupKind::Position).default(0))
                    .primary_key(
                        Index::create()
                            .col(CollaborationGroupKind::CollaborationGroupId)
                            .col(CollaborationGroupKind::Kind),
                    )
                    .foreign_key(&mut fk(
                        CollaborationGroupKind::Table,
                        CollaborationGroupKind::CollaborationGroupId,
                        CollaborationGroup::Table,
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                CollaborationGroupKind::Table,
                &[CollaborationGroupKind::Kind],
            ))
            .await?;
        // Every existing group has its one kind.
        manager
            .get_connection()
            .execute_unprepared(
                "INSERT INTO collaboration_group_kind (collaboration_group_id, kind, position) \
                 SELECT id, kind, 0 FROM collaboration_group",
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ActivityGroup::Table)
                    .col(integer(ActivityGroup::ActivityId))
                    .col(integer(ActivityGroup::CollaborationGroupId))
                    .primary_key(
                        Index::create()
                            .col(ActivityGroup::ActivityId)
                            .col(ActivityGroup::CollaborationGroupId),
                    )
                    .foreign_key(&mut fk(
                        ActivityGroup::Table,
                        ActivityGroup::ActivityId,
                        Activity::Table,
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        ActivityGroup::Table,
                        ActivityGroup::CollaborationGroupId,
                        CollaborationGroup::Table,
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                ActivityGroup::Table,
                &[ActivityGroup::CollaborationGroupId],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(GroupFollowUp::Table)
                    .col(pk_auto(GroupFollowUp::Id))
                    .col(integer(GroupFollowUp::CollaborationGroupId))
                    .col(integer(GroupFollowUp::Year))
                    .col(string(GroupFollowUp::Term))
                    .col(string(GroupFollowUp::Status))
                    .col(text_null(GroupFollowUp::Notes))
                    .col(date_null(GroupFollowUp::AsOf))
                    .col(integer_null(GroupFollowUp::ReportedByOrganizationId))
                    .col(string_null(GroupFollowUp::ReportedBySub))
                    .col(boolean(GroupFollowUp::Locked).default(false))
                    .col(integer(GroupFollowUp::Version).default(1))
                    .col(timestamp_with_time_zone(GroupFollowUp::CreatedAt))
                    .col(timestamp_with_time_zone(GroupFollowUp::UpdatedAt))
                    .foreign_key(&mut fk(
                        GroupFollowUp::Table,
                        GroupFollowUp::CollaborationGroupId,
                        CollaborationGroup::Table,
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        GroupFollowUp::Table,
                        GroupFollowUp::ReportedByOrganizationId,
                        Organization::Table,
                        SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index(
                    GroupFollowUp::Table,
                    &[
                        GroupFollowUp::CollaborationGroupId,
                        GroupFollowUp::Year,
                        GroupFollowUp::Term,
                    ],
                )
                .unique()
                .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                GroupFollowUp::Table,
                &[GroupFollowUp::ReportedByOrganizationId],
            ))
            .await?;

        // Indicators, targets, measurements, target groups.
        manager
            .create_table(
                Table::create()
                    .table(Indicator::Table)
                    .col(pk_auto(Indicator::Id))
                    .col(string_uniq(Indicator::Slug))
                    .col(text(Indicator::Name))
                    .col(text_null(Indicator::Unit))
                    .col(text_null(Indicator::Source))
                    .col(text_null(Indicator::Description))
                    .col(integer(Indicator::Version).default(1))
                    .col(timestamp_with_time_zone(Indicator::CreatedAt))
                    .col(timestamp_with_time_zone(Indicator::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Target::Table)
                    .col(pk_auto(Target::Id))
                    .col(integer(Target::IndicatorId))
                    .col(integer_null(Target::ActionPlanId))
                    .col(integer_null(Target::ActivityId))
                    .col(integer_null(Target::DistrictId))
                    .col(double_null(Target::Baseline))
                    .col(integer_null(Target::BaselineYear))
                    .col(double_null(Target::Value))
                    .col(integer_null(Target::Year))
                    .col(text_null(Target::Text))
                    .col(integer(Target::Version).default(1))
                    .col(timestamp_with_time_zone(Target::CreatedAt))
                    .col(timestamp_with_time_zone(Target::UpdatedAt))
                    .foreign_key(&mut fk(
                        Target::Table,
                        Target::IndicatorId,
                        Indicator::Table,
                        Restrict,
                    ))
                    .foreign_key(&mut fk(
                        Target::Table,
                        Target::ActionPlanId,
                        ActionPlan::Table,
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        Target::Table,
                        Target::ActivityId,
                        Activity::Table,
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        Target::Table,
                        Target::DistrictId,
                        District::Table,
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        for column in [
            Target::IndicatorId,
            Target::ActionPlanId,
            Target::ActivityId,
            Target::DistrictId,
        ] {
            manager
                .create_index(index(Target::Table, &[column]))
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(Measurement::Table)
                    .col(pk_auto(Measurement::Id))
                    .col(integer(Measurement::IndicatorId))
                    .col(integer_null(Measurement::DistrictId))
                    .col(integer(Measurement::Year))
                    .col(string_null(Measurement::Term))
                    .col(double(Measurement::Value))
                    .col(text_null(Measurement::Note))
                    .col(integer(Measurement::Version).default(1))
                    .col(timestamp_with_time_zone(Measurement::CreatedAt))
                    .col(timestamp_with_time_zone(Measurement::UpdatedAt))
                    .foreign_key(&mut fk(
                        Measurement::Table,
                        Measurement::IndicatorId,
                        Indicator::Table,
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        Measurement::Table,
                        Measurement::DistrictId,
                        District::Table,
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                Measurement::Table,
                &[
                    Measurement::IndicatorId,
                    Measurement::DistrictId,
                    Measurement::Year,
                ],
            ))
            .await?;
        manager
            .create_index(index(Measurement::Table, &[Measurement::DistrictId]))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TargetGroup::Table)
                    .col(pk_auto(TargetGroup::Id))
                    .col(integer(TargetGroup::ActivityId))
                    .col(text(TargetGroup::Label))
                    .col(integer_null(TargetGroup::AgeFrom))
                    .col(integer_null(TargetGroup::AgeTo))
                    .col(integer(TargetGroup::Position).default(0))
                    .foreign_key(&mut fk(
                        TargetGroup::Table,
                        TargetGroup::ActivityId,
                        Activity::Table,
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(TargetGroup::Table, &[TargetGroup::ActivityId]))
            .await?;
        manager
            .create_index(index(TargetGroup::Table, &[TargetGroup::Label]))
            .await?;
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite rebuilt `action_plan`, and plans without a district cannot go back to a
        // NOT NULL column: going down past this migration means restoring a backup.
        Err(DbErr::Migration(
            "the city cycle migration cannot be reverted; restore a backup".into(),
        ))
    }
}
