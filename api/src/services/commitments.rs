//! Commitments (X:s åtagande) and participations (X:s plats i gruppen): each
//! organization keeps its own.
//!
//! Every edit names the version it was based on; the row is updated with
//! `… WHERE id = ? AND version = ?`, so of two concurrent edits of one version exactly
//! one wins and the other gets `CONFLICT` — never a silent overwrite. The change and its
//! audit event commit in one transaction.

use chrono::Utc;
use entity::{collaboration_group, commitment, organization, participation};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};

use super::audit::Change;
use super::authz::{self, Actor};
use super::write::{self, MAX_LONG_TEXT, MAX_SHORT_TEXT, Written};
use crate::error::{AppError, AppResult};
use crate::events::EventKind;

/// The organization a change acts for: the one named, or the actor's own.
async fn acting_org(
    db: &DatabaseConnection,
    actor: &Actor,
    named: Option<i32>,
    field: &str,
) -> AppResult<organization::Model> {
    match named.or(actor.org_id) {
        Some(id) => write::find::<organization::Entity, _>(db, id, field, "organization").await,
        None => Err(AppError::bad_input(
            field,
            format!(
                "the token's organization {:?} is unknown: name the organization",
                actor.org_slug
            ),
        )),
    }
}

async fn active_group(
    db: &DatabaseConnection,
    id: i32,
    field: &str,
) -> AppResult<collaboration_group::Model> {
    let group =
        write::find::<collaboration_group::Entity, _>(db, id, field, "collaboration group").await?;
    if group.archived_at.is_some() {
        return Err(AppError::bad_input(field, "the group is archived"));
    }
    Ok(group)
}

/// A new commitment.
#[derive(Debug, Clone)]
pub struct NewCommitment {
    /// The group it is made in.
    pub group_id: i32,
    /// The owning organization (default: the actor's).
    pub organization_id: Option<i32>,
    /// The promise.
    pub text: String,
}

/// Make a commitment for an organization that takes part in the group. Hands back the
/// commitment and its group (read with the rule; the write leaves it alone).
pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    input: NewCommitment,
) -> AppResult<(commitment::Model, collaboration_group::Model)> {
    let group = active_group(db, input.group_id, "input.group").await?;
    let org = acting_org(db, actor, input.organization_id, "input.organization").await?;
    authz::commitment(actor, org.id, &org.name, group.district_id)?;
    let text = write::required_text("input.text", &input.text, MAX_LONG_TEXT)?;
    let seated = participation::Entity::find()
        .filter(participation::Column::GroupId.eq(group.id))
        .filter(participation::Column::OrganizationId.eq(org.id))
        .one(db)
        .await?
        .is_some();
    if !seated {
        return Err(AppError::bad_input(
            "input.group",
            format!(
                "{} does not take part in the group: join it first",
                org.name
            ),
        ));
    }
    let now = Utc::now();
    let (group_id, district) = (group.id, group.district_id);
    write::commit(db, actor, |txn, _| {
        Box::pin(async move {
            let created = commitment::ActiveModel {
                group_id: Set(group_id),
                organization_id: Set(org.id),
                text: Set(text),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
                created_by: Set(Some(actor.sub.clone())),
                updated_by: Set(Some(actor.sub.clone())),
                ..Default::default()
            }
            .insert(txn)
            .await?;
            Ok(
                Written::created(change("commitment.create", created.id, district), created)?
                    .announced(EventKind::Commitment),
            )
        })
    })
    .await
    .map(|created| (created, group))
}

fn change(action: &str, id: i32, district: i32) -> Change<'_> {
    Change {
        action,
        node_type: "Commitment",
        node_id: id,
        district_id: Some(district),
    }
}

/// The commitment, its owner and its group (one statement), checked against the actor
/// and the version.
async fn editable(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    expected: i32,
) -> AppResult<(commitment::Model, collaboration_group::Model)> {
    let missing = |what: &str| AppError::not_found("input.id", format!("no {what} with this ID"));
    let (current, owner, group) = commitment::Entity::find_by_id(id)
        .find_also_related(organization::Entity)
        .find_also_related(collaboration_group::Entity)
        .one(db)
        .await?
        .ok_or_else(|| missing("commitment"))?;
    let owner = owner.ok_or_else(|| missing("organization"))?;
    let group = group.ok_or_else(|| missing("collaboration group"))?;
    authz::commitment(actor, owner.id, &owner.name, group.district_id)?;
    write::check_version(expected, current.version)?;
    Ok((current, group))
}

/// Change a commitment's text, based on version `expected`. Hands back the commitment
/// as written and its group (read with the rule; the write leaves it alone).
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    expected: i32,
    text: &str,
) -> AppResult<(commitment::Model, collaboration_group::Model)> {
    let (before, group) = editable(db, actor, id, expected).await?;
    let district = group.district_id;
    let text = write::required_text("input.text", text, MAX_LONG_TEXT)?;
    write::commit(db, actor, |txn, _| {
        Box::pin(async move {
            let after = write::update_if_version::<commitment::Entity, _>(
                txn,
                commitment::ActiveModel {
                    text: Set(text),
                    version: Set(expected + 1),
                    updated_at: Set(Utc::now()),
                    updated_by: Set(Some(actor.sub.clone())),
                    ..Default::default()
                },
                (commitment::Column::Id, commitment::Column::Version),
                (id, expected),
                "commitment",
            )
            .await?;
            Ok(
                Written::updated(change("commitment.update", id, district), &before, after)?
                    .announced(EventKind::Commitment),
            )
        })
    })
    .await
    .map(|after| (after, group))
}

/// Remove a commitment, based on version `expected`. Hands back the commitment as it
/// was and its group (read with the rule; the removal leaves it alone).
pub async fn delete(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    expected: i32,
) -> AppResult<(commitment::Model, collaboration_group::Model)> {
    let (before, group) = editable(db, actor, id, expected).await?;
    let district = group.district_id;
    write::commit(db, actor, |txn, _| {
        Box::pin(async move {
            write::delete_if_version::<commitment::Entity>(
                txn,
                (commitment::Column::Id, commitment::Column::Version),
                (id, expected),
                "commitment",
            )
            .await?;
            Ok(
                Written::removed(change("commitment.delete", id, district), before)?
                    .announced(EventKind::Commitment),
            )
        })
    })
    .await
    .map(|before| (before, group))
}

/// A new participation in a group.
#[derive(Debug, Clone, Default)]
pub struct NewParticipation {
    /// The group.
    pub group_id: i32,
    /// The organization (default: the actor's).
    pub organization_id: Option<i32>,
    /// The contact's role (never a person's name).
    pub contact_role: Option<String>,
    /// Other participants of the organization.
    pub other_participants: Option<String>,
    /// Whether the organization convenes the group.
    pub is_convener: bool,
}

fn participation_change(action: &str, id: i32, district: i32) -> Change<'_> {
    Change {
        action,
        node_type: "Participation",
        node_id: id,
        district_id: Some(district),
    }
}

/// Let an organization take part in a group.
pub async fn join(
    db: &DatabaseConnection,
    actor: &Actor,
    input: NewParticipation,
) -> AppResult<participation::Model> {
    let group = active_group(db, input.group_id, "input.group").await?;
    let org = acting_org(db, actor, input.organization_id, "input.organization").await?;
    authz::participation(actor, org.id, &org.name, group.district_id)?;
    let contact_role = write::optional_text(
        "input.contactRole",
        input.contact_role.as_deref(),
        MAX_SHORT_TEXT,
    )?;
    let other = write::optional_text(
        "input.otherParticipants",
        input.other_participants.as_deref(),
        MAX_LONG_TEXT,
    )?;
    let exists = participation::Entity::find()
        .filter(participation::Column::GroupId.eq(group.id))
        .filter(participation::Column::OrganizationId.eq(org.id))
        .one(db)
        .await?;
    if exists.is_some() {
        return Err(AppError::bad_input(
            "input.organization",
            format!("{} already takes part in the group", org.name),
        ));
    }
    let now = Utc::now();
    write::commit(db, actor, |txn, _| {
        Box::pin(async move {
            let created = participation::ActiveModel {
                group_id: Set(group.id),
                organization_id: Set(org.id),
                contact_role: Set(contact_role),
                other_participants: Set(other),
                is_convener: Set(input.is_convener),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(txn)
            .await?;
            Ok(Written::created(
                participation_change("participation.create", created.id, group.district_id),
                created,
            )?
            .announced(EventKind::Group))
        })
    })
    .await
}

/// Changes to a participation; `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct ParticipationChanges {
    /// The contact's role.
    pub contact_role: Option<Option<String>>,
    /// Other participants.
    pub other_participants: Option<Option<String>>,
    /// Whether the organization convenes the group.
    pub is_convener: Option<bool>,
}

async fn editable_participation(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    expected: i32,
) -> AppResult<(participation::Model, collaboration_group::Model)> {
    let current =
        write::find::<participation::Entity, _>(db, id, "input.id", "participation").await?;
    let org = write::find::<organization::Entity, _>(
        db,
        current.organization_id,
        "input.id",
        "organization",
    )
    .await?;
    let group = write::find::<collaboration_group::Entity, _>(
        db,
        current.group_id,
        "input.id",
        "collaboration group",
    )
    .await?;
    authz::participation(actor, org.id, &org.name, group.district_id)?;
    write::check_version(expected, current.version)?;
    Ok((current, group))
}

/// Change a participation, based on version `expected`.
pub async fn update_participation(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    expected: i32,
    changes: ParticipationChanges,
) -> AppResult<participation::Model> {
    let (before, group) = editable_participation(db, actor, id, expected).await?;
    let mut am = participation::ActiveModel {
        version: Set(expected + 1),
        updated_at: Set(Utc::now()),
        ..Default::default()
    };
    if let Some(v) = changes.contact_role {
        am.contact_role = Set(write::optional_text(
            "input.contactRole",
            v.as_deref(),
            MAX_SHORT_TEXT,
        )?);
    }
    if let Some(v) = changes.other_participants {
        am.other_participants = Set(write::optional_text(
            "input.otherParticipants",
            v.as_deref(),
            MAX_LONG_TEXT,
        )?);
    }
    if let Some(v) = changes.is_convener {
        am.is_convener = Set(v);
    }
    write::commit(db, actor, |txn, _| {
        Box::pin(async move {
            let after = write::update_if_version::<participation::Entity, _>(
                txn,
                am,
                (participation::Column::Id, participation::Column::Version),
                (id, expected),
                "participation",
            )
            .await?;
            Ok(Written::updated(
                participation_change("participation.update", id, group.district_id),
                &before,
                after,
            )?
            .announced(EventKind::Group))
        })
    })
    .await
}

/// Give up a participation, based on version `expected`. The organization's commitments in the
/// group must be removed first (so no promise disappears by accident).
pub async fn leave(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    expected: i32,
) -> AppResult<participation::Model> {
    let (before, group) = editable_participation(db, actor, id, expected).await?;
    let promises = commitment::Entity::find()
        .filter(commitment::Column::GroupId.eq(before.group_id))
        .filter(commitment::Column::OrganizationId.eq(before.organization_id))
        .one(db)
        .await?;
    if promises.is_some() {
        return Err(AppError::bad_input(
            "input.id",
            "the organization still has commitments in the group: delete them first",
        ));
    }
    write::commit(db, actor, |txn, _| {
        Box::pin(async move {
            write::delete_if_version::<participation::Entity>(
                txn,
                (participation::Column::Id, participation::Column::Version),
                (id, expected),
                "participation",
            )
            .await?;
            Ok(Written::removed(
                participation_change("participation.delete", id, group.district_id),
                before,
            )?
            .announced(EventKind::Group))
        })
    })
    .await
}
