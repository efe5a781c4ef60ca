//! The catalogue — organizations, districts, strategies with their priority and focus
//! areas, methods — changed by admins: a municipality's admins its districts, strategies
//! and the organizations working there; national admins everything, methods included
//! ([`authz`]).

use entity::enums::OrganizationKind;
use entity::{
    district, focus_area, method, municipality, organization, organization_district, priority_area,
    strategy,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, Set,
};

use super::audit::Change;
use super::authz::{self, Actor};
use super::plans::Patch;
use super::write::{self, MAX_LONG_TEXT, MAX_SHORT_TEXT, Written};
use crate::error::{AppError, AppResult};

fn change<'a>(action: &'a str, node_type: &'a str, id: i32) -> Change<'a> {
    Change {
        action,
        node_type,
        node_id: id,
        district_id: None,
    }
}

/// A new organization.
#[derive(Debug, Clone)]
pub struct NewOrganization {
    /// Readable identifier (default: from the name).
    pub slug: Option<String>,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: OrganizationKind,
    /// The organization it belongs to.
    pub parent_id: Option<i32>,
    /// The districts it serves.
    pub district_ids: Vec<i32>,
}

/// An organization with the districts it serves, as the audit trail keeps it.
#[derive(Debug, serde::Serialize)]
struct OrganizationSnapshot<'a> {
    #[serde(flatten)]
    organization: &'a organization::Model,
    districts: Vec<i32>,
}

async fn check_districts(db: &DatabaseConnection, ids: &[i32]) -> AppResult<()> {
    let found = district::Entity::find()
        .filter(district::Column::Id.is_in(ids.iter().copied()))
        .count(db)
        .await?;
    let mut unique = ids.to_vec();
    unique.sort_unstable();
    unique.dedup();
    if found as usize != unique.len() {
        return Err(AppError::not_found(
            "input.districts",
            "no district with one of these IDs",
        ));
    }
    Ok(())
}

async fn set_districts<C: ConnectionTrait>(db: &C, org: i32, ids: &[i32]) -> AppResult<()> {
    organization_district::Entity::delete_many()
        .filter(organization_district::Column::OrganizationId.eq(org))
        .exec(db)
        .await?;
    let mut unique = ids.to_vec();
    unique.sort_unstable();
    unique.dedup();
    for d in unique {
        organization_district::ActiveModel {
            organization_id: Set(org),
            district_id: Set(d),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

async fn districts_of<C: ConnectionTrait>(db: &C, org: i32) -> AppResult<Vec<i32>> {
    Ok(organization_district::Entity::find()
        .filter(organization_district::Column::OrganizationId.eq(org))
        .all(db)
        .await?
        .into_iter()
        .map(|d| d.district_id)
        .collect())
}

/// Add an organization.
pub async fn create_organization(
    db: &DatabaseConnection,
    actor: &Actor,
    input: NewOrganization,
) -> AppResult<organization::Model> {
    authz::new_organization(actor, &input.district_ids)?;
    let name = write::required_text("input.name", &input.name, MAX_SHORT_TEXT)?;
    let slug = match &input.slug {
        Some(s) => write::slug("input.slug", s)?,
        None => write::slugify(&name),
    };
    write::slug_free::<organization::Entity, _>(
        db,
        organization::Column::Slug,
        &slug,
        "organization",
    )
    .await?;
    if let Some(p) = input.parent_id {
        write::find::<organization::Entity, _>(db, p, "input.parent", "organization").await?;
    }
    check_districts(db, &input.district_ids).await?;
    write::commit(db, actor, |txn, _| {
        Box::pin(async move {
            let created = organization::ActiveModel {
                slug: Set(slug),
                name: Set(name),
                kind: Set(input.kind),
                parent_id: Set(input.parent_id),
                ..Default::default()
            }
            .insert(txn)
            .await?;
            set_districts(txn, created.id, &input.district_ids).await?;
            let districts = districts_of(txn, created.id).await?;
            let after = OrganizationSnapshot {
                organization: &created,
                districts,
            };
            let change = change("organization.create", "Organization", created.id);
            let written = Written::new(()).audit(change, None::<&()>, Some(&after))?;
            Ok(written.with(created))
        })
    })
    .await
}

/// Changes to an organization.
#[derive(Debug, Clone, Default)]
pub struct OrganizationChanges {
    /// Name.
    pub name: Option<String>,
    /// Kind.
    pub kind: Option<OrganizationKind>,
    /// Parent.
    pub parent_id: Patch<i32>,
    /// Districts served (replaces the set when given).
    pub district_ids: Option<Vec<i32>>,
}

/// Change an organization.
pub async fn update_organization(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    changes: OrganizationChanges,
) -> AppResult<organization::Model> {
    let before = write::find::<organization::Entity, _>(db, id, "input.id", "organization").await?;
    let districts_before = districts_of(db, id).await?;
    authz::organization(
        actor,
        id,
        &districts_before,
        changes.district_ids.as_deref().unwrap_or(&districts_before),
    )?;
    let mut am: organization::ActiveModel = organization::ActiveModel {
        id: Set(id),
        ..Default::default()
    };
    if let Some(n) = &changes.name {
        am.name = Set(write::required_text("input.name", n, MAX_SHORT_TEXT)?);
    }
    if let Some(k) = changes.kind {
        am.kind = Set(k);
    }
    if let Some(p) = changes.parent_id {
        if let Some(p) = p {
            if p == id {
                return Err(AppError::bad_input(
                    "input.parent",
                    "an organization cannot be its own parent",
                ));
            }
            write::find::<organization::Entity, _>(db, p, "input.parent", "organization").await?;
        }
        am.parent_id = Set(p);
    }
    if let Some(ds) = &changes.district_ids {
        check_districts(db, ds).await?;
    }
    write::commit(db, actor, |txn, _| {
        Box::pin(async move {
            let after = if am.is_changed() {
                am.update(txn).await?
            } else {
                before.clone()
            };
            if let Some(ds) = &changes.district_ids {
                set_districts(txn, id, ds).await?;
            }
            let districts = districts_of(txn, id).await?;
            let written = Written::new(()).audit(
                change("organization.update", "Organization", id),
                Some(&OrganizationSnapshot {
                    organization: &before,
                    districts: districts_before,
                }),
                Some(&OrganizationSnapshot {
                    organization: &after,
                    districts,
                }),
            )?;
            Ok(written.with(after))
        })
    })
    .await
}

/// Add a district to a municipality.
pub async fn create_district(
    db: &DatabaseConnection,
    actor: &Actor,
    municipality_id: i32,
    slug: Option<String>,
    name: &str,
) -> AppResult<district::Model> {
    authz::municipality(actor, municipality_id, "districts")?;
    write::find::<municipality::Entity, _>(
        db,
        municipality_id,
        "input.municipality",
        "municipality",
    )
    .await?;
    let name = write::required_text("input.name", name, MAX_SHORT_TEXT)?;
    let slug = match &slug {
        Some(s) => write::slug("input.slug", s)?,
        None => write::slugify(&name),
    };
    write::slug_free::<district::Entity, _>(db, district::Column::Slug, &slug, "district").await?;
    write::commit(db, actor, |txn, _| {
        Box::pin(async move {
            let created = district::ActiveModel {
                municipality_id: Set(municipality_id),
                slug: Set(slug),
                name: Set(name),
                ..Default::default()
            }
            .insert(txn)
            .await?;
            let change = Change {
                action: "district.create",
                node_type: "District",
                node_id: created.id,
                district_id: Some(created.id),
            };
            Written::created(change, created)
        })
    })
    .await
}

/// An area of a new strategy (a priority area with focus areas, or a focus area).
#[derive(Debug, Clone)]
pub struct NewArea {
    /// Name.
    pub name: String,
    /// Opening text.
    pub description: Option<String>,
    /// The predecessor strategy's area (of the same level) this one continues.
    pub continues_id: Option<i32>,
    /// Focus areas (of a priority area).
    pub focus_areas: Vec<NewArea>,
}

/// A new strategy.
#[derive(Debug, Clone)]
pub struct NewStrategy {
    /// Municipality.
    pub municipality_id: i32,
    /// Readable identifier (default: from the name).
    pub slug: Option<String>,
    /// Name.
    pub name: String,
    /// Summary.
    pub description: Option<String>,
    /// First year.
    pub start_year: i32,
    /// Last year.
    pub end_year: i32,
    /// The strategy it follows on from.
    pub predecessor_id: Option<i32>,
    /// Its priority areas, in order.
    pub priority_areas: Vec<NewArea>,
}

/// Add a strategy with its priority and focus areas.
pub async fn create_strategy(
    db: &DatabaseConnection,
    actor: &Actor,
    input: NewStrategy,
) -> AppResult<strategy::Model> {
    authz::municipality(actor, input.municipality_id, "strategies")?;
    write::find::<municipality::Entity, _>(
        db,
        input.municipality_id,
        "input.municipality",
        "municipality",
    )
    .await?;
    let name = write::required_text("input.name", &input.name, MAX_SHORT_TEXT)?;
    let description = write::optional_text(
        "input.description",
        input.description.as_deref(),
        MAX_LONG_TEXT,
    )?;
    write::years(
        "input.startYear",
        Some(input.start_year),
        "input.endYear",
        Some(input.end_year),
    )?;
    let slug = match &input.slug {
        Some(s) => write::slug("input.slug", s)?,
        None => write::slugify(&format!("{name} {}-{}", input.start_year, input.end_year)),
    };
    write::slug_free::<strategy::Entity, _>(db, strategy::Column::Slug, &slug, "strategy").await?;
    for (i, pa) in input.priority_areas.iter().enumerate() {
        write::required_text(
            &format!("input.priorityAreas.{i}.name"),
            &pa.name,
            MAX_SHORT_TEXT,
        )?;
        for (j, fa) in pa.focus_areas.iter().enumerate() {
            write::required_text(
                &format!("input.priorityAreas.{i}.focusAreas.{j}.name"),
                &fa.name,
                MAX_SHORT_TEXT,
            )?;
        }
    }
    check_lineage(db, &input).await?;
    write::commit(db, actor, |txn, _| {
        Box::pin(async move { create_strategy_rows(txn, input, slug, name, description).await })
    })
    .await
}

/// A new strategy's line: its predecessor exists and is a strategy of the same
/// municipality, and each area continues an area of the predecessor (a priority area a priority area, a focus area a focus area).
async fn check_lineage(db: &DatabaseConnection, input: &NewStrategy) -> AppResult<()> {
    let predecessor = match input.predecessor_id {
        Some(p) => {
            Some(write::find::<strategy::Entity, _>(db, p, "input.predecessor", "strategy").await?)
        }
        None => None,
    };
    if let Some(p) = &predecessor
        && p.municipality_id != input.municipality_id
    {
        return Err(AppError::bad_input(
            "input.predecessor",
            format!(
                "a strategy follows on from a strategy of its own municipality; {:?} is another municipality's",
                p.name
            ),
        ));
    }
    let wants = input.priority_areas.iter().any(|pa| {
        pa.continues_id.is_some() || pa.focus_areas.iter().any(|f| f.continues_id.is_some())
    });
    if !wants {
        return Ok(());
    }
    let Some(predecessor) = predecessor else {
        return Err(AppError::bad_input(
            "input.predecessor",
            "an area can continue only an area of the strategy's predecessor: name the predecessor",
        ));
    };
    let old_priority: Vec<priority_area::Model> = priority_area::Entity::find()
        .filter(priority_area::Column::StrategyId.eq(predecessor.id))
        .all(db)
        .await?;
    let old_ids: Vec<i32> = old_priority.iter().map(|p| p.id).collect();
    let old_focus: Vec<i32> = focus_area::Entity::find()
        .filter(focus_area::Column::PriorityAreaId.is_in(old_ids.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|f| f.id)
        .collect();
    for (i, pa) in input.priority_areas.iter().enumerate() {
        if let Some(c) = pa.continues_id
            && !old_ids.contains(&c)
        {
            return Err(AppError::bad_input(
                format!("input.priorityAreas.{i}.continues"),
                format!(
                    "not a priority area of the predecessor {:?}",
                    predecessor.name
                ),
            ));
        }
        for (j, fa) in pa.focus_areas.iter().enumerate() {
            if let Some(c) = fa.continues_id
                && !old_focus.contains(&c)
            {
                return Err(AppError::bad_input(
                    format!("input.priorityAreas.{i}.focusAreas.{j}.continues"),
                    format!("not a focus area of the predecessor {:?}", predecessor.name),
                ));
            }
        }
    }
    Ok(())
}

/// The rows of a new strategy: the strategy, its priority areas and their focus areas.
async fn create_strategy_rows(
    txn: &sea_orm::DatabaseTransaction,
    input: NewStrategy,
    slug: String,
    name: String,
    description: Option<String>,
) -> AppResult<Written<strategy::Model>> {
    let created = strategy::ActiveModel {
        municipality_id: Set(input.municipality_id),
        slug: Set(slug.clone()),
        name: Set(name),
        description: Set(description),
        start_year: Set(input.start_year),
        end_year: Set(input.end_year),
        predecessor_id: Set(input.predecessor_id),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    for (i, pa) in input.priority_areas.iter().enumerate() {
        let pa_slug = write::slugify(&format!("{slug} {}", pa.name));
        let pa_row = priority_area::ActiveModel {
            strategy_id: Set(created.id),
            slug: Set(pa_slug.clone()),
            name: Set(pa.name.trim().to_owned()),
            description: Set(pa.description.clone()),
            position: Set(i as i32 + 1),
            continues_id: Set(pa.continues_id),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        for (j, fa) in pa.focus_areas.iter().enumerate() {
            focus_area::ActiveModel {
                priority_area_id: Set(pa_row.id),
                slug: Set(write::slugify(&format!("{pa_slug} {}", fa.name))),
                name: Set(fa.name.trim().to_owned()),
                description: Set(fa.description.clone()),
                position: Set(j as i32 + 1),
                continues_id: Set(fa.continues_id),
                ..Default::default()
            }
            .insert(txn)
            .await?;
        }
    }
    Written::created(change("strategy.create", "Strategy", created.id), created)
}

/// A method for the catalogue (also its changes: `None` leaves a field).
#[derive(Debug, Clone, Default)]
pub struct MethodFields {
    /// Readable identifier (create only; default: from the abbreviation or name).
    pub slug: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Short form.
    pub abbreviation: Patch<String>,
    /// Description.
    pub description: Patch<String>,
}

/// Add a method to the catalogue.
pub async fn create_method(
    db: &DatabaseConnection,
    actor: &Actor,
    input: MethodFields,
) -> AppResult<method::Model> {
    authz::admin(actor, "methods")?;
    let name = write::required_text(
        "input.name",
        input.name.as_deref().unwrap_or_default(),
        MAX_SHORT_TEXT,
    )?;
    let abbreviation = write::optional_text(
        "input.abbreviation",
        input.abbreviation.clone().flatten().as_deref(),
        MAX_SHORT_TEXT,
    )?;
    let description = write::optional_text(
        "input.description",
        input.description.clone().flatten().as_deref(),
        MAX_LONG_TEXT,
    )?;
    let slug = match &input.slug {
        Some(s) => write::slug("input.slug", s)?,
        None => write::slugify(abbreviation.as_deref().unwrap_or(&name)),
    };
    write::slug_free::<method::Entity, _>(db, method::Column::Slug, &slug, "method").await?;
    write::commit(db, actor, |txn, _| {
        Box::pin(async move {
            let created = method::ActiveModel {
                slug: Set(slug),
                name: Set(name),
                abbreviation: Set(abbreviation),
                description: Set(description),
                ..Default::default()
            }
            .insert(txn)
            .await?;
            Written::created(change("method.create", "Method", created.id), created)
        })
    })
    .await
}

/// Change a method of the catalogue.
pub async fn update_method(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    input: MethodFields,
) -> AppResult<method::Model> {
    authz::admin(actor, "methods")?;
    let before = write::find::<method::Entity, _>(db, id, "input.id", "method").await?;
    let mut am = method::ActiveModel {
        id: Set(id),
        ..Default::default()
    };
    if let Some(n) = &input.name {
        am.name = Set(write::required_text("input.name", n, MAX_SHORT_TEXT)?);
    }
    if let Some(a) = &input.abbreviation {
        am.abbreviation = Set(write::optional_text(
            "input.abbreviation",
            a.as_deref(),
            MAX_SHORT_TEXT,
        )?);
    }
    if let Some(d) = &input.description {
        am.description = Set(write::optional_text(
            "input.description",
            d.as_deref(),
            MAX_LONG_TEXT,
        )?);
    }
    write::commit(db, actor, |txn, _| {
        Box::pin(async move {
            let after = if am.is_changed() {
                am.update(txn).await?
            } else {
                before.clone()
            };
            Written::updated(change("method.update", "Method", id), &before, after)
        })
    })
    .await
}
