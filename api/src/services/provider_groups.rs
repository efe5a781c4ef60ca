//! Groups of the city's identity provider mapped to organizations (issue 16).
//!
//! A provider often knows a person's groups (Entra ID's `groups` claim holds group object
//! IDs; Keycloak writes group paths with a *Group Membership* mapper) but not which
//! organization of the service they act for. Admins map group values to organizations
//! here; a token without an organization claim but with groups
//! (`SAMVERKAN_CLAIM_GROUPS`) then acts for the one organization its groups are mapped
//! to. Groups mapped to several organizations are refused (the token must say which):
//! the service never guesses an organization.
//!
//! Every change is audited (`providerGroup.map`, `.update`, `.delete`) and versioned; the
//! rule is `authz::provider_groups`.

use chrono::Utc;
use entity::{organization, provider_group};
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use super::audit::Change;
use super::authz::{self, Actor};
use super::write::{self, MAX_SHORT_TEXT, Written};
use crate::auth::Caller;
use crate::error::{AppError, AppResult};

fn change(action: &str, id: i32) -> Change<'_> {
    Change {
        action,
        node_type: "ProviderGroup",
        node_id: id,
        district_id: None,
    }
}

/// The caller with its organization taken from its groups, when its token named none
/// (`caller.org` empty): the one organization its groups are mapped to. One statement,
/// only for such tokens.
pub async fn resolve_organization(db: &DatabaseConnection, caller: Caller) -> AppResult<Caller> {
    if !caller.org.is_empty() {
        return Ok(caller);
    }
    let slugs: Vec<String> = organization::Entity::find()
        .select_only()
        .column(organization::Column::Slug)
        .filter(
            organization::Column::Id.in_subquery(
                Query::select()
                    .column(provider_group::Column::OrganizationId)
                    .from(provider_group::Entity)
                    .and_where(
                        provider_group::Column::GroupValue.is_in(caller.groups.iter().cloned()),
                    )
                    .to_owned(),
            ),
        )
        .order_by_asc(organization::Column::Slug)
        .into_tuple()
        .all(db)
        .await?;
    match slugs.as_slice() {
        [one] => Ok(Caller {
            org: one.clone(),
            ..caller
        }),
        [] => Err(AppError::Unauthenticated(
            "invalid token: it names no organization, and none of its groups is mapped to \
             one (an admin maps the provider's groups with mapProviderGroup)"
                .into(),
        )),
        several => Err(AppError::Unauthenticated(format!(
            "invalid token: it names no organization, and its groups are mapped to {} \
             organizations ({}): its token must name one",
            several.len(),
            several.join(", ")
        ))),
    }
}

/// The group value as kept: trimmed, required, at most a short text.
fn group_value(text: &str) -> AppResult<String> {
    write::required_text("input.group", text, MAX_SHORT_TEXT)
}

/// Map the provider's group `group` to organization `organization_id` (admins).
pub async fn map_group(
    db: &DatabaseConnection,
    actor: &Actor,
    group: &str,
    organization_id: i32,
) -> AppResult<provider_group::Model> {
    authz::provider_groups(actor)?;
    let group = group_value(group)?;
    write::find::<organization::Entity, _>(
        db,
        organization_id,
        "input.organization",
        "organization",
    )
    .await?;
    let taken = provider_group::Entity::find()
        .filter(provider_group::Column::GroupValue.eq(group.as_str()))
        .one(db)
        .await?;
    if taken.is_some() {
        return Err(AppError::bad_input(
            "input.group",
            "this group is mapped already: change its organization with updateProviderGroup",
        ));
    }
    write::commit(db, actor, |txn, _| {
        Box::pin(async move {
            let now = Utc::now();
            let created = provider_group::ActiveModel {
                group_value: Set(group),
                organization_id: Set(organization_id),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(txn)
            .await?;
            Written::created(change("providerGroup.map", created.id), created)
        })
    })
    .await
}

/// Map group `id` (at `expected_version`) to another organization (admins).
pub async fn update_group(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    expected_version: i32,
    organization_id: i32,
) -> AppResult<provider_group::Model> {
    authz::provider_groups(actor)?;
    let before =
        write::find::<provider_group::Entity, _>(db, id, "input.id", "provider group").await?;
    write::find::<organization::Entity, _>(
        db,
        organization_id,
        "input.organization",
        "organization",
    )
    .await?;
    write::commit(db, actor, |txn, _| {
        Box::pin(async move {
            let after = write::update_if_version::<provider_group::Entity, _>(
                txn,
                provider_group::ActiveModel {
                    organization_id: Set(organization_id),
                    version: Set(expected_version + 1),
                    updated_at: Set(Utc::now()),
                    ..Default::default()
                },
                (provider_group::Column::Id, provider_group::Column::Version),
                (id, expected_version),
                "provider group",
            )
            .await?;
            Written::updated(change("providerGroup.update", id), &before, after)
        })
    })
    .await
}

/// Remove the mapping of group `id` (at `expected_version`) (admins).
pub async fn delete_group(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    expected_version: i32,
) -> AppResult<provider_group::Model> {
    authz::provider_groups(actor)?;
    let before =
        write::find::<provider_group::Entity, _>(db, id, "input.id", "provider group").await?;
    write::commit(db, actor, |txn, _| {
        Box::pin(async move {
            write::delete_if_version::<provider_group::Entity>(
                txn,
                (provider_group::Column::Id, provider_group::Column::Version),
                (id, expected_version),
                "provider group",
            )
            .await?;
            Written::removed(change("providerGroup.delete", id), before)
        })
    })
    .await
}
