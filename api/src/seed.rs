//! The demo data: Stockholm's strategy, district plans, follow-up and collaboration
//! groups, transcribed from the city's own documents into `data/stockholm/*.json`
//! (format: `data/FORMAT.md`) and compiled into the binary.
//!
//! Loading is idempotent and never overwrites: every row is identified by its slug (or,
//! for activities, by plan and position) and inserted only when missing, so running
//! `samverkan seed` again leaves the liaisons' edits alone. The whole load is one
//! transaction: it either lands completely or not at all.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, Utc};
use entity::enums::{FollowUpStatus, GroupKind, OrganizationKind, Term};
use entity::*;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, Set, TransactionTrait,
};
use serde::Deserialize;

/// The seed files, in load order (the catalogue first).
pub const FILES: &[(&str, &str)] = &[
    (
        "catalogue.json",
        include_str!("../../data/stockholm/catalogue.json"),
    ),
    (
        "bromma-2019-2022.json",
        include_str!("../../data/stockholm/bromma-2019-2022.json"),
    ),
    (
        "skarpnack-2020.json",
        include_str!("../../data/stockholm/skarpnack-2020.json"),
    ),
    (
        "spanga-tensta-2019-2022.json",
        include_str!("../../data/stockholm/spanga-tensta-2019-2022.json"),
    ),
    (
        "skarpnack-2022.json",
        include_str!("../../data/stockholm/skarpnack-2022.json"),
    ),
];

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SeedFile {
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    municipality: Option<Named>,
    #[serde(default)]
    districts: Vec<Named>,
    #[serde(default)]
    organizations: Vec<OrganizationSeed>,
    #[serde(default)]
    strategies: Vec<StrategySeed>,
    #[serde(default)]
    methods: Vec<MethodSeed>,
    #[serde(default)]
    action_plans: Vec<ActionPlanSeed>,
    #[serde(default)]
    collaboration_areas: Vec<AreaSeed>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Named {
    slug: String,
    name: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct OrganizationSeed {
    slug: String,
    name: String,
    kind: OrganizationKindSeed,
    parent: Option<String>,
    #[serde(default)]
    districts: Vec<String>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum OrganizationKindSeed {
    DistrictAdministration,
    Police,
    Education,
    CityAdministration,
    Region,
    HousingCompany,
    Transit,
    SecurityCompany,
    CivilSociety,
    Business,
    Other,
}

impl From<OrganizationKindSeed> for OrganizationKind {
    fn from(k: OrganizationKindSeed) -> Self {
        use OrganizationKindSeed as S;
        match k {
            S::DistrictAdministration => Self::DistrictAdministration,
            S::Police => Self::Police,
            S::Education => Self::Education,
            S::CityAdministration => Self::CityAdministration,
            S::Region => Self::Region,
            S::HousingCompany => Self::HousingCompany,
            S::Transit => Self::Transit,
            S::SecurityCompany => Self::SecurityCompany,
            S::CivilSociety => Self::CivilSociety,
            S::Business => Self::Business,
            S::Other => Self::Other,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct StrategySeed {
    slug: String,
    name: String,
    description: Option<String>,
    start_year: i32,
    end_year: i32,
    priority_areas: Vec<AreaOfStrategySeed>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AreaOfStrategySeed {
    slug: String,
    name: String,
    position: i32,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    focus_areas: Vec<AreaOfStrategySeed>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MethodSeed {
    slug: String,
    name: String,
    abbreviation: Option<String>,
    description: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ActionPlanSeed {
    slug: String,
    district: String,
    strategy: Option<String>,
    title: String,
    start_year: Option<i32>,
    end_year: Option<i32>,
    description: Option<String>,
    activities: Vec<ActivitySeed>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ActivitySeed {
    priority_area: Option<String>,
    focus_area: Option<String>,
    goal: Option<String>,
    description: String,
    #[serde(default)]
    methods: Vec<String>,
    #[serde(default)]
    responsibilities: Vec<ResponsibilitySeed>,
    responsible_text: Option<String>,
    timeline: Option<String>,
    start_year: Option<i32>,
    end_year: Option<i32>,
    follow_up_schedule: Option<String>,
    #[serde(default)]
    follow_up_terms: Vec<TermSeed>,
    #[serde(default)]
    follow_ups: Vec<FollowUpSeed>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ResponsibilitySeed {
    organization: String,
    role: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
enum TermSeed {
    T1,
    T2,
    #[serde(rename = "ANNUAL")]
    Annual,
}

impl From<TermSeed> for Term {
    fn from(t: TermSeed) -> Self {
        match t {
            TermSeed::T1 => Self::T1,
            TermSeed::T2 => Self::T2,
            TermSeed::Annual => Self::Annual,
        }
    }
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum StatusSeed {
    Planned,
    Ongoing,
    Done,
    Paused,
    Cancelled,
}

impl From<StatusSeed> for FollowUpStatus {
    fn from(s: StatusSeed) -> Self {
        match s {
            StatusSeed::Planned => Self::Planned,
            StatusSeed::Ongoing => Self::Ongoing,
            StatusSeed::Done => Self::Done,
            StatusSeed::Paused => Self::Paused,
            StatusSeed::Cancelled => Self::Cancelled,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct FollowUpSeed {
    year: i32,
    term: TermSeed,
    status: StatusSeed,
    effects: Option<String>,
    as_of: Option<NaiveDate>,
    reported_by: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AreaSeed {
    slug: String,
    district: String,
    name: String,
    goal: Option<String>,
    situation: Option<String>,
    groups: Vec<GroupSeed>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum GroupKindSeed {
    Sspf,
    Sig,
    OperativeBra,
    LocalBra,
    Bus,
    YouthDeployment,
    PlaceBased,
    SafetyWalk,
    DomesticViolence,
    LocalAgreement,
    Other,
}

impl From<GroupKindSeed> for GroupKind {
    fn from(k: GroupKindSeed) -> Self {
        use GroupKindSeed as S;
        match k {
            S::Sspf => Self::Sspf,
            S::Sig => Self::Sig,
            S::OperativeBra => Self::OperativeBra,
            S::LocalBra => Self::LocalBra,
            S::Bus => Self::Bus,
            S::YouthDeployment => Self::YouthDeployment,
            S::PlaceBased => Self::PlaceBased,
            S::SafetyWalk => Self::SafetyWalk,
            S::DomesticViolence => Self::DomesticViolence,
            S::LocalAgreement => Self::LocalAgreement,
            S::Other => Self::Other,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct GroupSeed {
    slug: String,
    name: String,
    kind: GroupKindSeed,
    subtitle: Option<String>,
    purpose: Option<String>,
    situation: Option<String>,
    term: Option<String>,
    term_ends_on: Option<NaiveDate>,
    meeting_cadence: Option<String>,
    convener: Option<String>,
    financing: Option<String>,
    communication: Option<String>,
    follow_up_cadence: Option<String>,
    other_participants: Option<String>,
    participations: Vec<ParticipationSeed>,
    commitments: Vec<CommitmentSeed>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ParticipationSeed {
    organization: String,
    contact_role: Option<String>,
    other_participants: Option<String>,
    is_convener: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CommitmentSeed {
    organization: String,
    text: String,
}

/// What a seed run inserted (rows that already existed are not counted).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SeedReport {
    /// Rows inserted per table.
    pub inserted: Vec<(&'static str, usize)>,
}

impl SeedReport {
    fn add(&mut self, table: &'static str) {
        match self.inserted.iter_mut().find(|(t, _)| *t == table) {
            Some((_, n)) => *n += 1,
            None => self.inserted.push((table, 1)),
        }
    }

    /// Total rows inserted.
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
pub async fn load(db: &DatabaseConnection) -> anyhow::Result<SeedReport> {
    let files = parse_files()?;
    let txn = db.begin().await?;
    let mut loader = Loader {
        db: &txn,
        report: SeedReport::default(),
        now: Utc::now(),
        municipality: None,
        districts: HashMap::new(),
        organizations: HashMap::new(),
        strategies: HashMap::new(),
        priority_areas: HashMap::new(),
        focus_areas: HashMap::new(),
        methods: HashMap::new(),
    };
    for file in &files {
        loader.catalogue(file).await?;
    }
    for file in &files {
        loader.plans_and_groups(file).await.map_err(|e| {
            anyhow::anyhow!("{}: {e}", file.source.as_deref().unwrap_or("catalogue"))
        })?;
    }
    let report = loader.report;
    txn.commit().await?;
    Ok(report)
}

struct Loader<'a, C> {
    db: &'a C,
    report: SeedReport,
    now: chrono::DateTime<Utc>,
    municipality: Option<i32>,
    districts: HashMap<String, i32>,
    organizations: HashMap<String, i32>,
    strategies: HashMap<String, i32>,
    priority_areas: HashMap<String, i32>,
    focus_areas: HashMap<String, i32>,
    methods: HashMap<String, i32>,
}

fn lookup(map: &HashMap<String, i32>, what: &str, slug: &str) -> anyhow::Result<i32> {
    map.get(slug)
        .copied()
        .ok_or_else(|| anyhow::anyhow!("unknown {what} {slug:?}"))
}

impl<C: ConnectionTrait> Loader<'_, C> {
    async fn catalogue(&mut self, file: &SeedFile) -> anyhow::Result<()> {
        if let Some(m) = &file.municipality {
            let id = match municipality::Entity::find()
                .filter(municipality::Column::Slug.eq(&m.slug))
                .one(self.db)
                .await?
            {
                Some(existing) => existing.id,
                None => {
                    self.report.add("municipalities");
                    municipality::ActiveModel {
                        slug: Set(m.slug.clone()),
                        name: Set(m.name.clone()),
                        ..Default::default()
                    }
                    .insert(self.db)
                    .await?
                    .id
                }
            };
            self.municipality = Some(id);
        }
        if !file.districts.is_empty() {
            let municipality_id = self
                .municipality
                .ok_or_else(|| anyhow::anyhow!("districts need a municipality"))?;
            let existing: HashMap<String, i32> = district::Entity::find()
                .all(self.db)
                .await?
                .into_iter()
                .map(|d| (d.slug, d.id))
                .collect();
            for d in &file.districts {
                let id = match existing.get(&d.slug) {
                    Some(id) => *id,
                    None => {
                        self.report.add("districts");
                        district::ActiveModel {
                            municipality_id: Set(municipality_id),
                            slug: Set(d.slug.clone()),
                            name: Set(d.name.clone()),
                            ..Default::default()
                        }
                        .insert(self.db)
                        .await?
                        .id
                    }
                };
                self.districts.insert(d.slug.clone(), id);
            }
        }
        self.organizations(&file.organizations).await?;
        self.methods(&file.methods).await?;
        for s in &file.strategies {
            self.strategy(s).await?;
        }
        Ok(())
    }

    async fn organizations(&mut self, orgs: &[OrganizationSeed]) -> anyhow::Result<()> {
        if orgs.is_empty() {
            return Ok(());
        }
        if self.organizations.is_empty() {
            self.organizations = organization::Entity::find()
                .all(self.db)
                .await?
                .into_iter()
                .map(|o| (o.slug, o.id))
                .collect();
        }
        // Parents may come later in the file: insert without parents first.
        let mut new = HashSet::new();
        for o in orgs {
            if self.organizations.contains_key(&o.slug) {
                continue;
            }
            self.report.add("organizations");
            let id = organization::ActiveModel {
                slug: Set(o.slug.clone()),
                name: Set(o.name.clone()),
                kind: Set(o.kind.into()),
                parent_id: Set(None),
                ..Default::default()
            }
            .insert(self.db)
            .await?
            .id;
            self.organizations.insert(o.slug.clone(), id);
            new.insert(o.slug.clone());
        }
        for o in orgs.iter().filter(|o| new.contains(&o.slug)) {
            let id = lookup(&self.organizations, "organization", &o.slug)?;
            if let Some(parent) = &o.parent {
                let parent_id = lookup(&self.organizations, "organization", parent)?;
                organization::ActiveModel {
                    id: Set(id),
                    parent_id: Set(Some(parent_id)),
                    ..Default::default()
                }
                .update(self.db)
                .await?;
            }
            for d in &o.districts {
                let district_id = lookup(&self.districts, "district", d)?;
                self.report.add("organization districts");
                organization_district::ActiveModel {
                    organization_id: Set(id),
                    district_id: Set(district_id),
                }
                .insert(self.db)
                .await?;
            }
        }
        Ok(())
    }

    async fn methods(&mut self, methods: &[MethodSeed]) -> anyhow::Result<()> {
        if methods.is_empty() {
            return Ok(());
        }
        if self.methods.is_empty() {
            self.methods = method::Entity::find()
                .all(self.db)
                .await?
                .into_iter()
                .map(|m| (m.slug, m.id))
                .collect();
        }
        for m in methods {
            if self.methods.contains_key(&m.slug) {
                continue;
            }
            self.report.add("methods");
            let id = method::ActiveModel {
                slug: Set(m.slug.clone()),
                name: Set(m.name.clone()),
                abbreviation: Set(m.abbreviation.clone()),
                description: Set(m.description.clone()),
                ..Default::default()
            }
            .insert(self.db)
            .await?
            .id;
            self.methods.insert(m.slug.clone(), id);
        }
        Ok(())
    }

    async fn strategy(&mut self, s: &StrategySeed) -> anyhow::Result<()> {
        let municipality_id = self
            .municipality
            .ok_or_else(|| anyhow::anyhow!("strategies need a municipality"))?;
        let strategy_id = match strategy::Entity::find()
            .filter(strategy::Column::Slug.eq(&s.slug))
            .one(self.db)
            .await?
        {
            Some(existing) => existing.id,
            None => {
                self.report.add("strategies");
                strategy::ActiveModel {
                    municipality_id: Set(municipality_id),
                    slug: Set(s.slug.clone()),
                    name: Set(s.name.clone()),
                    description: Set(s.description.clone()),
                    start_year: Set(s.start_year),
                    end_year: Set(s.end_year),
                    ..Default::default()
                }
                .insert(self.db)
                .await?
                .id
            }
        };
        self.strategies.insert(s.slug.clone(), strategy_id);
        for pa in &s.priority_areas {
            let pa_id = match priority_area::Entity::find()
                .filter(priority_area::Column::Slug.eq(&pa.slug))
                .one(self.db)
                .await?
            {
                Some(existing) => existing.id,
                None => {
                    self.report.add("priority areas");
                    priority_area::ActiveModel {
                        strategy_id: Set(strategy_id),
                        slug: Set(pa.slug.clone()),
                        name: Set(pa.name.clone()),
                        description: Set(pa.description.clone()),
                        position: Set(pa.position),
                        ..Default::default()
                    }
                    .insert(self.db)
                    .await?
                    .id
                }
            };
            self.priority_areas.insert(pa.slug.clone(), pa_id);
            for fa in &pa.focus_areas {
                let fa_id = match focus_area::Entity::find()
                    .filter(focus_area::Column::Slug.eq(&fa.slug))
                    .one(self.db)
                    .await?
                {
                    Some(existing) => existing.id,
                    None => {
                        self.report.add("focus areas");
                        focus_area::ActiveModel {
                            priority_area_id: Set(pa_id),
                            slug: Set(fa.slug.clone()),
                            name: Set(fa.name.clone()),
                            description: Set(fa.description.clone()),
                            position: Set(fa.position),
                            ..Default::default()
                        }
                        .insert(self.db)
                        .await?
                        .id
                    }
                };
                self.focus_areas.insert(fa.slug.clone(), fa_id);
            }
        }
        Ok(())
    }

    async fn plans_and_groups(&mut self, file: &SeedFile) -> anyhow::Result<()> {
        for plan in &file.action_plans {
            self.action_plan(plan).await?;
        }
        for (position, area) in file.collaboration_areas.iter().enumerate() {
            self.area(area, position as i32 + 1).await?;
        }
        Ok(())
    }

    async fn action_plan(&mut self, plan: &ActionPlanSeed) -> anyhow::Result<()> {
        if action_plan::Entity::find()
            .filter(action_plan::Column::Slug.eq(&plan.slug))
            .one(self.db)
            .await?
            .is_some()
        {
            // Loaded before: its activities may have been edited since. Leave it be.
            return Ok(());
        }
        let district_id = lookup(&self.districts, "district", &plan.district)?;
        let strategy_id = match &plan.strategy {
            Some(s) => Some(lookup(&self.strategies, "strategy", s)?),
            None => None,
        };
        self.report.add("action plans");
        let owner = crate::services::plans::district_administration(self.db, district_id).await?;
        let plan_id = action_plan::ActiveModel {
            district_id: Set(Some(district_id)),
            organization_id: Set(owner),
            strategy_id: Set(strategy_id),
            slug: Set(plan.slug.clone()),
            title: Set(plan.title.clone()),
            description: Set(plan.description.clone()),
            start_year: Set(plan.start_year),
            end_year: Set(plan.end_year),
            version: Set(1),
            created_at: Set(self.now),
            updated_at: Set(self.now),
            ..Default::default()
        }
        .insert(self.db)
        .await?
        .id;
        for (i, a) in plan.activities.iter().enumerate() {
            let priority_area_id = match &a.priority_area {
                Some(s) => Some(lookup(&self.priority_areas, "priority area", s)?),
                None => None,
            };
            let focus_area_id = match &a.focus_area {
                Some(s) => Some(lookup(&self.focus_areas, "focus area", s)?),
                None => None,
            };
            let terms: Vec<Term> = a.follow_up_terms.iter().map(|t| (*t).into()).collect();
            self.report.add("activities");
            let activity_id = activity::ActiveModel {
                action_plan_id: Set(plan_id),
                priority_area_id: Set(priority_area_id),
                focus_area_id: Set(focus_area_id),
                position: Set(i as i32 + 1),
                goal: Set(a.goal.clone()),
                description: Set(a.description.clone()),
                responsible_text: Set(a.responsible_text.clone()),
                timeline: Set(a.timeline.clone()),
                start_year: Set(a.start_year),
                end_year: Set(a.end_year),
                follow_up_schedule: Set(a.follow_up_schedule.clone()),
                follow_up_terms: Set(crate::services::terms::encode(&terms)),
                version: Set(1),
                created_at: Set(self.now),
                updated_at: Set(self.now),
                ..Default::default()
            }
            .insert(self.db)
            .await?
            .id;
            let mut seen = HashSet::new();
            for m in &a.methods {
                if !seen.insert(m) {
                    continue;
                }
                self.report.add("activity methods");
                activity_method::ActiveModel {
                    activity_id: Set(activity_id),
                    method_id: Set(lookup(&self.methods, "method", m)?),
                }
                .insert(self.db)
                .await?;
            }
            for (j, r) in a.responsibilities.iter().enumerate() {
                self.report.add("responsibilities");
                responsibility::ActiveModel {
                    activity_id: Set(activity_id),
                    organization_id: Set(lookup(
                        &self.organizations,
                        "organization",
                        &r.organization,
                    )?),
                    role: Set(r.role.clone()),
                    position: Set(j as i32 + 1),
                    ..Default::default()
                }
                .insert(self.db)
                .await?;
            }
            for f in &a.follow_ups {
                let reported_by = match &f.reported_by {
                    Some(s) => Some(lookup(&self.organizations, "organization", s)?),
                    None => None,
                };
                self.report.add("follow-ups");
                follow_up::ActiveModel {
                    activity_id: Set(activity_id),
                    year: Set(f.year),
                    term: Set(f.term.into()),
                    status: Set(f.status.into()),
                    effects: Set(f.effects.clone()),
                    as_of: Set(f.as_of),
                    reported_by_organization_id: Set(reported_by),
                    reported_by_sub: Set(None),
                    locked: Set(false),
                    version: Set(1),
                    created_at: Set(self.now),
                    updated_at: Set(self.now),
                    ..Default::default()
                }
                .insert(self.db)
                .await?;
            }
        }
        Ok(())
    }

    async fn area(&mut self, area: &AreaSeed, position: i32) -> anyhow::Result<()> {
        let district_id = lookup(&self.districts, "district", &area.district)?;
        let area_id = match collaboration_area::Entity::find()
            .filter(collaboration_area::Column::Slug.eq(&area.slug))
            .one(self.db)
            .await?
        {
            Some(existing) => existing.id,
            None => {
                self.report.add("collaboration areas");
                collaboration_area::ActiveModel {
                    district_id: Set(district_id),
                    slug: Set(area.slug.clone()),
                    name: Set(area.name.clone()),
                    goal: Set(area.goal.clone()),
                    situation: Set(area.situation.clone()),
                    position: Set(position),
                    ..Default::default()
                }
                .insert(self.db)
                .await?
                .id
            }
        };
        for g in &area.groups {
            if collaboration_group::Entity::find()
                .filter(collaboration_group::Column::Slug.eq(&g.slug))
                .one(self.db)
                .await?
                .is_some()
            {
                continue;
            }
            self.report.add("collaboration groups");
            let group_id = collaboration_group::ActiveModel {
                district_id: Set(district_id),
                collaboration_area_id: Set(Some(area_id)),
                slug: Set(g.slug.clone()),
                name: Set(g.name.clone()),
                subtitle: Set(g.subtitle.clone()),
                kind: Set(g.kind.into()),
                purpose: Set(g.purpose.clone()),
                situation: Set(g.situation.clone()),
                term: Set(g.term.clone()),
                term_ends_on: Set(g.term_ends_on),
                meeting_cadence: Set(g.meeting_cadence.clone()),
                convener: Set(g.convener.clone()),
                financing: Set(g.financing.clone()),
                communication: Set(g.communication.clone()),
                follow_up_cadence: Set(g.follow_up_cadence.clone()),
                other_participants: Set(g.other_participants.clone()),
                archived_at: Set(None),
                version: Set(1),
                created_at: Set(self.now),
                updated_at: Set(self.now),
                ..Default::default()
            }
            .insert(self.db)
            .await?
            .id;
            for p in &g.participations {
                self.report.add("participations");
                participation::ActiveModel {
                    group_id: Set(group_id),
                    organization_id: Set(lookup(
                        &self.organizations,
                        "organization",
                        &p.organization,
                    )?),
                    contact_role: Set(p.contact_role.clone()),
                    other_participants: Set(p.other_participants.clone()),
                    is_convener: Set(p.is_convener),
                    version: Set(1),
                    created_at: Set(self.now),
                    updated_at: Set(self.now),
                    ..Default::default()
                }
                .insert(self.db)
                .await?;
            }
            for c in &g.commitments {
                self.report.add("commitments");
                commitment::ActiveModel {
                    group_id: Set(group_id),
                    organization_id: Set(lookup(
                        &self.organizations,
                        "organization",
                        &c.organization,
                    )?),
                    text: Set(c.text.clone()),
                    version: Set(1),
                    created_at: Set(self.now),
                    updated_at: Set(self.now),
                    created_by: Set(Some("seed".into())),
                    updated_by: Set(Some("seed".into())),
                    ..Default::default()
                }
                .insert(self.db)
                .await?;
            }
        }
        Ok(())
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
    }
}
