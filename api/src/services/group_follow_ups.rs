//! Group follow-ups: the status of a collaboration group at a reporting point (T1, T2,
//! ANNUAL), with its notes, reported by the organizations that have a seat in it or the
//! district's coordinators; and submitting a district's groups for a period, which locks
//! their follow-ups (after that only an admin changes them). The same rules, versions and
//! locking as activities' follow-ups (`follow_ups.rs`).

use chrono::{NaiveDate, Utc};
use entity::enums::{FollowUpStatus, Term};
use entity::{collaboration_group, district, group_follow_up, participation};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};

use super::audit::Change;
use super::authz::{self, Actor};
use super::follow_ups::period_end;
use super::write::{self, MAX_LONG_TEXT, Placed, Written};
use crate::error::{AppError, AppResult};
use crate::events::EventKind;

/// A report of one group's status for one period.
#[derive(Debug, Clone)]
pub struct GroupReport {
    /// The group.
    pub group_id: i32,
    /// The year of the period.
    pub year: i32,
    /// The term of the period.
    pub term: Term,
    /// The status.
    pub status: FollowUpStatus,
    /// Notes: what the group did and achieved in the period.
    pub notes: Option<String>,
    /// The date the status describes (default: the end of the period).
    pub as_of: Option<NaiveDate>,
    /// The version the report was based on, when the period was reported before.
    pub expected_version: Option<i32>,
}

/// The organizations that have a seat in group `group_id`.
pub async fn seats_of(db: &DatabaseConnection, group_id: i32) -> AppResult<Vec<i32>> {
    Ok(participation::Entity::find()
        .filter(participation::Column::GroupId.eq(group_id))
        .all(db)
        .await?
        .into_iter()
        .map(|p| p.organization_id)
        .collect())
}

fn change(action: &str, id: i32, district: i32) -> Change<'_> {
    Change {
        action,
        node_type: "GroupFollowUp",
        node_id: id,
        district_id: Some(district),
    }
}

/// Report a group's follow-up: create it for a new period, or change it (based on
/// `expected_version`) for a period reported before.
pub async fn report(
    db: &DatabaseConnection,
    actor: &Actor,
    input: GroupReport,
) -> AppResult<group_follow_up::Model> {
    let group = write::find::<collaboration_group::Entity, _>(
        db,
        input.group_id,
        "input.group",
        "collaboration group",
    )
    .await?;
    let seats = seats_of(db, group.id).await?;
    let existing = group_follow_up::Entity::find()
        .filter(group_follow_up::Column::CollaborationGroupId.eq(group.id))
        .filter(group_follow_up::Column::Year.eq(input.year))
        .filter(group_follow_up::Column::Term.eq(input.term))
        .one(db)
        .await?;
    authz::group_follow_up(
        actor,
        &seats,
        group.district_id,
        existing.as_ref().is_some_and(|f| f.locked),
    )?;
    write::year("input.period.year", input.year)?;
    let notes = write::optional_text("input.notes", input.notes.as_deref(), MAX_LONG_TEXT)?;
    let as_of = match input.as_of {
        Some(d) => d,
        None => period_end(input.year, input.term)
            .ok_or_else(|| AppError::bad_input("input.period", "no such period"))?,
    };
    if let (None, Some(v)) = (&existing, input.expected_version) {
        return Err(AppError::bad_input(
            "input.expectedVersion",
            format!("the period has not been reported yet; omit expectedVersion (got {v})"),
        ));
    }
    let now = Utc::now();
    let district_id = group.district_id;
    match existing {
        None => {
            write::commit(db, actor, |txn, _| {
                Box::pin(async move {
                    let created = group_follow_up::ActiveModel {
                        collaboration_group_id: Set(group.id),
                        year: Set(input.year),
                        term: Set(input.term),
                        status: Set(input.status),
                        notes: Set(notes),
                        as_of: Set(Some(as_of)),
                        reported_by_organization_id: Set(actor.org_id),
                        reported_by_sub: Set(Some(actor.sub.clone())),
                        locked: Set(false),
                        version: Set(1),
                        created_at: Set(now),
                        updated_at: Set(now),
                        ..Default::default()
                    }
                    .insert(txn)
                    .await
                    .map_err(|err| match err.sql_err() {
                        // Another report of the same period won the race.
                        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => AppError::Conflict(
                            "the period was reported meanwhile: reload and apply the report again"
                                .into(),
                        ),
                        _ => err.into(),
                    })?;
                    Ok(Written::created(
                        change("groupFollowUp.create", created.id, district_id),
                        created,
                    )?
                    .announced(EventKind::Group))
                })
            })
            .await
        }
        Some(before) => {
            let expected = input.expected_version.ok_or_else(|| {
                AppError::Conflict(format!(
                    "the period was reported before (version {}): pass expectedVersion to change it",
                    before.version
                ))
            })?;
            write::check_version(expected, before.version)?;
            write::commit(db, actor, |txn, _| {
                Box::pin(async move {
                    let after = write::update_if_version::<group_follow_up::Entity, _>(
                        txn,
                        group_follow_up::ActiveModel {
                            status: Set(input.status),
                            notes: Set(notes),
                            as_of: Set(Some(as_of)),
                            reported_by_organization_id: Set(actor.org_id),
                            reported_by_sub: Set(Some(actor.sub.clone())),
                            version: Set(expected + 1),
                            updated_at: Set(now),
                            ..Default::default()
                        },
                        (
                            group_follow_up::Column::Id,
                            group_follow_up::Column::Version,
                        ),
                        (before.id, expected),
                        "group follow-up",
                    )
                    .await?;
                    Ok(Written::updated(
                        change("groupFollowUp.update", before.id, district_id),
                        &before,
                        after,
                    )?
                    .announced(EventKind::Group))
                })
            })
            .await
        }
    }
}

/// Lock every follow-up of `district_id`'s groups for one period. Returns the follow-ups
/// locked by this call.
pub async fn submit(
    db: &DatabaseConnection,
    actor: &Actor,
    district_id: i32,
    year: i32,
    term: Term,
) -> AppResult<Vec<group_follow_up::Model>> {
    let district =
        write::find::<district::Entity, _>(db, district_id, "input.district", "district").await?;
    authz::district(actor, district.id, &district.name)?;
    write::year("input.period.year", year)?;
    let in_district = group_follow_up::Column::CollaborationGroupId.in_subquery(
        Query::select()
            .column(collaboration_group::Column::Id)
            .from(collaboration_group::Entity)
            .and_where(Expr::col(collaboration_group::Column::DistrictId).eq(district.id))
            .to_owned(),
    );
    write::commit(db, actor, |txn, _| {
        Box::pin(async move {
            let open = group_follow_up::Entity::find()
                .filter(in_district)
                .filter(group_follow_up::Column::Year.eq(year))
                .filter(group_follow_up::Column::Term.eq(term))
                .filter(group_follow_up::Column::Locked.eq(false))
                .all(txn)
                .await?;
            let now = Utc::now();
            let mut locked = Vec::with_capacity(open.len());
            let mut written = Written::new(());
            for before in open {
                let after = group_follow_up::ActiveModel {
                    id: Set(before.id),
                    locked: Set(true),
                    version: Set(before.version + 1),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .update(txn)
                .await?;
                written = written
                    .audit(
                        change("groupFollowUp.submit", after.id, district.id),
                        Some(&before),
                        Some(&after),
                    )?
                    .announce(EventKind::Group, after.place());
                locked.push(after);
            }
            Ok(written.with(locked))
        })
    })
    .await
}
