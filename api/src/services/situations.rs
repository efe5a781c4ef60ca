//! Situation pictures (lägesbilder) and their cause analyses (orsaksanalyser): what a body
//! sees in one or more districts, or city-wide, on a date; the sources it rests on
//! (trygghetsmätningen, Stockholmsenkäten, Socialtjänstrapporten, the police's lägesbild
//! …); its findings, each tied to a priority or focus area; and the analysis whose causes
//! point to findings. Action plans say which picture they rest on (`basedOn`).
//!
//! **Aggregate facts only.** Every field is a text, a number, a date or a link to a
//! place, an area or a body; no field names or links a person, and none is meant to hold
//! one (a finding is "andelen unga som känner sig otrygga ökar", never someone's name).
//!
//! Rules: [`authz::situation_picture`] — a coordinator of every district a picture covers,
//! the owning body's own editors, admins; a city-wide picture the owner's editors and
//! admins. The analysis follows its picture's rule.

use std::collections::HashSet;

use chrono::{NaiveDate, Utc};
use entity::enums::SourceKind;
use entity::{
    cause, cause_analysis, cause_finding, district, finding, focus_area, organization,
    priority_area, situation_picture, situation_picture_district, situation_source, strategy,
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

/// A source a picture rests on.
#[derive(Debug, Clone)]
pub struct NewSource {
    /// Its kind.
    pub kind: SourceKind,
    /// Its name as written, e.g. "Stockholmsenkäten 2022".
    pub name: String,
    /// The year of the edition used.
    pub year: Option<i32>,
}

/// A finding of a picture; with `id`, an existing finding of the same picture kept (and
/// changed), so the causes pointing to it keep pointing to it.
#[derive(Debug, Clone)]
pub struct NewFinding {
    /// An existing finding of the picture to keep.
    pub id: Option<i32>,
    /// The finding (an aggregate fact).
    pub text: String,
    /// The priority area it concerns.
    pub priority_area_id: Option<i32>,
    /// The focus area it concerns.
    pub focus_area_id: Option<i32>,
}

/// A new situation picture.
#[derive(Debug, Clone, Default)]
pub struct NewPicture {
    /// The body that made it.
    pub organization_id: i32,
    /// The strategy it was made under.
    pub strategy_id: Option<i32>,
    /// Readable identifier (default: from the body, the year and the title).
    pub slug: Option<String>,
    /// Title.
    pub title: String,
    /// The date it describes.
    pub as_of: Option<NaiveDate>,
    /// Summary.
    pub summary: Option<String>,
    /// Whether it covers the whole city (then no districts).
    pub city_wide: bool,
    /// The districts it covers.
    pub district_ids: Vec<i32>,
    /// Its sources, in order.
    pub sources: Vec<NewSource>,
    /// Its findings, in order.
    pub findings: Vec<NewFinding>,
}

/// Changes to a picture: `None` leaves a field; lists replace the whole list.
#[derive(Debug, Clone, Default)]
pub struct PictureChanges {
    /// The strategy it was made under.
    pub strategy_id: Patch<i32>,
    /// Title.
    pub title: Option<String>,
    /// The date it describes.
    pub as_of: Patch<NaiveDate>,
    /// Summary.
    pub summary: Patch<String>,
    /// Whether it covers the whole city.
    pub city_wide: Option<bool>,
    /// The districts it covers.
    pub district_ids: Option<Vec<i32>>,
    /// Its sources, in order.
    pub sources: Option<Vec<NewSource>>,
    /// Its findings, in order.
    pub findings: Option<Vec<NewFinding>>,
}

/// A picture with its districts, sources and findings, as the audit trail keeps it.
#[derive(Debug, serde::Serialize)]
struct PictureSnapshot {
    #[serde(flatten)]
    picture: situation_picture::Model,
    districts: Vec<i32>,
    sources: Vec<situation_source::Model>,
    findings: Vec<finding::Model>,
}

/// An analysis with its causes and the findings each points to, for the audit trail.
#[derive(Debug, serde::Serialize)]
struct AnalysisSnapshot {
    #[serde(flatten)]
    analysis: cause_analysis::Model,
    causes: Vec<(String, Vec<i32>)>,
}

/// A cause of a new analysis.
#[derive(Debug, Clone)]
pub struct NewCause {
    /// The cause, as written.
    pub text: String,
    /// The findings of the picture it explains.
    pub finding_ids: Vec<i32>,
}

/// The content of a cause analysis (replacing the whole analysis when one exists).
#[derive(Debug, Clone, Default)]
pub struct NewAnalysis {
    /// The date it was made.
    pub as_of: Option<NaiveDate>,
    /// Summary.
    pub summary: Option<String>,
    /// Its causes, in order.
    pub causes: Vec<NewCause>,
}

/// The districts a picture covers.
pub async fn districts_of<C: ConnectionTrait>(db: &C, picture: i32) -> AppResult<Vec<i32>> {
    let mut ids: Vec<i32> = situation_picture_district::Entity::find()
        .filter(situation_picture_district::Column::SituationPictureId.eq(picture))
        .all(db)
        .await?
        .into_iter()
        .map(|l| l.district_id)
        .collect();
    ids.sort_unstable();
    Ok(ids)
}

async fn snapshot<C: ConnectionTrait>(
    db: &C,
    picture: situation_picture::Model,
) -> AppResult<PictureSnapshot> {
    let id = picture.id;
    Ok(PictureSnapshot {
        picture,
        districts: districts_of(db, id).await?,
        sources: situation_source::Entity::find()
            .filter(situation_source::Column::SituationPictureId.eq(id))
            .order_by_asc(situation_source::Column::Position)
            .all(db)
            .await?,
        findings: findings_of(db, id).await?,
    })
}

async fn findings_of<C: ConnectionTrait>(db: &C, picture: i32) -> AppResult<Vec<finding::Model>> {
    Ok(finding::Entity::find()
        .filter(finding::Column::SituationPictureId.eq(picture))
        .order_by_asc(finding::Column::Position)
        .order_by_asc(finding::Column::Id)
        .all(db)
        .await?)
}

/// The rule for a picture of `owner` covering `districts` (or the city).
async fn check_rule(
    db: &DatabaseConnection,
    actor: &Actor,
    owner: i32,
    districts: &[i32],
    city_wide: bool,
) -> AppResult<()> {
    if authz::situation_picture(actor, owner, districts, city_wide, "").is_ok() {
        return Ok(());
    }
    let name = organization::Entity::find_by_id(owner)
        .one(db)
        .await?
        .map_or_else(|| "the body".to_owned(), |o| o.name);
    authz::situation_picture(actor, owner, districts, city_wide, &name)?;
    Ok(())
}

fn picture_change<'a>(action: &'a str, id: i32, districts: &[i32]) -> Change<'a> {
    Change {
        action,
        node_type: "SituationPicture",
        node_id: id,
        district_id: districts.first().copied(),
    }
}

/// City-wide or districts: one or the other.
fn check_coverage(city_wide: bool, districts: &[i32]) -> AppResult<()> {
    if city_wide && !districts.is_empty() {
        return Err(AppError::bad_input(
            "input.districts",
            "a city-wide situation picture covers no single districts: leave them out",
        ));
    }
    if !city_wide && districts.is_empty() {
        return Err(AppError::bad_input(
            "input.districts",
            "name the districts the situation picture covers, or make it city-wide",
        ));
    }
    Ok(())
}

async fn check_districts(db: &DatabaseConnection, ids: &[i32]) -> AppResult<Vec<i32>> {
    let mut unique = ids.to_vec();
    unique.sort_unstable();
    unique.dedup();
    let found = district::Entity::find()
        .filter(district::Column::Id.is_in(unique.clone()))
        .count(db)
        .await?;
    if found as usize != unique.len() {
        return Err(AppError::not_found(
            "input.districts",
            "no district with one of these IDs",
        ));
    }
    Ok(unique)
}

fn check_sources(sources: &[NewSource]) -> AppResult<()> {
    for (i, s) in sources.iter().enumerate() {
        write::required_text(&format!("input.sources.{i}.name"), &s.name, MAX_SHORT_TEXT)?;
        if let Some(y) = s.year {
            write::year(&format!("input.sources.{i}.year"), y)?;
        }
    }
    Ok(())
}

/// Texts, areas (a focus area within its priority area) and, for kept findings, that
/// they are findings of `picture`.
async fn check_findings(
    db: &DatabaseConnection,
    findings: &[NewFinding],
    picture: Option<i32>,
) -> AppResult<()> {
    let existing: HashSet<i32> = match picture {
        Some(p) => findings_of(db, p)
            .await?
            .into_iter()
            .map(|f| f.id)
            .collect(),
        None => HashSet::new(),
    };
    let mut kept = HashSet::new();
    for (i, f) in findings.iter().enumerate() {
        write::required_text(&format!("input.findings.{i}.text"), &f.text, MAX_LONG_TEXT)?;
        if let Some(id) = f.id
            && (!existing.contains(&id) || !kept.insert(id))
        {
            return Err(AppError::not_found(
                format!("input.findings.{i}.id"),
                "not a finding of this situation picture (or named twice)",
            ));
        }
        if let Some(p) = f.priority_area_id {
            write::find::<priority_area::Entity, _>(
                db,
                p,
                &format!("input.findings.{i}.priorityArea"),
                "priority area",
            )
            .await?;
        }
        if let Some(fa) = f.focus_area_id {
            let row = write::find::<focus_area::Entity, _>(
                db,
                fa,
                &format!("input.findings.{i}.focusArea"),
                "focus area",
            )
            .await?;
            if f.priority_area_id
                .is_some_and(|p| p != row.priority_area_id)
            {
                return Err(AppError::bad_input(
                    format!("input.findings.{i}.focusArea"),
                    "the focus area belongs to another priority area",
                ));
            }
        }
    }
    Ok(())
}

async fn write_districts<C: ConnectionTrait>(db: &C, picture: i32, ids: &[i32]) -> AppResult<()> {
    situation_picture_district::Entity::delete_many()
        .filter(situation_picture_district::Column::SituationPictureId.eq(picture))
        .exec(db)
        .await?;
    for d in ids {
        situation_picture_district::ActiveModel {
            situation_picture_id: Set(picture),
            district_id: Set(*d),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

async fn write_sources<C: ConnectionTrait>(
    db: &C,
    picture: i32,
    sources: &[NewSource],
) -> AppResult<()> {
    situation_source::Entity::delete_many()
        .filter(situation_source::Column::SituationPictureId.eq(picture))
        .exec(db)
        .await?;
    for (i, s) in sources.iter().enumerate() {
        situation_source::ActiveModel {
            situation_picture_id: Set(picture),
            kind: Set(s.kind),
            name: Set(s.name.trim().to_owned()),
            year: Set(s.year),
            position: Set(i as i32 + 1),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// Replace the findings of `picture` by `findings`: those with an id are kept and
/// changed, the others added; the findings not named are removed with the causes' links
/// to them.
async fn write_findings<C: ConnectionTrait>(
    db: &C,
    picture: i32,
    findings: &[NewFinding],
) -> AppResult<()> {
    let kept: Vec<i32> = findings.iter().filter_map(|f| f.id).collect();
    let removed: Vec<i32> = findings_of(db, picture)
        .await?
        .into_iter()
        .map(|f| f.id)
        .filter(|id| !kept.contains(id))
        .collect();
    if !removed.is_empty() {
        cause_finding::Entity::delete_many()
            .filter(cause_finding::Column::FindingId.is_in(removed.clone()))
            .exec(db)
            .await?;
        finding::Entity::delete_many()
            .filter(finding::Column::Id.is_in(removed))
            .exec(db)
            .await?;
    }
    for (i, f) in findings.iter().enumerate() {
        let mut row = finding::ActiveModel {
            situation_picture_id: Set(picture),
            text: Set(f.text.trim().to_owned()),
            priority_area_id: Set(f.priority_area_id),
            focus_area_id: Set(f.focus_area_id),
            position: Set(i as i32 + 1),
            ..Default::default()
        };
        match f.id {
            Some(id) => {
                row.id = Set(id);
                row.update(db).await?;
            }
            None => {
                row.insert(db).await?;
            }
        }
    }
    Ok(())
}

/// A free slug from `base`: `base`, else `base-2`, `base-3` …
async fn free_slug(db: &DatabaseConnection, base: &str) -> AppResult<String> {
    let base: String = base.chars().take(90).collect();
    let base = base.trim_end_matches('-').to_owned();
    for n in 1..1000 {
        let candidate = if n == 1 {
            base.clone()
        } else {
            format!("{base}-{n}")
        };
        let taken = situation_picture::Entity::find()
            .filter(situation_picture::Column::Slug.eq(candidate.as_str()))
            .count(db)
            .await?;
        if taken == 0 {
            return Ok(candidate);
        }
    }
    Err(AppError::bad_input("input.slug", "no free slug: give one"))
}

/// Create a situation picture with its districts, sources and findings.
pub async fn create_picture(
    db: &DatabaseConnection,
    actor: &Actor,
    input: NewPicture,
) -> AppResult<situation_picture::Model> {
    let owner = write::find::<organization::Entity, _>(
        db,
        input.organization_id,
        "input.organization",
        "organization",
    )
    .await?;
    check_coverage(input.city_wide, &input.district_ids)?;
    let districts = check_districts(db, &input.district_ids).await?;
    check_rule(db, actor, owner.id, &districts, input.city_wide).await?;
    if let Some(s) = input.strategy_id {
        write::find::<strategy::Entity, _>(db, s, "input.strategy", "strategy").await?;
    }
    let title = write::required_text("input.title", &input.title, MAX_SHORT_TEXT)?;
    let summary = write::optional_text("input.summary", input.summary.as_deref(), MAX_LONG_TEXT)?;
    check_sources(&input.sources)?;
    if input.findings.iter().any(|f| f.id.is_some()) {
        return Err(AppError::bad_input(
            "input.findings",
            "a new situation picture has no findings to keep: leave out their ids",
        ));
    }
    check_findings(db, &input.findings, None).await?;
    let slug = match &input.slug {
        Some(s) => {
            let s = write::slug("input.slug", s)?;
            write::slug_free::<situation_picture::Entity, _>(
                db,
                situation_picture::Column::Slug,
                &s,
                "situation picture",
            )
            .await?;
            s
        }
        None => {
            let year = input.as_of.map(|d| chrono::Datelike::year(&d).to_string());
            let base = write::slugify(&format!(
                "{} {} {title}",
                owner.slug,
                year.unwrap_or_default()
            ));
            free_slug(db, &base).await?
        }
    };
    let now = Utc::now();
    write::commit(db, actor, |txn, _| {
        Box::pin(async move {
            let created = situation_picture::ActiveModel {
                slug: Set(slug),
                organization_id: Set(owner.id),
                strategy_id: Set(input.strategy_id),
                title: Set(title),
                as_of: Set(input.as_of),
                summary: Set(summary),
                city_wide: Set(input.city_wide),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(txn)
            .await?;
            write_districts(txn, created.id, &districts).await?;
            write_sources(txn, created.id, &input.sources).await?;
            write_findings(txn, created.id, &input.findings).await?;
            let after = snapshot(txn, created.clone()).await?;
            Ok(Written::new(())
                .audit(
                    picture_change("situationPicture.create", created.id, &districts),
                    None::<&()>,
                    Some(&after),
                )?
                .with(created))
        })
    })
    .await
}

/// Find a picture the actor may change, at version `expected`; with its districts.
async fn editable_picture(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    expected: Option<i32>,
) -> AppResult<(situation_picture::Model, Vec<i32>)> {
    let picture =
        write::find::<situation_picture::Entity, _>(db, id, "input.id", "situation picture")
            .await?;
    let districts = districts_of(db, id).await?;
    check_rule(
        db,
        actor,
        picture.organization_id,
        &districts,
        picture.city_wide,
    )
    .await?;
    if let Some(expected) = expected {
        write::check_version(expected, picture.version)?;
    }
    Ok((picture, districts))
}

/// Change a situation picture, based on version `expected`. Lists given replace the
/// whole list; the rule must allow the picture both as it was and as it will be.
pub async fn update_picture(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    expected: i32,
    changes: PictureChanges,
) -> AppResult<situation_picture::Model> {
    let (before, districts_before) = editable_picture(db, actor, id, Some(expected)).await?;
    let city_wide = changes.city_wide.unwrap_or(before.city_wide);
    let districts = match &changes.district_ids {
        Some(ids) => check_districts(db, ids).await?,
        None if city_wide => Vec::new(),
        None => districts_before.clone(),
    };
    check_coverage(city_wide, &districts)?;
    check_rule(db, actor, before.organization_id, &districts, city_wide).await?;
    let mut am = situation_picture::ActiveModel {
        version: Set(expected + 1),
        updated_at: Set(Utc::now()),
        city_wide: Set(city_wide),
        ..Default::default()
    };
    if let Some(t) = &changes.title {
        am.title = Set(write::required_text("input.title", t, MAX_SHORT_TEXT)?);
    }
    if let Some(s) = &changes.summary {
        am.summary = Set(write::optional_text(
            "input.summary",
            s.as_deref(),
            MAX_LONG_TEXT,
        )?);
    }
    if let Some(d) = changes.as_of {
        am.as_of = Set(d);
    }
    if let Some(s) = changes.strategy_id {
        if let Some(s) = s {
            write::find::<strategy::Entity, _>(db, s, "input.strategy", "strategy").await?;
        }
        am.strategy_id = Set(s);
    }
    if let Some(sources) = &changes.sources {
        check_sources(sources)?;
    }
    if let Some(findings) = &changes.findings {
        check_findings(db, findings, Some(id)).await?;
    }
    let before_snapshot = snapshot(db, before).await?;
    write::commit(db, actor, |txn, _| {
        Box::pin(async move {
            let after = write::update_if_version::<situation_picture::Entity, _>(
                txn,
                am,
                (
                    situation_picture::Column::Id,
                    situation_picture::Column::Version,
                ),
                (id, expected),
                "situation picture",
            )
            .await?;
            write_districts(txn, id, &districts).await?;
            if let Some(sources) = &changes.sources {
                write_sources(txn, id, sources).await?;
            }
            if let Some(findings) = &changes.findings {
                write_findings(txn, id, findings).await?;
            }
            let after_snapshot = snapshot(txn, after.clone()).await?;
            Ok(Written::new(())
                .audit(
                    picture_change("situationPicture.update", id, &districts),
                    Some(&before_snapshot),
                    Some(&after_snapshot),
                )?
                .with(after))
        })
    })
    .await
}

/// Remove a situation picture with its sources, findings and cause analysis, based on
/// version `expected`; plans that rested on it rest on nothing.
pub async fn delete_picture(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    expected: i32,
) -> AppResult<situation_picture::Model> {
    let (before, districts) = editable_picture(db, actor, id, Some(expected)).await?;
    let before_snapshot = snapshot(db, before.clone()).await?;
    write::commit(db, actor, |txn, _| {
        Box::pin(async move {
            write::delete_if_version::<situation_picture::Entity>(
                txn,
                (
                    situation_picture::Column::Id,
                    situation_picture::Column::Version,
                ),
                (id, expected),
                "situation picture",
            )
            .await?;
            Ok(Written::new(())
                .audit(
                    picture_change("situationPicture.delete", id, &districts),
                    Some(&before_snapshot),
                    None::<&()>,
                )?
                .with(before))
        })
    })
    .await
}

async fn analysis_snapshot<C: ConnectionTrait>(
    db: &C,
    analysis: cause_analysis::Model,
) -> AppResult<AnalysisSnapshot> {
    let causes = cause::Entity::find()
        .filter(cause::Column::CauseAnalysisId.eq(analysis.id))
        .order_by_asc(cause::Column::Position)
        .all(db)
        .await?;
    let ids: Vec<i32> = causes.iter().map(|c| c.id).collect();
    let links = cause_finding::Entity::find()
        .filter(cause_finding::Column::CauseId.is_in(ids))
        .all(db)
        .await?;
    Ok(AnalysisSnapshot {
        analysis,
        causes: causes
            .into_iter()
            .map(|c| {
                let mut findings: Vec<i32> = links
                    .iter()
                    .filter(|l| l.cause_id == c.id)
                    .map(|l| l.finding_id)
                    .collect();
                findings.sort_unstable();
                (c.text, findings)
            })
            .collect(),
    })
}

fn analysis_change<'a>(action: &'a str, id: i32, districts: &[i32]) -> Change<'a> {
    Change {
        action,
        node_type: "CauseAnalysis",
        node_id: id,
        district_id: districts.first().copied(),
    }
}

/// The cause analysis of a picture, if it has one.
pub async fn analysis_of<C: ConnectionTrait>(
    db: &C,
    picture: i32,
) -> AppResult<Option<cause_analysis::Model>> {
    Ok(cause_analysis::Entity::find()
        .filter(cause_analysis::Column::SituationPictureId.eq(picture))
        .one(db)
        .await?)
}

/// Create the cause analysis of a picture, or replace the one it has (then based on
/// version `expected` of that analysis: without one, or stale, `CONFLICT`). Causes point
/// to findings of the same picture.
pub async fn set_analysis(
    db: &DatabaseConnection,
    actor: &Actor,
    picture_id: i32,
    expected: Option<i32>,
    input: NewAnalysis,
) -> AppResult<cause_analysis::Model> {
    let picture = write::find::<situation_picture::Entity, _>(
        db,
        picture_id,
        "input.situationPicture",
        "situation picture",
    )
    .await?;
    let districts = districts_of(db, picture.id).await?;
    check_rule(
        db,
        actor,
        picture.organization_id,
        &districts,
        picture.city_wide,
    )
    .await?;
    let existing = analysis_of(db, picture.id).await?;
    match (&existing, expected) {
        (Some(a), Some(e)) => write::check_version(e, a.version)?,
        (Some(a), None) => {
            return Err(AppError::Conflict(format!(
                "the situation picture has a cause analysis (version {}): name it in expectedVersion to replace it",
                a.version
            )));
        }
        (None, Some(_)) => {
            return Err(AppError::not_found(
                "input.expectedVersion",
                "the situation picture has no cause analysis (it has been removed): leave out expectedVersion to create one",
            ));
        }
        (None, None) => {}
    }
    let summary = write::optional_text("input.summary", input.summary.as_deref(), MAX_LONG_TEXT)?;
    let findings: HashSet<i32> = findings_of(db, picture.id)
        .await?
        .into_iter()
        .map(|f| f.id)
        .collect();
    for (i, c) in input.causes.iter().enumerate() {
        write::required_text(&format!("input.causes.{i}.text"), &c.text, MAX_LONG_TEXT)?;
        if let Some(bad) = c.finding_ids.iter().find(|f| !findings.contains(f)) {
            return Err(AppError::not_found(
                format!("input.causes.{i}.findings"),
                format!("finding {bad} is not a finding of this situation picture"),
            ));
        }
    }
    let before = match existing.clone() {
        Some(a) => Some(analysis_snapshot(db, a).await?),
        None => None,
    };
    let now = Utc::now();
    write::commit(db, actor, |txn, _| {
        Box::pin(async move {
            let row = match (existing, expected) {
                (Some(a), Some(e)) => {
                    let am = cause_analysis::ActiveModel {
                        as_of: Set(input.as_of),
                        summary: Set(summary),
                        version: Set(e + 1),
                        updated_at: Set(now),
                        ..Default::default()
                    };
                    let after = write::update_if_version::<cause_analysis::Entity, _>(
                        txn,
                        am,
                        (cause_analysis::Column::Id, cause_analysis::Column::Version),
                        (a.id, e),
                        "cause analysis",
                    )
                    .await?;
                    cause::Entity::delete_many()
                        .filter(cause::Column::CauseAnalysisId.eq(a.id))
                        .exec(txn)
                        .await?;
                    after
                }
                _ => {
                    cause_analysis::ActiveModel {
                        situation_picture_id: Set(picture.id),
                        as_of: Set(input.as_of),
                        summary: Set(summary),
                        version: Set(1),
                        created_at: Set(now),
                        updated_at: Set(now),
                        ..Default::default()
                    }
                    .insert(txn)
                    .await?
                }
            };
            for (i, c) in input.causes.iter().enumerate() {
                let created = cause::ActiveModel {
                    cause_analysis_id: Set(row.id),
                    text: Set(c.text.trim().to_owned()),
                    position: Set(i as i32 + 1),
                    ..Default::default()
                }
                .insert(txn)
                .await?;
                let mut seen = HashSet::new();
                for f in c.finding_ids.iter().filter(|f| seen.insert(**f)) {
                    cause_finding::ActiveModel {
                        cause_id: Set(created.id),
                        finding_id: Set(*f),
                    }
                    .insert(txn)
                    .await?;
                }
            }
            let after = analysis_snapshot(txn, row.clone()).await?;
            let action = if before.is_some() {
                "causeAnalysis.update"
            } else {
                "causeAnalysis.create"
            };
            Ok(Written::new(())
                .audit(
                    analysis_change(action, row.id, &districts),
                    before.as_ref(),
                    Some(&after),
                )?
                .with(row))
        })
    })
    .await
}

/// Remove a cause analysis with its causes, based on version `expected`.
pub async fn delete_analysis(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    expected: i32,
) -> AppResult<cause_analysis::Model> {
    let analysis =
        write::find::<cause_analysis::Entity, _>(db, id, "input.id", "cause analysis").await?;
    let (_, districts) = editable_picture(db, actor, analysis.situation_picture_id, None).await?;
    write::check_version(expected, analysis.version)?;
    let before = analysis_snapshot(db, analysis.clone()).await?;
    write::commit(db, actor, |txn, _| {
        Box::pin(async move {
            write::delete_if_version::<cause_analysis::Entity>(
                txn,
                (cause_analysis::Column::Id, cause_analysis::Column::Version),
                (id, expected),
                "cause analysis",
            )
            .await?;
            Ok(Written::new(())
                .audit(
                    analysis_change("causeAnalysis.delete", id, &districts),
                    Some(&before),
                    None::<&()>,
                )?
                .with(analysis))
        })
    })
    .await
}
