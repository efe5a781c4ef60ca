//! The demo data: Stockholm's strategies, the bodies they bind and what each owes, the
//! district plans with their follow-ups, targets and target groups, the groups every plan
//! names, Skarpnäck's lägesbild, and where each record comes from — transcribed from the
//! city's own documents into `data/stockholm/*.json` (format: `data/FORMAT.md`) and
//! compiled into the binary.
//!
//! Loading is idempotent and never overwrites: every row is identified by its slug or
//! natural key (activities by plan and position, seats by group and organization,
//! obligations by strategy, body, kind and period, …) and inserted only when missing, so
//! running `samverkan seed` again leaves the liaisons' edits alone. A plan, group or
//! situation picture loaded before keeps its rows as they are; what this version of the
//! data adds to it is added (its targets, target groups, group links and kinds, its
//! provenance), and a column that did not exist when it was loaded is filled in while it
//! is still empty (a group's validity, a seat's attendance, a plan's situation picture,
//! the lineage of strategies and areas). An activity nobody has edited (version 1) is as
//! an earlier version of the data left it, so it takes the data's corrections (roles,
//! methods, follow-up terms). The whole load is one transaction: it lands completely or
//! not at all.
//!
//! One module per kind of record: [`catalogue`] (documents, places, bodies, methods,
//! strategies and their lineage, obligations, indicators and measurements),
//! [`situation`] (lägesbild and orsaksanalys), [`plans`] (plans, activities and what
//! hangs on them), [`groups`] (collaboration areas and groups, seats, promises) and
//! [`provenance`] (one row per seeded record).

mod catalogue;
mod format;
mod groups;
mod plans;
mod provenance;
mod situation;

use std::collections::HashMap;

use chrono::Utc;
use entity::*;
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, TransactionTrait};

use format::SeedFile;

/// The seed files, in load order (the catalogue first).
pub const FILES: &[(&str, &str)] = &[
    (
        "catalogue.json",
        include_str!("../../../data/stockholm/catalogue.json"),
    ),
    (
        "bromma-2019-2022.json",
        include_str!("../../../data/stockholm/bromma-2019-2022.json"),
    ),
    (
        "skarpnack-2020.json",
        include_str!("../../../data/stockholm/skarpnack-2020.json"),
    ),
    (
        "spanga-tensta-2019-2022.json",
        include_str!("../../../data/stockholm/spanga-tensta-2019-2022.json"),
    ),
    (
        "skarpnack-2022.json",
        include_str!("../../../data/stockholm/skarpnack-2022.json"),
    ),
];

/// What a seed run inserted (rows that already existed are not counted) or filled in.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SeedReport {
    /// Rows inserted per table; entries ending in "filled" count rows loaded before whose
    /// new, still empty columns were filled in.
    pub inserted: Vec<(&'static str, usize)>,
}

impl SeedReport {
    fn add(&mut self, table: &'static str) {
        self.add_n(table, 1);
    }

    fn add_n(&mut self, table: &'static str, n: usize) {
        if n == 0 {
            return;
        }
        match self.inserted.iter_mut().find(|(t, _)| *t == table) {
            Some((_, m)) => *m += n,
            None => self.inserted.push((table, n)),
        }
    }

    /// Total rows inserted or filled in.
    pub fn total(&self) -> usize {
        self.inserted.iter().map(|(_, n)| n).sum()
    }
}

impl std::fmt::Display for SeedReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.inserted.is_empty() {
            return write!(f, "nothing to insert: the demo data is already loaded");
        }
        let parts: Vec<String> = self
            .inserted
            .iter()
            .map(|(t, n)| format!("{n} {t}"))
            .collect();
        write!(f, "inserted {}", parts.join(", "))
    }
}

/// Parse every seed file (fails on a malformed file, naming it).
fn parse_files() -> anyhow::Result<Vec<SeedFile>> {
    FILES
        .iter()
        .map(|(name, text)| {
            serde_json::from_str::<SeedFile>(text)
                .map_err(|e| anyhow::anyhow!("seed file {name}: {e}"))
        })
        .collect()
}

/// Whether the database holds no municipality yet (a fresh database).
pub async fn is_empty(db: &DatabaseConnection) -> Result<bool, sea_orm::DbErr> {
    Ok(municipality::Entity::find().count(db).await? == 0)
}

/// Load the demo data, inserting what is missing. One transaction.
///
/// Order: the catalogue parts of every file (documents first, so that each record can
/// name its document), then lineage, obligations, indicators and measurements, then each
/// plan file's situation pictures and plans, then the groups (those in areas first), then
/// the links that may point into
/// another file (a plan's situation picture, a group's source plan, an activity's
/// groups), and last the provenance rows.
pub async fn load(db: &DatabaseConnection) -> anyhow::Result<SeedReport> {
    let files = parse_files()?;
    let txn = db.begin().await?;
    let mut loader = Loader::new(&txn).await?;
    for (file, (name, _)) in files.iter().zip(FILES) {
        loader.enter(file)?;
        loader
            .catalogue(file)
            .await
            .map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
    }
    for (file, (name, _)) in files.iter().zip(FILES) {
        loader.enter(file)?;
        loader
            .cycle_catalogue(file)
            .await
            .map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
    }
    for (file, (name, _)) in files.iter().zip(FILES) {
        loader.enter(file)?;
        loader
            .pictures_and_plans(file)
            .await
            .map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
    }
    // Groups in areas first, then those outside any area: the groups loaded before the
    // city's cycle (Skarpnäck 2022's, all in areas) keep their ids and order.
    for pass in [GroupPass::InAreas, GroupPass::OutsideAreas] {
        for (file, (name, _)) in files.iter().zip(FILES) {
            loader.enter(file)?;
            loader
                .groups_of(file, pass)
                .await
                .map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
        }
    }
    loader.links().await?;
    loader.flush_provenance().await?;
    let report = loader.report;
    txn.commit().await?;
    Ok(report)
}

/// Which groups a pass over the files loads.
#[derive(Debug, Clone, Copy)]
enum GroupPass {
    /// The groups of collaboration areas (`collaborationAreas[].groups`).
    InAreas,
    /// The groups outside any area (`collaborationGroups`).
    OutsideAreas,
}

/// Links that may point into a file loaded later, made once every file is in.
#[derive(Debug, Default)]
struct Deferred {
    /// (plan, situation picture slug) for plans loaded without one.
    plan_pictures: Vec<(i32, String)>,
    /// (group, plan slug) for groups loaded without a source plan.
    group_plans: Vec<(i32, String)>,
    /// (activity, group slugs) for activities carried by groups.
    activity_groups: Vec<(i32, Vec<String>)>,
}

/// The load in progress: what is known by slug, what the report counts, the provenance
/// rows waiting to be written.
struct Loader<'a, C> {
    db: &'a C,
    report: SeedReport,
    now: chrono::DateTime<Utc>,
    municipality: Option<i32>,
    /// Document ids by slug, and by file name (a plan file's `source`).
    documents: HashMap<String, i32>,
    document_files: HashMap<String, i32>,
    /// The document of the file being loaded (none for the catalogue).
    file_document: Option<i32>,
    districts: HashMap<String, i32>,
    organizations: HashMap<String, i32>,
    strategies: HashMap<String, i32>,
    priority_areas: HashMap<String, i32>,
    focus_areas: HashMap<String, i32>,
    methods: HashMap<String, i32>,
    indicators: HashMap<String, i32>,
    pictures: HashMap<String, i32>,
    plans: HashMap<String, i32>,
    groups: HashMap<String, i32>,
    provenance: provenance::Pending,
    deferred: Deferred,
}

fn lookup(map: &HashMap<String, i32>, what: &str, slug: &str) -> anyhow::Result<i32> {
    map.get(slug)
        .copied()
        .ok_or_else(|| anyhow::anyhow!("unknown {what} {slug:?}"))
}

/// [`lookup`] of an optional slug.
fn lookup_opt(
    map: &HashMap<String, i32>,
    what: &str,
    slug: Option<&String>,
) -> anyhow::Result<Option<i32>> {
    slug.map(|s| lookup(map, what, s)).transpose()
}

impl<'a, C: ConnectionTrait> Loader<'a, C> {
    async fn new(db: &'a C) -> anyhow::Result<Self> {
        Ok(Self {
            db,
            report: SeedReport::default(),
            now: Utc::now(),
            municipality: None,
            documents: HashMap::new(),
            document_files: HashMap::new(),
            file_document: None,
            districts: HashMap::new(),
            organizations: HashMap::new(),
            strategies: HashMap::new(),
            priority_areas: HashMap::new(),
            focus_areas: HashMap::new(),
            methods: HashMap::new(),
            indicators: HashMap::new(),
            pictures: HashMap::new(),
            plans: HashMap::new(),
            groups: HashMap::new(),
            provenance: provenance::Pending::load(db).await?,
            deferred: Deferred::default(),
        })
    }

    /// Start on `file`: its records default to its `source` document.
    fn enter(&mut self, file: &SeedFile) -> anyhow::Result<()> {
        self.file_document = match &file.source {
            Some(source) => Some(lookup(&self.document_files, "source document", source)?),
            None => None,
        };
        Ok(())
    }

    async fn pictures_and_plans(&mut self, file: &SeedFile) -> anyhow::Result<()> {
        for picture in &file.situation_pictures {
            self.situation_picture(picture).await?;
        }
        for plan in &file.action_plans {
            self.action_plan(plan).await?;
        }
        Ok(())
    }

    async fn groups_of(&mut self, file: &SeedFile, pass: GroupPass) -> anyhow::Result<()> {
        match pass {
            GroupPass::InAreas => {
                for (position, area) in file.collaboration_areas.iter().enumerate() {
                    self.area(area, position as i32 + 1).await?;
                }
            }
            GroupPass::OutsideAreas => {
                for group in &file.collaboration_groups {
                    let district = group.district.as_ref().ok_or_else(|| {
                        anyhow::anyhow!("group {:?} outside an area needs a district", group.slug)
                    })?;
                    let district_id = lookup(&self.districts, "district", district)?;
                    self.group(group, district_id, None).await?;
                }
            }
        }
        Ok(())
    }

    /// The links that may point into another file.
    async fn links(&mut self) -> anyhow::Result<()> {
        self.plan_pictures().await?;
        self.group_plans().await?;
        self.activity_groups().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_seed_file_parses() {
        let files = parse_files().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(files.len(), FILES.len());
        let catalogue = &files[0];
        assert_eq!(catalogue.districts.len(), 13);
        assert_eq!(catalogue.strategies.len(), 2);
        assert_eq!(catalogue.documents.len(), 5);
        assert_eq!(catalogue.obligations.len(), 57);
        for file in &files[1..] {
            assert!(file.source.is_some(), "a plan file names its source");
        }
    }
}
