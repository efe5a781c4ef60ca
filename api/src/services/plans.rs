//! Action plans and their activities. A plan is owned by a body (a district
//! administration or a facknämnd's administration) and is for one district or none; it is
//! run by the district's coordinators, the owner's own editors and admins
//! ([`authz::plan`]).

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use entity::enums::Term;
use entity::{
    action_plan, activity, activity_method, district, focus_area, method, organization,
    priority_area, responsibility, strategy,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, Set,
};

use super::audit::Change;
use super::authz::{self, Actor};
use super::terms;
use super::write::{self, MAX_LONG_TEXT, MAX_SHORT_TEXT, Written};
use crate::error::{AppError, AppResult};

/// A patch of one field: `None` leaves it, `Some(None)` clears it, `Some(Some(v))` sets it.
pub type Patch<T> = Option<Option<T>>;

/// A new action plan.
#[derive(Debug, Clone, Default)]
pub struct NewPlan {
    /// The district it is for (`None`: a body's own plan, not tied to one district).
    pub district_id: Option<i32>,
    /// The owning organization (default: the district's administration).
    pub organization_id: Option<i32>,
    /// The situation picture (and its cause analysis) it rests on.
    pub situation_picture_id: Option<i32>,
    /// The strategy it follows.
    pub strategy_id: Option<i32>,
    /// Readable identifier (default: made from the district and the years).
    pub slug: Option<String>,
    /// Title.
    pub title: String,
    /// Introduction.
    pub description: Option<String>,
    /// First year.
    pub start_year: Option<i32>,
    /// Last year.
    pub end_year: Option<i32>,
}

/// Whose a plan is, for the rule on plans.
pub fn scope(plan: &action_plan::Model) -> authz::PlanScope {
    authz::PlanScope {
        owner: plan.organization_id,
        district: plan.district_id,
    }
}

/// The scope of an existing plan, checked against the rule for plans.
async fn editable_plan(
    db: &impl ConnectionTrait,
    actor: &Actor,
    plan: &action_plan::Model,
) -> AppResult<()> {
    let scope = scope(plan);
    if actor.is_admin() || authz::plan(actor, scope, "").is_ok() {
        return Ok(());
    }
    authz::plan(actor, scope, &scope_name(db, scope).await?)?;
    Ok(())
}

/// The owner's (or else the district's) name, for a denial.
async fn scope_name(db: &impl ConnectionTrait, scope: authz::PlanScope) -> AppResult<String> {
    if let Some(o) = scope.owner
        && let Some(org) = organization::Entity::find_by_id(o).one(db).await?
    {
        return Ok(org.name);
    }
    if let Some(d) = scope.district
        && let Some(d) = district::Entity::find_by_id(d).one(db).await?
    {
        return Ok(d.name);
    }
    Ok("the plan".into())
}

/// The district administration serving `district_id`: the default owner of its plans.
pub async fn district_administration(
    db: &impl ConnectionTrait,
    district_id: i32,
) -> AppResult<Option<i32>> {
    use sea_orm::{QueryOrder, QuerySelect};
    let row = organization::Entity::find()
        .filter(
            organization::Column::Kind.eq(entity::enums::OrganizationKind::DistrictAdministration),
        )
        .filter(
            organization::Column::Id.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(entity::organization_district::Column::OrganizationId)
                    .from(entity::organization_district::Entity)
                    .and_where(entity::organization_district::Column::DistrictId.eq(district_id))
                    .to_owned(),
            ),
        )
        .order_by_asc(organization::Column::Id)
        .limit(1)
        .one(db)
        .await?;
    Ok(row.map(|o| o.id))
}

fn plan_change(action: &str, id: i32, district: Option<i32>) -> Change<'_> {
    Change {
        action,
        node_type: "ActionPlan",
        node_id: id,
        district_id: district,
    }
}

/// A new plan's row: `plan` as checked, with the slug decided; version 1, made `now`.
pub(crate) fn new_row(plan: NewPlan, slug: String, now: DateTime<Utc>) -> action_plan::ActiveModel {
    action_plan::ActiveModel {
        district_id: Set(plan.district_id),
        organization_id: Set(plan.organization_id),
        situation_picture_id: Set(plan.situation_picture_id),
        strategy_id: Set(plan.strategy_id),
        slug: Set(slug),
        title: Set(plan.title),
        description: Set(plan.description),
        start_year: Set(plan.start_year),
        end_year: Set(plan.end_year),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
}

/// Create an action plan for a district, or a body's own plan.
pub async fn create_plan(
    db: &DatabaseConnection,
    actor: &Actor,
    input: NewPlan,
) -> AppResult<action_plan::Model> {
    let district = match input.district_id {
        Some(id) => {
            Some(write::find::<district::Entity, _>(db, id, "input.district", "district").await?)
        }
        None => None,
    };
    let owner = match (input.organization_id, &district) {
        (Some(id), _) => {
            write::find::<organization::Entity, _>(db, id, "input.owner", "organization").await?;
            Some(id)
        }
        (None, Some(d)) => district_administration(db, d.id).await?,
        (None, None) => None,
    };
    let Some(owner) = owner else {
        return Err(AppError::bad_input(
            "input.owner",
            "a plan needs an owner: give the owning organization, or a district with a district administration",
        ));
    };
    let scope = authz::PlanScope {
        owner: Some(owner),
        district: district.as_ref().map(|d| d.id),
    };
    authz::plan(actor, scope, &scope_name(db, scope).await?)?;
    if let Some(p) = input.situation_picture_id {
        write::find::<entity::situation_picture::Entity, _>(
            db,
            p,
            "input.basedOn",
            "situation picture",
        )
        .await?;
    }
    if let Some(s) = input.strategy_id {
        write::find::<strategy::Entity, _>(db, s, "input.strategy", "strategy").await?;
    }
    let title = write::required_text("input.title", &input.title, MAX_SHORT_TEXT)?;
    let description = write::optional_text(
        "input.description",
        input.description.as_deref(),
        MAX_LONG_TEXT,
    )?;
    write::years(
        "input.startYear",
        input.start_year,
        "input.endYear",
        input.end_year,
    )?;
    let slug = match &input.slug {
        Some(s) => write::slug("input.slug", s)?,
        None => write::slugify(&format!(
            "{} {} {}",
            match &district {
                Some(d) => d.slug.clone(),
                None => organization::Entity::find_by_id(owner)
                    .one(db)
                    .await?
                    .map(|o| o.slug)
                    .unwrap_or_default(),
            },
            input.start_year.map(|y| y.to_string()).unwrap_or_default(),
            input.end_year.map(|y| y.to_string()).unwrap_or_default()
        )),
    };
    write::slug_free::<action_plan::Entity, _>(db, action_plan::Column::Slug, &slug, "action plan")
        .await?;
    let now = Utc::now();
    write::commit(db, actor, |txn, _| {
        Box::pin(async move {
            let plan = NewPlan {
                district_id: scope.district,
                organization_id: Some(owner),
                title,
                description,
                ..input
            };
            let created = new_row(plan, slug, now).insert(txn).await?;
            Written::created(
                plan_change("actionPlan.create", created.id, scope.district),
                created,
            )
        })
    })
    .await
}

/// Changes to a plan.
#[derive(Debug, Clone, Default)]
pub struct PlanChanges {
    /// Title.
    pub title: Option<String>,
    /// Introduction.
    pub description: Patch<String>,
    /// First year.
    pub start_year: Patch<i32>,
    /// Last year.
    pub end_year: Patch<i32>,
    /// The strategy it follows.
    pub strategy_id: Patch<i32>,
    /// The situation picture it rests on.
    pub situation_picture_id: Patch<i32>,
}

/// Change a plan, based on version `expected`.
pub async fn update_plan(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    expected: i32,
    changes: PlanChanges,
) -> AppResult<action_plan::Model> {
    let before = write::find::<action_plan::Entity, _>(db, id, "input.id", "action plan").await?;
    editable_plan(db, actor, &before).await?;
    write::check_version(expected, before.version)?;
    let mut am = action_plan::ActiveModel {
        version: Set(expected + 1),
        updated_at: Set(Utc::now()),
        ..Default::default()
    };
    if let Some(t) = &changes.title {
        am.title = Set(write::required_text("input.title", t, MAX_SHORT_TEXT)?);
    }
    if let Some(d) = &changes.description {
        am.description = Set(write::optional_text(
            "input.description",
            d.as_deref(),
            MAX_LONG_TEXT,
        )?);
    }
    if let Some(s) = changes.strategy_id {
        if let Some(s) = s {
            write::find::<strategy::Entity, _>(db, s, "input.strategy", "strategy").await?;
        }
        am.strategy_id = Set(s);
    }
    if let Some(p) = changes.situation_picture_id {
        if let Some(p) = p {
            write::find::<entity::situation_picture::Entity, _>(
                db,
                p,
                "input.basedOn",
                "situation picture",
            )
            .await?;
        }
        am.situation_picture_id = Set(p);
    }
    let start = changes.start_year.unwrap_or(before.start_year);
    let end = changes.end_year.unwrap_or(before.end_year);
    write::years("input.startYear", start, "input.endYear", end)?;
    am.start_year = Set(start);
    am.end_year = Set(end);
    write::commit(db, actor, |txn, _| {
        Box::pin(async move {
            let after = write::update_if_version::<action_plan::Entity, _>(
                txn,
                am,
                (action_plan::Column::Id, action_plan::Column::Version),
                (id, expected),
                "action plan",
            )
            .await?;
            Written::updated(
                plan_change("actionPlan.update", id, before.district_id),
                &before,
                after,
            )
        })
    })
    .await
}

/// Who carries an activity.
#[derive(Debug, Clone)]
pub struct NewResponsibility {
    /// The organization.
    pub organization_id: i32,
    /// The role title(s).
    pub role: Option<String>,
}

/// The content of an activity (for create; for update every field is optional).
#[derive(Debug, Clone, Default)]
pub struct ActivityFields {
    /// Priority area.
    pub priority_area_id: Patch<i32>,
    /// Focus area.
    pub focus_area_id: Patch<i32>,
    /// Mål och nytta.
    pub goal: Patch<String>,
    /// Metoder och arbetssätt.
    pub description: Option<String>,
    /// Methods (replaces the set when given).
    pub method_ids: Option<Vec<i32>>,
    /// Responsibilities (replace the list when given).
    pub responsibilities: Option<Vec<NewResponsibility>>,
    /// Tidsplan as written.
    pub timeline: Patch<String>,
    /// First year.
    pub start_year: Patch<i32>,
    /// Last year.
    pub end_year: Patch<i32>,
    /// Uppföljning as written.
    pub follow_up_schedule: Patch<String>,
    /// Reporting points asked for.
    pub follow_up_terms: Option<Vec<Term>>,
    /// Whom it is for (replace the list when given; issue 14).
    pub target_groups: Option<Vec<super::targets::NewTargetGroup>>,
    /// The collaboration groups that carry it (replaces the set when given; groups of the
    /// plan's district only).
    pub group_ids: Option<Vec<i32>>,
}

/// A snapshot of an activity with its methods and responsibilities, for the audit trail.
#[derive(Debug, serde::Serialize)]
struct ActivitySnapshot<'a> {
    #[serde(flatten)]
    activity: &'a activity::Model,
    methods: Vec<i32>,
    responsibilities: Vec<(i32, Option<String>)>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    target_groups: Vec<super::targets::NewTargetGroup>,
    /// The groups that carry it.
    groups: Vec<i32>,
}

async fn snapshot<C: ConnectionTrait>(
    db: &C,
    a: &activity::Model,
) -> AppResult<(Vec<i32>, Vec<(i32, Option<String>)>)> {
    let methods = activity_method::Entity::find()
        .filter(activity_method::Column::ActivityId.eq(a.id))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.method_id)
        .collect();
    let mut resp = responsibility::Entity::find()
        .filter(responsibility::Column::ActivityId.eq(a.id))
        .all(db)
        .await?;
    resp.sort_by_key(|r| (r.position, r.id));
    Ok((
        methods,
        resp.into_iter()
            .map(|r| (r.organization_id, r.role))
            .collect(),
    ))
}

/// Check the references and texts of `fields`; returns the validated fields.
async fn validate_activity(db: &DatabaseConnection, fields: &ActivityFields) -> AppResult<()> {
    if let Some(Some(id)) = fields.priority_area_id {
        write::find::<priority_area::Entity, _>(db, id, "input.priorityArea", "priority area")
            .await?;
    }
    if let Some(Some(id)) = fields.focus_area_id {
        let fa =
            write::find::<focus_area::Entity, _>(db, id, "input.focusArea", "focus area").await?;
        if let Some(Some(pa)) = fields.priority_area_id
            && fa.priority_area_id != pa
        {
            return Err(AppError::bad_input(
                "input.focusArea",
                "the focus area belongs to another priority area",
            ));
        }
    }
    if let Some(d) = &fields.description {
        write::required_text("input.description", d, MAX_LONG_TEXT)?;
    }
    if let Some(Some(g)) = &fields.goal {
        write::required_text("input.goal", g, MAX_LONG_TEXT)?;
    }
    if let Some(ids) = &fields.method_ids {
        let unique: HashSet<i32> = ids.iter().copied().collect();
        let found = method::Entity::find()
            .filter(method::Column::Id.is_in(unique.iter().copied()))
            .count(db)
            .await?;
        if found as usize != unique.len() {
            return Err(AppError::not_found(
                "input.methods",
                "no method with one of these IDs",
            ));
        }
    }
    if let Some(rs) = &fields.responsibilities {
        let unique: HashSet<i32> = rs.iter().map(|r| r.organization_id).collect();
        let found = organization::Entity::find()
            .filter(organization::Column::Id.is_in(unique.iter().copied()))
            .count(db)
            .await?;
        if found as usize != unique.len() {
            return Err(AppError::not_found(
                "input.responsibilities",
                "no organization with one of these IDs",
            ));
        }
        for (i, r) in rs.iter().enumerate() {
            write::optional_text(
                &format!("input.responsibilities.{i}.role"),
                r.role.as_deref(),
                MAX_SHORT_TEXT,
            )?;
        }
    }
    if let Some(groups) = &fields.target_groups {
        super::targets::validate_target_groups(groups)?;
    }
    Ok(())
}

/// Write methods and responsibilities of activity `id` (replacing what was there).
async fn write_links<C: ConnectionTrait>(
    db: &C,
    id: i32,
    fields: &ActivityFields,
) -> AppResult<()> {
    if let Some(ids) = &fields.method_ids {
        activity_method::Entity::delete_many()
            .filter(activity_method::Column::ActivityId.eq(id))
            .exec(db)
            .await?;
        let mut seen = HashSet::new();
        for m in ids.iter().filter(|m| seen.insert(**m)) {
            activity_method::ActiveModel {
                activity_id: Set(id),
                method_id: Set(*m),
            }
            .insert(db)
            .await?;
        }
    }
    if let Some(rs) = &fields.responsibilities {
        responsibility::Entity::delete_many()
            .filter(responsibility::Column::ActivityId.eq(id))
            .exec(db)
            .await?;
        for (i, r) in rs.iter().enumerate() {
            responsibility::ActiveModel {
                activity_id: Set(id),
                organization_id: Set(r.organization_id),
                role: Set(r
                    .role
                    .as_deref()
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)),
                position: Set(i as i32 + 1),
                ..Default::default()
            }
            .insert(db)
            .await?;
        }
    }
    if let Some(groups) = &fields.target_groups {
        super::targets::write_target_groups(db, id, groups).await?;
    }
    if let Some(ids) = &fields.group_ids {
        super::groups::write_activity_groups(db, id, ids).await?;
    }
    Ok(())
}

/// Set on `am` the columns `fields` gives (texts trimmed; an empty one is none).
pub(crate) fn apply(am: &mut activity::ActiveModel, fields: &ActivityFields) {
    let trim = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    if let Some(v) = fields.priority_area_id {
        am.priority_area_id = Set(v);
    }
    if let Some(v) = fields.focus_area_id {
        am.focus_area_id = Set(v);
    }
    if let Some(v) = &fields.goal {
        am.goal = Set(trim(v));
    }
    if let Some(v) = &fields.description {
        am.description = Set(v.trim().to_owned());
    }
    if let Some(v) = &fields.timeline {
        am.timeline = Set(trim(v));
    }
    if let Some(v) = fields.start_year {
        am.start_year = Set(v);
    }
    if let Some(v) = fields.end_year {
        am.end_year = Set(v);
    }
    if let Some(v) = &fields.follow_up_schedule {
        am.follow_up_schedule = Set(trim(v));
    }
    if let Some(v) = &fields.follow_up_terms {
        am.follow_up_terms = Set(terms::encode(v));
    }
}

fn activity_change(action: &str, id: i32, district: Option<i32>) -> Change<'_> {
    Change {
        action,
        node_type: "Activity",
        node_id: id,
        district_id: district,
    }
}

/// Add a row to a plan.
pub async fn create_activity(
    db: &DatabaseConnection,
    actor: &Actor,
    plan_id: i32,
    fields: ActivityFields,
) -> AppResult<activity::Model> {
    let plan =
        write::find::<action_plan::Entity, _>(db, plan_id, "input.actionPlan", "action plan")
            .await?;
    editable_plan(db, actor, &plan).await?;
    if let Some(ids) = &fields.group_ids {
        super::groups::check_activity_groups(db, ids, plan.district_id).await?;
    }
    if fields.description.is_none() {
        return Err(AppError::bad_input(
            "input.description",
            "must not be empty",
        ));
    }
    validate_activity(db, &fields).await?;
    write::years(
        "input.startYear",
        fields.start_year.flatten(),
        "input.endYear",
        fields.end_year.flatten(),
    )?;
    let position = activity::Entity::find()
        .filter(activity::Column::ActionPlanId.eq(plan.id))
        .count(db)
        .await? as i32
        + 1;
    let now = Utc::now();
    let mut am = activity::ActiveModel {
        action_plan_id: Set(plan.id),
        position: Set(position),
        follow_up_terms: Set(String::new()),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    apply(&mut am, &fields);
    write::commit(db, actor, |txn, _| {
        Box::pin(async move {
            let created = am.insert(txn).await?;
            write_links(txn, created.id, &fields).await?;
            let (methods, responsibilities) = snapshot(txn, &created).await?;
            let groups = super::groups::groups_of_activity(txn, created.id).await?;
            let written = Written::new(()).audit(
                activity_change("activity.create", created.id, plan.district_id),
                None::<&()>,
                Some(&ActivitySnapshot {
                    activity: &created,
                    methods,
                    responsibilities,
                    target_groups: super::targets::target_groups_of(txn, created.id).await?,
                    groups,
                }),
            )?;
            Ok(written.with(created))
        })
    })
    .await
}

async fn editable_activity(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    expected: i32,
) -> AppResult<(activity::Model, action_plan::Model)> {
    let a = write::find::<activity::Entity, _>(db, id, "input.id", "activity").await?;
    let plan =
        write::find::<action_plan::Entity, _>(db, a.action_plan_id, "input.id", "action plan")
            .await?;
    editable_plan(db, actor, &plan).await?;
    write::check_version(expected, a.version)?;
    Ok((a, plan))
}

/// Change a row, based on version `expected`.
pub async fn update_activity(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    expected: i32,
    fields: ActivityFields,
) -> AppResult<activity::Model> {
    let (before, plan) = editable_activity(db, actor, id, expected).await?;
    validate_activity(db, &fields).await?;
    if let Some(ids) = &fields.group_ids {
        super::groups::check_activity_groups(db, ids, plan.district_id).await?;
    }
    write::years(
        "input.startYear",
        fields.start_year.unwrap_or(before.start_year),
        "input.endYear",
        fields.end_year.unwrap_or(before.end_year),
    )?;
    let (methods_before, resp_before) = snapshot(db, &before).await?;
    let target_groups_before = super::targets::target_groups_of(db, id).await?;
    let groups_before = super::groups::groups_of_activity(db, id).await?;
    let mut am = activity::ActiveModel {
        version: Set(expected + 1),
        updated_at: Set(Utc::now()),
        ..Default::default()
    };
    apply(&mut am, &fields);
    write::commit(db, actor, |txn, _| {
        Box::pin(async move {
            write::update_if_version::<activity::Entity, _>(
                txn,
                am,
                (activity::Column::Id, activity::Column::Version),
                (id, expected),
                "activity",
            )
            .await?;
            write_links(txn, id, &fields).await?;
            let after = write::find::<activity::Entity, _>(txn, id, "input.id", "activity").await?;
            let (methods, responsibilities) = snapshot(txn, &after).await?;
            let groups = super::groups::groups_of_activity(txn, id).await?;
            let written = Written::new(()).audit(
                activity_change("activity.update", id, plan.district_id),
                Some(&ActivitySnapshot {
                    activity: &before,
                    methods: methods_before,
                    responsibilities: resp_before,
                    target_groups: target_groups_before,
                    groups: groups_before,
                }),
                Some(&ActivitySnapshot {
                    activity: &after,
                    methods,
                    responsibilities,
                    target_groups: super::targets::target_groups_of(txn, id).await?,
                    groups,
                }),
            )?;
            Ok(written.with(after))
        })
    })
    .await
}

/// Remove a row (with its follow-ups), based on version `expected`.
pub async fn delete_activity(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    expected: i32,
) -> AppResult<activity::Model> {
    let (before, plan) = editable_activity(db, actor, id, expected).await?;
    let (methods, responsibilities) = snapshot(db, &before).await?;
    let target_groups = super::targets::target_groups_of(db, id).await?;
    let groups = super::groups::groups_of_activity(db, id).await?;
    write::commit(db, actor, |txn, _| {
        Box::pin(async move {
            write::delete_if_version::<activity::Entity>(
                txn,
                (activity::Column::Id, activity::Column::Version),
                (id, expected),
                "activity",
            )
            .await?;
            let written = Written::new(()).audit(
                activity_change("activity.delete", id, plan.district_id),
                Some(&ActivitySnapshot {
                    activity: &before,
                    methods,
                    responsibilities,
                    target_groups,
                    groups,
                }),
                None::<&()>,
            )?;
            Ok(written.with(before))
        })
    })
    .await
}
