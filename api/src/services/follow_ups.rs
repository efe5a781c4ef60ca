//! Follow-ups: the status of an activity at a reporting point (T1, T2, ANNUAL), reported
//! by the organizations responsible for it; and submitting a district's period, which
//! locks its follow-ups (after that only an admin changes them, and that is audited like
//! every change).

use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::{FollowUpStatus, Term};
use entity::{action_plan, activity, district, follow_up, responsibility};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};

use super::audit::Change;
use super::authz::{self, Actor};
use super::write::{self, MAX_LONG_TEXT, Placed, Written};
use crate::error::{AppError, AppResult};
use crate::events::EventKind;

/// The last day a term's status describes: 30 April (T1), 31 August (T2), 31 December
/// (the annual report).
pub fn period_end(year: i32, term: Term) -> Option<NaiveDate> {
    match term {
        Term::T1 => NaiveDate::from_ymd_opt(year, 4, 30),
        Term::T2 => NaiveDate::from_ymd_opt(year, 8, 31),
        Term::Annual => NaiveDate::from_ymd_opt(year, 12, 31),
    }
}

/// What a report writes on a follow-up (by `report`, or by an import): its status and
/// effects as of a date, who reported them, and when.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Reported<'a> {
    pub status: FollowUpStatus,
    pub effects: Option<&'a str>,
    pub as_of: NaiveDate,
    pub actor: &'a Actor,
    pub now: DateTime<Utc>,
}

impl Reported<'_> {
    /// The columns it sets, the follow-up then at `version`.
    fn columns(self, version: i32) -> follow_up::ActiveModel {
        follow_up::ActiveModel {
            status: Set(self.status),
            effects: Set(self.effects.map(str::to_owned)),
            as_of: Set(Some(self.as_of)),
            reported_by_organization_id: Set(self.actor.org_id),
            reported_by_sub: Set(Some(self.actor.sub.clone())),
            version: Set(version),
            updated_at: Set(self.now),
            ..Default::default()
        }
    }

    /// The changes to a follow-up at `version`.
    pub fn update(self, version: i32) -> follow_up::ActiveModel {
        self.columns(version + 1)
    }

    /// A new follow-up of `activity_id` for the period (`year`, `term`); every column set.
    pub fn create(self, activity_id: i32, year: i32, term: Term) -> follow_up::ActiveModel {
        follow_up::ActiveModel {
            activity_id: Set(activity_id),
            year: Set(year),
            term: Set(term),
            locked: Set(false),
            created_at: Set(self.now),
            ..self.columns(1)
        }
    }
}

/// A report of one activity's status for one period.
#[derive(Debug, Clone)]
pub struct Report {
    /// The activity.
    pub activity_id: i32,
    /// The year of the period.
    pub year: i32,
    /// The term of the period.
    pub term: Term,
    /// The status.
    pub status: FollowUpStatus,
    /// Effekter och resultat.
    pub effects: Option<String>,
    /// The date the status describes (default: the end of the period).
    pub as_of: Option<NaiveDate>,
    /// The version the report was based on, when the period was reported before.
    pub expected_version: Option<i32>,
}

/// The activity's plan district and the organizations responsible for it.
async fn activity_facts(
    db: &DatabaseConnection,
    activity_id: i32,
) -> AppResult<(activity::Model, action_plan::Model, Vec<i32>)> {
    let activity =
        write::find::<activity::Entity, _>(db, activity_id, "input.activity", "activity").await?;
    let plan = write::find::<action_plan::Entity, _>(
        db,
        activity.action_plan_id,
        "input.activity",
        "action plan",
    )
    .await?;
    let responsible = responsibility::Entity::find()
        .filter(responsibility::Column::ActivityId.eq(activity.id))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.organization_id)
        .collect();
    Ok((activity, plan, responsible))
}

/// Report a follow-up: create it for a new period, or change it (based on
/// `expected_version`) for a period reported before.
pub async fn report(
    db: &DatabaseConnection,
    actor: &Actor,
    input: Report,
) -> AppResult<follow_up::Model> {
    let (activity, plan, responsible) = activity_facts(db, input.activity_id).await?;
    let existing = follow_up::Entity::find()
        .filter(follow_up::Column::ActivityId.eq(activity.id))
        .filter(follow_up::Column::Year.eq(input.year))
        .filter(follow_up::Column::Term.eq(input.term))
        .one(db)
        .await?;
    authz::follow_up(
        actor,
        &responsible,
        super::plans::scope(&plan),
        existing.as_ref().is_some_and(|f| f.locked),
    )?;
    write::year("input.period.year", input.year)?;
    let effects = write::optional_text("input.effects", input.effects.as_deref(), MAX_LONG_TEXT)?;
    let as_of = match input.as_of {
        Some(d) => d,
        None => period_end(input.year, input.term)
            .ok_or_else(|| AppError::bad_input("input.period", "no such period"))?,
    };
    let reported = Reported {
        status: input.status,
        effects: effects.as_deref(),
        as_of,
        actor,
        now: Utc::now(),
    };
    let change = |action, id| Change {
        action,
        node_type: "FollowUp",
        node_id: id,
        district_id: plan.district_id,
    };
    if let (None, Some(v)) = (&existing, input.expected_version) {
        return Err(AppError::bad_input(
            "input.expectedVersion",
            format!("the period has not been reported yet; omit expectedVersion (got {v})"),
        ));
    }
    match existing {
        None => {
            write::commit(db, actor, |txn, _| {
                Box::pin(async move {
                    let created = reported
                        .create(activity.id, input.year, input.term)
                        .insert(txn)
                        .await
                        .map_err(|err| {
                            match err.sql_err() {
                        // Another report of the same period won the race.
                        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => AppError::Conflict(
                            "the period was reported meanwhile: reload and apply the report again"
                                .into(),
                        ),
                        _ => err.into(),
                    }
                        })?;
                    Ok(
                        Written::created(change("followUp.create", created.id), created)?
                            .announced(EventKind::FollowUp),
                    )
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
                    let after = write::update_if_version::<follow_up::Entity, _>(
                        txn,
                        reported.update(expected),
                        (follow_up::Column::Id, follow_up::Column::Version),
                        (before.id, expected),
                        "follow-up",
                    )
                    .await?;
                    Ok(
                        Written::updated(change("followUp.update", before.id), &before, after)?
                            .announced(EventKind::FollowUp),
                    )
                })
            })
            .await
        }
    }
}

/// Lock every follow-up of `district_id`'s plans for one period. Returns the follow-ups
/// locked by this call.
pub async fn submit(
    db: &DatabaseConnection,
    actor: &Actor,
    district_id: i32,
    year: i32,
    term: Term,
) -> AppResult<Vec<follow_up::Model>> {
    let district =
        write::find::<district::Entity, _>(db, district_id, "input.district", "district").await?;
    authz::district(actor, district.id, &district.name)?;
    write::year("input.period.year", year)?;
    let in_district = follow_up::Column::ActivityId.in_subquery(
        Query::select()
            .column((activity::Entity, activity::Column::Id))
            .from(activity::Entity)
            .inner_join(
                action_plan::Entity,
                Expr::col((action_plan::Entity, action_plan::Column::Id))
                    .equals((activity::Entity, activity::Column::ActionPlanId)),
            )
            .and_where(
                Expr::col((action_plan::Entity, action_plan::Column::DistrictId)).eq(district.id),
            )
            .to_owned(),
    );
    write::commit(db, actor, |txn, _| {
        Box::pin(async move {
            let open = follow_up::Entity::find()
                .filter(in_district)
                .filter(follow_up::Column::Year.eq(year))
                .filter(follow_up::Column::Term.eq(term))
                .filter(follow_up::Column::Locked.eq(false))
                .all(txn)
                .await?;
            let now = Utc::now();
            let mut locked = Vec::with_capacity(open.len());
            let mut written = Written::new(());
            for before in open {
                let after = follow_up::ActiveModel {
                    id: Set(before.id),
                    locked: Set(true),
                    version: Set(before.version + 1),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .update(txn)
                .await?;
                let change = Change {
                    action: "followUp.submit",
                    node_type: "FollowUp",
                    node_id: after.id,
                    district_id: Some(district.id),
                };
                written = written
                    .audit(change, Some(&before), Some(&after))?
                    .announce(EventKind::FollowUp, after.place());
                locked.push(after);
            }
            Ok(written.with(locked))
        })
    })
    .await
}
