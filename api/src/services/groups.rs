//! Collaboration areas and groups: run by the district's coordinators (and admins).

use chrono::{NaiveDate, Utc};
use entity::enums::{GroupKind, Term};
use entity::{
    action_plan, activity_group, collaboration_area, collaboration_group, collaboration_group_kind,
    district,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, Set,
};

use super::audit::Change;
use super::authz::{self, Actor};
use super::plans::Patch;
use super::write::{self, MAX_LONG_TEXT, MAX_SHORT_TEXT, Written};
use crate::error::{AppError, AppResult};
use crate::events::EventKind;

async fn coordinated_district(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    field: &str,
) -> AppResult<district::Model> {
    let d = write::find::<district::Entity, _>(db, id, field, "district").await?;
    authz::district(actor, d.id, &d.name)?;
    Ok(d)
}

/// A new collaboration area.
#[derive(Debug, Clone, Default)]
pub struct NewArea {
    /// The district.
    pub district_id: i32,
    /// Readable identifier (default: district slug + name).
    pub slug: Option<String>,
    /// Name.
    pub name: String,
    /// Övergripande mål och syfte.
    pub goal: Option<String>,
    /// Lägesbild.
    pub situation: Option<String>,
}

/// Create a collaboration area in a district.
pub async fn create_area(
    db: &DatabaseConnection,
    actor: &Actor,
    input: NewArea,
) -> AppResult<collaboration_area::Model> {
    let district = coordinated_district(db, actor, input.district_id, "input.district").await?;
    let name = write::required_text("input.name", &input.name, MAX_SHORT_TEXT)?;
    let goal = write::optional_text("input.goal", input.goal.as_deref(), MAX_LONG_TEXT)?;
    let situation =
        write::optional_text("input.situation", input.situation.as_deref(), MAX_LONG_TEXT)?;
    let slug = match &input.slug {
        Some(s) => write::slug("input.slug", s)?,
        None => write::slugify(&format!("{} {}", district.slug, name)),
    };
    write::slug_free::<collaboration_area::Entity, _>(
        db,
        collaboration_area::Column::Slug,
        &slug,
        "collaboration area",
    )
    .await?;
    let position = collaboration_area::Entity::find()
        .filter(collaboration_area::Column::DistrictId.eq(district.id))
        .count(db)
        .await? as i32
        + 1;
    write::commit(db, actor, |txn, _| {
        Box::pin(async move {
            let created = collaboration_area::ActiveModel {
                district_id: Set(district.id),
                slug: Set(slug),
                name: Set(name),
                goal: Set(goal),
                situation: Set(situation),
                position: Set(position),
                ..Default::default()
            }
            .insert(txn)
            .await?;
            let change = Change {
                action: "collaborationArea.create",
                node_type: "CollaborationArea",
                node_id: created.id,
                district_id: Some(district.id),
            };
            Written::created(change, created)
        })
    })
    .await
}

/// The descriptive fields of a group (for create, `name` and `kind` are required).
#[derive(Debug, Clone, Default)]
pub struct GroupFields {
    /// The area it is organised under.
    pub area_id: Patch<i32>,
    /// Name.
    pub name: Option<String>,
    /// Kind.
    pub kind: Option<GroupKind>,
    /// Second heading.
    pub subtitle: Patch<String>,
    /// Mål och syfte.
    pub purpose: Patch<String>,
    /// Lägesbild.
    pub situation: Patch<String>,
    /// Löptid as written.
    pub term: Patch<String>,
    /// End of the term, when a date.
    pub term_ends_on: Patch<NaiveDate>,
    /// Mötesfrekvens.
    pub meeting_cadence: Patch<String>,
    /// Sammankallande.
    pub convener: Patch<String>,
    /// Finansiering.
    pub financing: Patch<String>,
    /// Kommunikation.
    pub communication: Patch<String>,
    /// Uppföljning.
    pub follow_up_cadence: Patch<String>,
    /// Övriga deltagare.
    pub other_participants: Patch<String>,
    /// Every kind, as written (replaces the list; the first becomes `kind`).
    pub kinds: Option<Vec<GroupKind>>,
    /// First day the group is valid (its year, as the source says).
    pub valid_from: Patch<NaiveDate>,
    /// Last day the group is valid.
    pub valid_until: Patch<NaiveDate>,
    /// The action plan the group comes from.
    pub source_plan_id: Patch<i32>,
    /// The reporting points its follow-up asks for.
    pub follow_up_terms: Option<Vec<Term>>,
}

fn apply(am: &mut collaboration_group::ActiveModel, f: &GroupFields) -> AppResult<()> {
    let text =
        |field: &str, v: &Option<String>| write::optional_text(field, v.as_deref(), MAX_LONG_TEXT);
    if let Some(v) = f.area_id {
        am.collaboration_area_id = Set(v);
    }
    if let Some(v) = &f.name {
        am.name = Set(write::required_text("input.name", v, MAX_SHORT_TEXT)?);
    }
    if let Some(v) = f.kind {
        am.kind = Set(v);
    }
    if let Some(v) = &f.subtitle {
        am.subtitle = Set(text("input.subtitle", v)?);
    }
    if let Some(v) = &f.purpose {
        am.purpose = Set(text("input.purpose", v)?);
    }
    if let Some(v) = &f.situation {
        am.situation = Set(text("input.situation", v)?);
    }
    if let Some(v) = &f.term {
        am.term = Set(text("input.term", v)?);
    }
    if let Some(v) = f.term_ends_on {
        am.term_ends_on = Set(v);
    }
    if let Some(v) = &f.meeting_cadence {
        am.meeting_cadence = Set(text("input.meetingCadence", v)?);
    }
    if let Some(v) = &f.convener {
        am.convener = Set(text("input.convener", v)?);
    }
    if let Some(v) = &f.financing {
        am.financing = Set(text("input.financing", v)?);
    }
    if let Some(v) = &f.communication {
        am.communication = Set(text("input.communication", v)?);
    }
    if let Some(v) = &f.follow_up_cadence {
        am.follow_up_cadence = Set(text("input.followUpCadence", v)?);
    }
    if let Some(v) = &f.other_participants {
        am.other_participants = Set(text("input.otherParticipants", v)?);
    }
    if let Some(v) = f.valid_from {
        am.valid_from = Set(v);
    }
    if let Some(v) = f.valid_until {
        am.valid_until = Set(v);
    }
    if let Some(v) = f.source_plan_id {
        am.source_plan_id = Set(v);
    }
    if let Some(v) = &f.follow_up_terms {
        am.follow_up_terms = Set(super::terms::encode(&dedup(v)));
    }
    Ok(())
}

/// `list` without repeats, in order.
fn dedup<T: PartialEq + Copy>(list: &[T]) -> Vec<T> {
    let mut out: Vec<T> = Vec::with_capacity(list.len());
    for v in list {
        if !out.contains(v) {
            out.push(*v);
        }
    }
    out
}

/// A group's kinds after a change: `kinds` replaces the list (`kind`, if also given, must
/// be its first); `kind` alone becomes the first kind, the others staying after it.
/// `None`: the kinds do not change.
fn kinds_after(
    kind: Option<GroupKind>,
    kinds: Option<&[GroupKind]>,
    before: &[GroupKind],
) -> AppResult<Option<Vec<GroupKind>>> {
    match (kind, kinds) {
        (_, Some([])) => Err(AppError::bad_input("input.kinds", "name at least one kind")),
        (Some(k), Some(list)) if list.first() != Some(&k) => Err(AppError::bad_input(
            "input.kind",
            "the group's kind is the first of its kinds: leave kind out or make it kinds' first",
        )),
        (_, Some(list)) => {
            if dedup(list).len() != list.len() {
                return Err(AppError::bad_input(
                    "input.kinds",
                    "a kind is named more than once",
                ));
            }
            Ok(Some(list.to_vec()))
        }
        (Some(k), None) => {
            let mut out = vec![k];
            out.extend(before.iter().copied().filter(|b| *b != k));
            Ok(Some(out))
        }
        (None, None) => Ok(None),
    }
}

/// The kinds of group `group` as stored (position order); its `kind` first when the
/// rows miss it.
pub async fn kinds_of(
    db: &impl ConnectionTrait,
    group: &collaboration_group::Model,
) -> AppResult<Vec<GroupKind>> {
    let rows: Vec<GroupKind> = collaboration_group_kind::Entity::find()
        .filter(collaboration_group_kind::Column::CollaborationGroupId.eq(group.id))
        .order_by_asc(collaboration_group_kind::Column::Position)
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.kind)
        .collect();
    Ok(with_kind_first(group.kind, rows))
}

/// `kinds` with `kind` first (added when missing), each kind once.
pub fn with_kind_first(kind: GroupKind, kinds: Vec<GroupKind>) -> Vec<GroupKind> {
    let mut out = vec![kind];
    out.extend(kinds.into_iter().filter(|k| *k != kind));
    dedup(&out)
}

/// Replace the kind rows of group `id` with `kinds` (position = index).
async fn write_kinds(db: &impl ConnectionTrait, id: i32, kinds: &[GroupKind]) -> AppResult<()> {
    collaboration_group_kind::Entity::delete_many()
        .filter(collaboration_group_kind::Column::CollaborationGroupId.eq(id))
        .exec(db)
        .await?;
    for (i, kind) in kinds.iter().enumerate() {
        collaboration_group_kind::ActiveModel {
            collaboration_group_id: Set(id),
            kind: Set(*kind),
            position: Set(i as i32),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// Check the validity dates and the source plan of a group of `district_id` after the
/// change `f` to `before` (none when creating).
async fn check_cycle_fields(
    db: &DatabaseConnection,
    f: &GroupFields,
    district_id: i32,
    before: Option<&collaboration_group::Model>,
) -> AppResult<()> {
    let from = f
        .valid_from
        .unwrap_or_else(|| before.and_then(|b| b.valid_from));
    let until = f
        .valid_until
        .unwrap_or_else(|| before.and_then(|b| b.valid_until));
    if let (Some(from), Some(until)) = (from, until)
        && until < from
    {
        return Err(AppError::bad_input(
            "input.validUntil",
            "the group cannot end before it begins",
        ));
    }
    if let Some(Some(p)) = f.source_plan_id {
        let plan =
            write::find::<action_plan::Entity, _>(db, p, "input.sourcePlan", "action plan").await?;
        if plan.district_id.is_some_and(|d| d != district_id) {
            return Err(AppError::bad_input(
                "input.sourcePlan",
                "the plan is another district's",
            ));
        }
    }
    Ok(())
}

/// A group with its kinds, for the audit trail.
#[derive(Debug, serde::Serialize)]
struct GroupSnapshot<'a> {
    #[serde(flatten)]
    group: &'a collaboration_group::Model,
    kinds: &'a [GroupKind],
}

/// Today in Stockholm (Europe/Stockholm: CET, and CEST from the last Sunday of March to
/// the last Sunday of October, switching at 01:00 UTC).
pub fn stockholm_today(now: chrono::DateTime<Utc>) -> NaiveDate {
    use chrono::{Datelike, Duration, NaiveTime, Weekday};
    let last_sunday = |month: u32| {
        let first_of_next = if month == 12 {
            NaiveDate::from_ymd_opt(now.year() + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(now.year(), month + 1, 1)
        };
        first_of_next.map(|d| {
            let last = d - Duration::days(1);
            let back = i64::from(last.weekday().num_days_from_sunday());
            let sunday = last - Duration::days(back);
            debug_assert_eq!(sunday.weekday(), Weekday::Sun);
            sunday.and_time(NaiveTime::MIN) + Duration::hours(1)
        })
    };
    let utc = now.naive_utc();
    let summer = matches!(
        (last_sunday(3), last_sunday(10)),
        (Some(start), Some(end)) if start <= utc && utc < end
    );
    (utc + Duration::hours(if summer { 2 } else { 1 })).date()
}

/// Whether `group` is valid on `day`: its validity (from/until, each open when unset)
/// covers the day.
pub fn valid_on(group: &collaboration_group::Model, day: NaiveDate) -> bool {
    valid_between(group, day, day)
}

/// Whether `group` is valid at some time from `start` to `end` (inclusive).
pub fn valid_between(group: &collaboration_group::Model, start: NaiveDate, end: NaiveDate) -> bool {
    group.valid_from.is_none_or(|f| f <= end) && group.valid_until.is_none_or(|u| start <= u)
}

/// Check that the groups `ids` exist and lie in `district_id` (the district of an
/// activity's plan; `None`: a plan of no district, which no group can carry).
pub async fn check_activity_groups(
    db: &DatabaseConnection,
    ids: &[i32],
    district_id: Option<i32>,
) -> AppResult<()> {
    let unique = dedup(ids);
    if unique.is_empty() {
        return Ok(());
    }
    let found = collaboration_group::Entity::find()
        .filter(collaboration_group::Column::Id.is_in(unique.iter().copied()))
        .all(db)
        .await?;
    if found.len() != unique.len() {
        return Err(AppError::not_found(
            "input.groups",
            "no collaboration group with one of these IDs",
        ));
    }
    if found.iter().any(|g| Some(g.district_id) != district_id) {
        return Err(AppError::bad_input(
            "input.groups",
            "an activity is carried only by groups of its plan's district",
        ));
    }
    Ok(())
}

/// Replace the groups that carry activity `id` with `ids`.
pub async fn write_activity_groups(
    db: &impl ConnectionTrait,
    id: i32,
    ids: &[i32],
) -> AppResult<()> {
    activity_group::Entity::delete_many()
        .filter(activity_group::Column::ActivityId.eq(id))
        .exec(db)
        .await?;
    for g in dedup(ids) {
        activity_group::ActiveModel {
            activity_id: Set(id),
            collaboration_group_id: Set(g),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// The groups that carry activity `id` (ids, ascending), for the audit trail.
pub async fn groups_of_activity(db: &impl ConnectionTrait, id: i32) -> AppResult<Vec<i32>> {
    Ok(activity_group::Entity::find()
        .filter(activity_group::Column::ActivityId.eq(id))
        .order_by_asc(activity_group::Column::CollaborationGroupId)
        .all(db)
        .await?
        .into_iter()
        .map(|l| l.collaboration_group_id)
        .collect())
}

async fn check_area(db: &DatabaseConnection, area: Patch<i32>, district_id: i32) -> AppResult<()> {
    if let Some(Some(a)) = area {
        let area =
            write::find::<collaboration_area::Entity, _>(db, a, "input.area", "collaboration area")
                .await?;
        if area.district_id != district_id {
            return Err(AppError::bad_input(
                "input.area",
                "the area belongs to another district",
            ));
        }
    }
    Ok(())
}

fn group_change(action: &str, id: i32, district: i32) -> Change<'_> {
    Change {
        action,
        node_type: "CollaborationGroup",
        node_id: id,
        district_id: Some(district),
    }
}

/// Create a collaboration group in a district.
pub async fn create_group(
    db: &DatabaseConnection,
    actor: &Actor,
    district_id: i32,
    slug: Option<String>,
    fields: GroupFields,
) -> AppResult<collaboration_group::Model> {
    let district = coordinated_district(db, actor, district_id, "input.district").await?;
    let name = fields
        .name
        .clone()
        .ok_or_else(|| AppError::bad_input("input.name", "must not be empty"))?;
    let kinds = kinds_after(fields.kind, fields.kinds.as_deref(), &[])?
        .ok_or_else(|| AppError::bad_input("input.kind", "give the group's kind or kinds"))?;
    let kind = kinds[0];
    check_area(db, fields.area_id, district.id).await?;
    check_cycle_fields(db, &fields, district.id, None).await?;
    let slug = match &slug {
        Some(s) => write::slug("input.slug", s)?,
        None => write::slugify(&format!("{} {}", district.slug, name)),
    };
    write::slug_free::<collaboration_group::Entity, _>(
        db,
        collaboration_group::Column::Slug,
        &slug,
        "collaboration group",
    )
    .await?;
    let now = Utc::now();
    let mut am = collaboration_group::ActiveModel {
        district_id: Set(district.id),
        slug: Set(slug),
        kind: Set(kind),
        follow_up_terms: Set(String::new()),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    apply(&mut am, &fields)?;
    am.kind = Set(kind);
    write::commit(db, actor, |txn, _| {
        Box::pin(async move {
            let created = am.insert(txn).await?;
            write_kinds(txn, created.id, &kinds).await?;
            let written = Written::new(()).audit(
                group_change("collaborationGroup.create", created.id, district.id),
                None::<&()>,
                Some(&GroupSnapshot {
                    group: &created,
                    kinds: &kinds,
                }),
            )?;
            Ok(written.with(created).announced(EventKind::Group))
        })
    })
    .await
}

/// Change a group, based on version `expected`; `archive` archives it too.
pub async fn update_group(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    expected: i32,
    fields: GroupFields,
    archive: bool,
) -> AppResult<collaboration_group::Model> {
    let before =
        write::find::<collaboration_group::Entity, _>(db, id, "input.id", "collaboration group")
            .await?;
    coordinated_district(db, actor, before.district_id, "input.id").await?;
    write::check_version(expected, before.version)?;
    if archive && before.archived_at.is_some() {
        return Err(AppError::bad_input(
            "input.id",
            "the group is already archived",
        ));
    }
    check_area(db, fields.area_id, before.district_id).await?;
    check_cycle_fields(db, &fields, before.district_id, Some(&before)).await?;
    let kinds_before = kinds_of(db, &before).await?;
    let kinds = kinds_after(fields.kind, fields.kinds.as_deref(), &kinds_before)?;
    let now = Utc::now();
    let mut am = collaboration_group::ActiveModel {
        version: Set(expected + 1),
        updated_at: Set(now),
        ..Default::default()
    };
    apply(&mut am, &fields)?;
    if let Some(first) = kinds.as_ref().and_then(|k| k.first()) {
        am.kind = Set(*first);
    }
    if archive {
        am.archived_at = Set(Some(now));
    }
    let action = if archive {
        "collaborationGroup.archive"
    } else {
        "collaborationGroup.update"
    };
    write::commit(db, actor, |txn, _| {
        Box::pin(async move {
            let after = write::update_if_version::<collaboration_group::Entity, _>(
                txn,
                am,
                (
                    collaboration_group::Column::Id,
                    collaboration_group::Column::Version,
                ),
                (id, expected),
                "collaboration group",
            )
            .await?;
            if let Some(kinds) = &kinds {
                write_kinds(txn, id, kinds).await?;
            }
            let kinds_now = kinds.unwrap_or_else(|| kinds_before.clone());
            let written = Written::new(()).audit(
                group_change(action, id, before.district_id),
                Some(&GroupSnapshot {
                    group: &before,
                    kinds: &kinds_before,
                }),
                Some(&GroupSnapshot {
                    group: &after,
                    kinds: &kinds_now,
                }),
            )?;
            Ok(written.with(after).announced(EventKind::Group))
        })
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn kinds_after_a_change() {
        use GroupKind::{Other, Sig, YouthDeployment as Youth};
        assert_eq!(kinds_after(None, None, &[Sig]).ok(), Some(None));
        assert_eq!(
            kinds_after(None, Some(&[Youth, Sig]), &[]).ok(),
            Some(Some(vec![Youth, Sig]))
        );
        assert!(kinds_after(Some(Sig), Some(&[Youth, Sig]), &[]).is_err());
        assert!(kinds_after(None, Some(&[]), &[]).is_err());
        assert!(kinds_after(None, Some(&[Sig, Sig]), &[]).is_err());
        assert_eq!(
            kinds_after(Some(Sig), None, &[Youth, Sig, Other]).ok(),
            Some(Some(vec![Sig, Youth, Other]))
        );
        assert_eq!(with_kind_first(Sig, vec![]), vec![Sig]);
        assert_eq!(with_kind_first(Sig, vec![Youth, Sig]), vec![Sig, Youth]);
    }

    #[test]
    fn today_in_stockholm() {
        let at = |y, m, d, h| {
            Utc.with_ymd_and_hms(y, m, d, h, 30, 0)
                .single()
                .unwrap_or_default()
        };
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
        // Winter: UTC+1.
        assert_eq!(stockholm_today(at(2026, 1, 10, 22)), day(2026, 1, 10));
        assert_eq!(stockholm_today(at(2026, 1, 10, 23)), day(2026, 1, 11));
        assert_eq!(stockholm_today(at(2025, 12, 31, 23)), day(2026, 1, 1));
        // Summer: UTC+2 (CEST from 29 March 2026 to 25 October 2026).
        assert_eq!(stockholm_today(at(2026, 6, 10, 21)), day(2026, 6, 10));
        assert_eq!(stockholm_today(at(2026, 6, 10, 22)), day(2026, 6, 11));
        assert_eq!(stockholm_today(at(2026, 10, 24, 22)), day(2026, 10, 25));
        assert_eq!(stockholm_today(at(2026, 10, 25, 22)), day(2026, 10, 25));
    }
}
