//! Collaboration areas and groups: run by the district's coordinators (and admins).

use chrono::{NaiveDate, Utc};
use entity::enums::GroupKind;
use entity::{collaboration_area, collaboration_group, district};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    Set,
};

use super::audit::Change;
use super::authz::{self, Actor};
use super::plans::Patch;
use super::write::{self, MAX_LONG_TEXT, MAX_SHORT_TEXT, Written};
use crate::error::{AppError, AppResult};

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
    Ok(())
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
    let kind = fields
        .kind
        .ok_or_else(|| AppError::bad_input("input.kind", "is required"))?;
    check_area(db, fields.area_id, district.id).await?;
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
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    apply(&mut am, &fields)?;
    write::commit(db, actor, |txn, _| {
        Box::pin(async move {
            let created = am.insert(txn).await?;
            Written::created(
                group_change("collaborationGroup.create", created.id, district.id),
                created,
            )
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
    let now = Utc::now();
    let mut am = collaboration_group::ActiveModel {
        version: Set(expected + 1),
        updated_at: Set(now),
        ..Default::default()
    };
    apply(&mut am, &fields)?;
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
            Written::updated(group_change(action, id, before.district_id), &before, after)
        })
    })
    .await
}
