//! `samverkan generate`: a synthetic, realistic nation for benchmarks.
//!
//! Adds `N` municipalities (`gen-0001` … "Kommun 0001" …) beside the demo data, each with
//! 2–19 districts (about 10 on average, so `N = 290` gives about 3,000), and per district
//! what a real one has: its district administration and local police area (plus the
//! municipality's city-wide administrations, schools, housing companies, transit, a
//! security company and civil society, each serving some districts), 1–3 collaboration
//! areas with 2–6 groups of realistic kinds (2–5 seats and 2–5 commitments each), and
//! two action plans — the 2019–2022 plan and the current one — of 10–30 activities each
//! (priority and focus areas of the demo strategies, methods of the catalogue, 1–3
//! responsibilities, a T1/T2/ANNUAL follow-up schedule), followed up every period that
//! has ended (up to T2 2026) for most activities. Statuses move from planned through
//! ongoing to done, with some paused and a few cancelled.
//!
//! Everything is drawn from one seeded random generator per municipality, so the same
//! seed gives the same nation (row for row, except timestamps and ids). A municipality
//! that is already there is skipped, so a run with a larger `N` adds only the missing
//! ones. Rows go in with multi-row INSERTs (at most [`MAX_PARAMS`] parameters each,
//! below SQLite's 32,766 and PostgreSQL's 65,535), one transaction per municipality;
//! ids are read back by slug (or by plan and position for activities), which works the
//! same on SQLite and PostgreSQL.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::{FollowUpStatus, GroupKind, OrganizationKind, Term};
use entity::*;
use rand::rngs::StdRng;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, SeedableRng};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    Iterable, QueryFilter, QueryOrder, Set, TransactionTrait,
};

/// Parameters of one multi-row INSERT at most.
pub const MAX_PARAMS: usize = 30_000;

/// The last reporting period that has ended in the generated data: T2 2026.
const LAST_YEAR: i32 = 2026;

/// What to generate.
#[derive(Debug, Clone)]
pub struct Options {
    /// How many municipalities.
    pub municipalities: u32,
    /// The seed of the random generator.
    pub seed: u64,
    /// Draw a progress bar on stderr.
    pub progress: bool,
}

/// What a run added.
#[derive(Debug, Default, Clone)]
pub struct Report {
    /// Municipalities generated now.
    pub added: u32,
    /// Municipalities that were there already (skipped).
    pub skipped: u32,
    /// Rows inserted per table, in insertion order.
    pub rows: Vec<(&'static str, u64)>,
    /// How long it took.
    pub elapsed: Duration,
}

impl Report {
    fn add(&mut self, table: &'static str, n: u64) {
        match self.rows.iter_mut().find(|(t, _)| *t == table) {
            Some((_, m)) => *m += n,
            None => self.rows.push((table, n)),
        }
    }

    /// Rows inserted into `table`.
    pub fn rows_of(&self, table: &str) -> u64 {
        self.rows
            .iter()
            .find(|(t, _)| *t == table)
            .map_or(0, |(_, n)| *n)
    }

    /// Rows inserted in all.
    pub fn total(&self) -> u64 {
        self.rows.iter().map(|(_, n)| n).sum()
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let secs = self.elapsed.as_secs_f64();
        writeln!(
            f,
            "generated {} municipalities ({} already there) in {secs:.1} s: {} rows, {:.0} rows/s",
            self.added,
            self.skipped,
            self.total(),
            self.total() as f64 / secs.max(1e-9)
        )?;
        for (table, n) in &self.rows {
            writeln!(f, "  {table:<24} {n:>10}")?;
        }
        Ok(())
    }
}

/// The demo catalogue the generated plans refer to.
struct Catalogue {
    /// The 2019–2022 strategy and the current one.
    strategies: Vec<StrategyRef>,
    methods: Vec<i32>,
}

struct StrategyRef {
    id: i32,
    /// Priority areas with their focus areas.
    priority_areas: Vec<(i32, Vec<i32>)>,
}

/// How a generated plan runs.
struct PlanShape {
    strategy: usize,
    start_year: i32,
    end_year: i32,
    suffix: &'static str,
}

const PLANS: &[PlanShape] = &[
    PlanShape {
        strategy: 0,
        start_year: 2019,
        end_year: 2022,
        suffix: "2019-2022",
    },
    PlanShape {
        strategy: 1,
        start_year: 2023,
        end_year: 2026,
        suffix: "2023-2026",
    },
];

async fn catalogue<C: ConnectionTrait>(db: &C) -> anyhow::Result<Catalogue> {
    let mut strategies = Vec::new();
    for slug in ["stockholm-2019-2022", "stockholm-2024-2026"] {
        let s = strategy::Entity::find()
            .filter(strategy::Column::Slug.eq(slug))
            .one(db)
            .await?
            .ok_or_else(|| anyhow::anyhow!("strategy {slug} missing: load the demo data"))?;
        let pas = priority_area::Entity::find()
            .filter(priority_area::Column::StrategyId.eq(s.id))
            .order_by_asc(priority_area::Column::Position)
            .all(db)
            .await?;
        let mut priority_areas = Vec::new();
        for pa in pas {
            let fas = focus_area::Entity::find()
                .filter(focus_area::Column::PriorityAreaId.eq(pa.id))
                .order_by_asc(focus_area::Column::Position)
                .all(db)
                .await?;
            priority_areas.push((pa.id, fas.into_iter().map(|f| f.id).collect()));
        }
        strategies.push(StrategyRef {
            id: s.id,
            priority_areas,
        });
    }
    let methods = method::Entity::find()
        .order_by_asc(method::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.id)
        .collect();
    Ok(Catalogue {
        strategies,
        methods,
    })
}

/// Fill `db` (migrated, with the demo data) with `options.municipalities` synthetic
/// municipalities.
pub async fn generate(db: &DatabaseConnection, options: &Options) -> anyhow::Result<Report> {
    let started = Instant::now();
    let catalogue = catalogue(db).await?;
    let now = Utc::now();
    let mut report = Report::default();
    let bar = if options.progress {
        let bar = indicatif::ProgressBar::new(u64::from(options.municipalities));
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{elapsed_precise} [{bar:40}] {pos}/{len} municipalities, {msg} ({eta} left)",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    for index in 1..=options.municipalities {
        let slug = format!("gen-{index:04}");
        let exists = municipality::Entity::find()
            .filter(municipality::Column::Slug.eq(&slug))
            .one(db)
            .await?
            .is_some();
        if exists {
            report.skipped += 1;
        } else {
            let mut rng = StdRng::seed_from_u64(
                options.seed ^ u64::from(index).wrapping_mul(0x9E37_79B9_7F4A_7C15),
            );
            let txn = db.begin().await?;
            Municipality::new(index, &catalogue, now)
                .insert(&txn, &mut rng, &mut report)
                .await?;
            txn.commit().await?;
            report.added += 1;
        }
        bar.set_message(format!(
            "{} rows, {} follow-ups",
            report.total(),
            report.rows_of("follow_up")
        ));
        bar.inc(1);
    }
    bar.finish();
    if report.added > 0 {
        // A bulk load leaves the planner's statistics behind (and autovacuum may be off,
        // or not due for a while): without them PostgreSQL picks nested loops for the
        // coverage's joins and runs them 3–4× slower.
        db.execute_unprepared("ANALYZE").await?;
    }
    report.elapsed = started.elapsed();
    Ok(report)
}

/// Insert `rows` with multi-row INSERTs of at most [`MAX_PARAMS`] parameters.
async fn insert_chunked<A, C>(db: &C, rows: Vec<A>) -> Result<u64, DbErr>
where
    A: ActiveModelTrait + Send,
    C: ConnectionTrait,
{
    let columns = <A::Entity as EntityTrait>::Column::iter().count().max(1);
    let per_chunk = (MAX_PARAMS / columns).max(1);
    let mut inserted = 0;
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(per_chunk).collect();
        inserted += chunk.len() as u64;
        <A::Entity as EntityTrait>::insert_many(chunk)
            .exec_without_returning(db)
            .await?;
    }
    Ok(inserted)
}

const PLACE_FIRST: &[&str] = &[
    "Norr", "Söder", "Väster", "Öster", "Ny", "Gamla ", "Berg", "Sjö", "Skog", "Ek", "Björk",
    "Lind", "Hög", "Dal", "Å", "Sand", "Strand", "Kvarn", "Kyrk", "Ängs", "Rosen", "Gran", "Tall",
    "Hammar", "Bro",
];
const PLACE_LAST: &[&str] = &[
    "by", "berga", "holm", "vik", "sta", "tuna", "hem", "dal", "ås", "torp", "lunda", "näs",
    "stad", "hage", "backen", "gården", "sund", "mora", "fors", "hult",
];

const AREA_NAMES: &[&str] = &[
    "Trygg offentlig miljö",
    "Tidiga och samordnade insatser för barn och unga",
    "Skola och fritid som skyddsfaktorer",
    "Våld i nära relationer",
    "Föräldraskapsstöd",
    "Civilsamhälle och näringsliv",
];

const MEETING_CADENCES: &[&str] = &[
    "Varje vecka",
    "Varannan vecka",
    "En gång i månaden",
    "Fyra gånger per termin",
    "Vid behov, minst en gång per kvartal",
];

const GOALS: &[&str] = &[
    "Fler unga i {d} fullföljer grundskolan med godkända betyg.",
    "Minskad otrygghet i {d}s centrum kvällstid.",
    "Tidig upptäckt av barn och unga i riskzon i {d}.",
    "Fler föräldrar i {d} tar del av föräldraskapsstöd.",
    "Minskad nyrekrytering till kriminella nätverk i {d}.",
    "Ökad samverkan mellan skola, socialtjänst och polis i {d}.",
    "Fler meningsfulla fritidsaktiviteter för unga i {d}.",
    "Minskat våld i nära relationer i {d}.",
];

const DESCRIPTIONS: &[&str] = &[
    "Genomföra trygghetsvandringar i {d} tillsammans med bostadsbolagen och polisen.",
    "Fältassistenter arbetar uppsökande på kvällar och helger i {d}.",
    "Erbjuda föräldraskapsstöd enligt ABC till föräldrar med barn i förskoleåldern.",
    "Samordna insatser för unga i riskzon genom SSPF.",
    "Utveckla sommarlovsaktiviteter för unga 13–17 år i {d}.",
    "Sprida information om våld i nära relationer till personal i förskola och skola.",
    "Erbjuda feriejobb till unga i {d} som annars inte söker.",
    "Genomföra MVP-utbildning i högstadiet.",
    "Hålla öppen fritidsgård fredagar och lördagar kvällstid.",
    "Kartlägga platser där unga upplever otrygghet och åtgärda brister i den fysiska miljön.",
    "Ta fram en gemensam lägesbild med polisen varje månad.",
    "Stödja föreningslivets nattvandringar i {d}.",
    "Erbjuda KOMET till föräldrar till barn med utagerande beteende.",
    "Samverka med skolorna kring elever med hög frånvaro.",
    "Erbjuda stöd till unga som vill lämna kriminalitet.",
];

const EFFECTS: &[&str] = &[
    "Aktiviteten pågår enligt plan.",
    "Fler unga har nåtts än under föregående period.",
    "Samverkan med polisen har fördjupats; gemensam lägesbild tas fram varje månad.",
    "Deltagandet har ökat, särskilt bland flickor.",
    "Insatsen har genomförts och utvärderats; resultatet redovisas i verksamhetsberättelsen.",
    "Personalbrist har försenat arbetet något.",
    "Trygghetsmätningen visar en minskad otrygghet i området.",
];

fn contact_role(kind: OrganizationKind) -> &'static str {
    match kind {
        OrganizationKind::DistrictAdministration => "Brottsförebyggande samordnare",
        OrganizationKind::Police => "Kommunpolis",
        OrganizationKind::Education => "Rektor",
        OrganizationKind::CityAdministration => "Socialsekreterare",
        OrganizationKind::Region => "Enhetschef",
        OrganizationKind::HousingCompany => "Trygghetsvärd",
        OrganizationKind::Transit => "Säkerhetsansvarig",
        OrganizationKind::SecurityCompany => "Ordningsvakt",
        OrganizationKind::CivilSociety => "Verksamhetsledare",
        OrganizationKind::Business | OrganizationKind::Other => "Kontaktperson",
    }
}

fn commitment_text(kind: OrganizationKind, group: &str) -> String {
    let what = match kind {
        OrganizationKind::DistrictAdministration => {
            "Sammankalla gruppen, föra minnesanteckningar och följa upp överenskomna insatser."
        }
        OrganizationKind::Police => {
            "Delge lägesbild om ungdomars brottslighet och oroande tendenser varje månad."
        }
        OrganizationKind::Education => {
            "Informera om oro kring elever via elevhälsan och delta med rektor eller kurator."
        }
        OrganizationKind::CityAdministration => {
            "Bidra med socialtjänstens kunskap om unga i riskzon och erbjuda stödinsatser."
        }
        OrganizationKind::HousingCompany => {
            "Rapportera skadegörelse och otrygga platser i bostadsområdena och åtgärda dem."
        }
        OrganizationKind::Transit => "Delge information om händelser i kollektivtrafiken.",
        OrganizationKind::CivilSociety => {
            "Genomföra nattvandringar och erbjuda aktiviteter för unga helger och lov."
        }
        _ => "Delta i gruppens möten och bidra med information inom sitt ansvarsområde.",
    };
    format!("{what} ({group})")
}

fn group_kind_name(kind: GroupKind) -> (&'static str, &'static str, &'static str) {
    // (slug part, name prefix, purpose)
    match kind {
        GroupKind::Sspf => (
            "sspf",
            "SSPF",
            "Samverkan skola, socialtjänst, polis och fritid kring unga i riskzon.",
        ),
        GroupKind::Sig => (
            "sig",
            "SIG",
            "Sociala insatsgrupper för unga som vill lämna kriminalitet.",
        ),
        GroupKind::OperativeBra => (
            "operativt-bra",
            "Operativt BRÅ",
            "Veckovis lägesbild och snabba åtgärder i den offentliga miljön.",
        ),
        GroupKind::LocalBra => (
            "lokalt-bra",
            "Lokalt BRÅ",
            "Strategisk styrgrupp för det brottsförebyggande arbetet.",
        ),
        GroupKind::Bus => (
            "bus",
            "BUS-grupp",
            "Barn och unga i samverkan kring skolfrånvaro.",
        ),
        GroupKind::YouthDeployment => (
            "ungdomsinsats",
            "Ungdomsinsats",
            "Gemensam närvaro på platser där unga samlas kvällstid.",
        ),
        GroupKind::PlaceBased => (
            "platssamverkan",
            "Platssamverkan",
            "Platsbaserad samverkan kring centrum och stationsområdet.",
        ),
        GroupKind::SafetyWalk => (
            "trygghetsvandring",
            "Trygghetsvandring",
            "Trygghetsvandringar med boende, bostadsbolag och polis.",
        ),
        GroupKind::DomesticViolence => (
            "vnr",
            "Samverkan mot våld i nära relationer",
            "Samordning av insatser mot våld i nära relationer.",
        ),
        GroupKind::LocalAgreement => (
            "samverkansoverenskommelse",
            "Samverkansöverenskommelse",
            "Uppföljning av samverkansöverenskommelsen mellan polis och stadsdel.",
        ),
        GroupKind::Other => ("ovrig", "Samverkansgrupp", "Övrig samverkan."),
    }
}

/// Group kinds a district may have, besides SSPF (which nearly every district has).
const OTHER_KINDS: &[GroupKind] = &[
    GroupKind::Sig,
    GroupKind::OperativeBra,
    GroupKind::LocalBra,
    GroupKind::Bus,
    GroupKind::YouthDeployment,
    GroupKind::PlaceBased,
    GroupKind::SafetyWalk,
    GroupKind::DomesticViolence,
    GroupKind::LocalAgreement,
];

/// An organization before it is inserted.
struct OrgDraft {
    slug: String,
    name: String,
    kind: OrganizationKind,
    parent: Option<String>,
    /// Indexes of the districts it serves.
    districts: Vec<usize>,
}

struct Municipality<'a> {
    slug: String,
    name: String,
    catalogue: &'a Catalogue,
    now: DateTime<Utc>,
}

/// The end date of a reporting period.
fn period_end(year: i32, term: Term) -> Option<NaiveDate> {
    match term {
        Term::T1 => NaiveDate::from_ymd_opt(year, 4, 30),
        Term::T2 => NaiveDate::from_ymd_opt(year, 8, 31),
        Term::Annual => NaiveDate::from_ymd_opt(year, 12, 31),
    }
}

fn fill(template: &str, district: &str) -> String {
    template.replace("{d}", district)
}

impl<'a> Municipality<'a> {
    fn new(index: u32, catalogue: &'a Catalogue, now: DateTime<Utc>) -> Self {
        Self {
            slug: format!("gen-{index:04}"),
            name: format!("Kommun {index:04}"),
            catalogue,
            now,
        }
    }

    async fn insert<C: ConnectionTrait>(
        &self,
        db: &C,
        rng: &mut StdRng,
        report: &mut Report,
    ) -> anyhow::Result<()> {
        let now = self.now;
        let p = &self.slug;
        let m_name = &self.name;

        // --- municipality and districts ---------------------------------------------
        let municipality_id = municipality::ActiveModel {
            slug: Set(p.clone()),
            name: Set(m_name.clone()),
            ..Default::default()
        }
        .insert(db)
        .await?
        .id;
        report.add("municipality", 1);

        let n_districts = rng.random_range(2..=19_usize);
        let mut district_names: Vec<String> = Vec::with_capacity(n_districts);
        for _ in 0..n_districts {
            let mut name = String::new();
            for attempt in 0..20 {
                let first = PLACE_FIRST.choose(rng).copied().unwrap_or("Ny");
                let last = PLACE_LAST.choose(rng).copied().unwrap_or("by");
                name = format!("{first}{last}");
                if attempt == 19 {
                    name = format!("{name} {}", district_names.len() + 1);
                }
                if !district_names.contains(&name) {
                    break;
                }
            }
            district_names.push(name);
        }
        let district_slugs: Vec<String> =
            (1..=n_districts).map(|i| format!("{p}-{i:02}")).collect();
        let rows = district_slugs
            .iter()
            .zip(&district_names)
            .map(|(slug, name)| district::ActiveModel {
                municipality_id: Set(municipality_id),
                slug: Set(slug.clone()),
                name: Set(name.clone()),
                ..Default::default()
            })
            .collect();
        report.add("district", insert_chunked(db, rows).await?);
        let district_ids = district::Entity::find()
            .filter(district::Column::MunicipalityId.eq(municipality_id))
            .all(db)
            .await?
            .into_iter()
            .map(|d| (d.slug, d.id))
            .collect::<HashMap<_, _>>();
        let district_id = |i: usize| -> anyhow::Result<i32> {
            district_ids
                .get(&district_slugs[i])
                .copied()
                .ok_or_else(|| anyhow::anyhow!("district {} not read back", district_slugs[i]))
        };

        // --- organizations ------------------------------------------------------------
        let all: Vec<usize> = (0..n_districts).collect();
        let some = |rng: &mut StdRng, max: usize| -> Vec<usize> {
            let k = rng.random_range(1..=max.clamp(1, n_districts));
            let mut picked: Vec<usize> = all.choose_multiple(rng, k).copied().collect();
            picked.sort_unstable();
            picked
        };
        let mut orgs: Vec<OrgDraft> = Vec::new();
        let city = |slug: &str, name: String, kind: OrganizationKind| OrgDraft {
            slug: format!("{p}-{slug}"),
            name,
            kind,
            parent: None,
            districts: all.clone(),
        };
        orgs.push(city(
            "stadsledningskontoret",
            format!("{m_name} stadsledningskontor"),
            OrganizationKind::CityAdministration,
        ));
        orgs.push(city(
            "socialforvaltningen",
            format!("{m_name} socialförvaltning"),
            OrganizationKind::CityAdministration,
        ));
        orgs.push(city(
            "utbildningsforvaltningen",
            format!("{m_name} utbildningsförvaltning"),
            OrganizationKind::Education,
        ));
        orgs.push(city(
            "kulturforvaltningen",
            format!("{m_name} kultur- och fritidsförvaltning"),
            OrganizationKind::CityAdministration,
        ));
        orgs.push(city(
            "polisomrade",
            format!("Polisområde {m_name}"),
            OrganizationKind::Police,
        ));
        orgs.push(city(
            "bup",
            format!("Barn- och ungdomspsykiatrin, {m_name}"),
            OrganizationKind::Region,
        ));
        orgs.push(city(
            "lokaltrafiken",
            format!("Lokaltrafiken i {m_name}"),
            OrganizationKind::Transit,
        ));
        let security = OrgDraft {
            districts: some(rng, n_districts),
            ..city(
                "trygghetsbolaget",
                format!("Trygghetsbolaget {m_name} AB"),
                OrganizationKind::SecurityCompany,
            )
        };
        orgs.push(security);
        let housing_names = ["Bostäder AB", "Hyresbostäder", "Allmännyttan", "Stadshem"];
        for (k, suffix) in housing_names
            .iter()
            .take(rng.random_range(1..=3))
            .enumerate()
        {
            let districts = some(rng, n_districts);
            orgs.push(OrgDraft {
                districts,
                ..city(
                    &format!("bostader-{}", k + 1),
                    format!("{m_name} {suffix}"),
                    OrganizationKind::HousingCompany,
                )
            });
        }
        let civil = [
            "Nattvandrarna",
            "Fryshuset",
            "Röda Korsets ungdomsförbund",
            "Idrottsalliansen",
            "Stiftelsen Unga Vuxna",
            "Fritidsföreningen",
        ];
        for (k, name) in civil.iter().take(rng.random_range(2..=5)).enumerate() {
            let districts = some(rng, 4);
            orgs.push(OrgDraft {
                districts,
                ..city(
                    &format!("civil-{}", k + 1),
                    format!("{name} i {m_name}"),
                    OrganizationKind::CivilSociety,
                )
            });
        }
        if rng.random_bool(0.5) {
            let districts = some(rng, 3);
            orgs.push(OrgDraft {
                districts,
                ..city(
                    "foretagarna",
                    format!("Företagarna i {m_name}"),
                    OrganizationKind::Business,
                )
            });
        }
        for (i, d_name) in district_names.iter().enumerate() {
            let d = i + 1;
            orgs.push(OrgDraft {
                slug: format!("{p}-{d:02}-sdf"),
                name: format!("{d_name} stadsdelsförvaltning"),
                kind: OrganizationKind::DistrictAdministration,
                parent: None,
                districts: vec![i],
            });
            orgs.push(OrgDraft {
                slug: format!("{p}-{d:02}-lpo"),
                name: format!("Lokalpolisområde {d_name}"),
                kind: OrganizationKind::Police,
                parent: Some(format!("{p}-polisomrade")),
                districts: vec![i],
            });
            for s in 1..=rng.random_range(1..=3) {
                let school = ["skolan", "gymnasiet", "skolan F–9"][s - 1];
                orgs.push(OrgDraft {
                    slug: format!("{p}-{d:02}-skola-{s}"),
                    name: format!("{d_name}{school}"),
                    kind: OrganizationKind::Education,
                    parent: Some(format!("{p}-utbildningsforvaltningen")),
                    districts: vec![i],
                });
            }
        }
        // Parents first (they have none themselves), then the rest with their parents.
        let mut org_ids: HashMap<String, i32> = HashMap::new();
        for with_parent in [false, true] {
            let mut rows = Vec::new();
            for o in orgs.iter().filter(|o| o.parent.is_some() == with_parent) {
                let parent_id = match &o.parent {
                    Some(parent) => Some(org_ids.get(parent).copied().ok_or_else(|| {
                        anyhow::anyhow!("parent {parent} of {} not inserted", o.slug)
                    })?),
                    None => None,
                };
                rows.push(organization::ActiveModel {
                    slug: Set(o.slug.clone()),
                    name: Set(o.name.clone()),
                    kind: Set(o.kind),
                    parent_id: Set(parent_id),
                    ..Default::default()
                });
            }
            report.add("organization", insert_chunked(db, rows).await?);
            let slugs: Vec<String> = orgs
                .iter()
                .filter(|o| o.parent.is_some() == with_parent)
                .map(|o| o.slug.clone())
                .collect();
            for o in organization::Entity::find()
                .filter(organization::Column::Slug.is_in(slugs))
                .all(db)
                .await?
            {
                org_ids.insert(o.slug, o.id);
            }
        }
        let org_id = |slug: &str| -> anyhow::Result<i32> {
            org_ids
                .get(slug)
                .copied()
                .ok_or_else(|| anyhow::anyhow!("organization {slug} not read back"))
        };
        let mut rows = Vec::new();
        // Per district: the organizations serving it (index into `orgs`).
        let mut serving: Vec<Vec<usize>> = vec![Vec::new(); n_districts];
        for (k, o) in orgs.iter().enumerate() {
            for &d in &o.districts {
                serving[d].push(k);
                rows.push(organization_district::ActiveModel {
                    organization_id: Set(org_id(&o.slug)?),
                    district_id: Set(district_id(d)?),
                });
            }
        }
        report.add("organization_district", insert_chunked(db, rows).await?);

        // --- collaboration areas and groups --------------------------------------------
        let mut area_rows = Vec::new();
        let mut area_slugs = Vec::new();
        // (district index, area index or none, kind, slug, name)
        let mut groups: Vec<(usize, Option<usize>, GroupKind, String, String)> = Vec::new();
        for (i, d_name) in district_names.iter().enumerate() {
            let n_areas = rng.random_range(1..=3_usize);
            let mut names: Vec<&str> = AREA_NAMES.to_vec();
            names.shuffle(rng);
            let first_area = area_slugs.len();
            for (a, name) in names.iter().take(n_areas).enumerate() {
                let slug = format!("{}-omrade-{}", district_slugs[i], a + 1);
                area_rows.push(collaboration_area::ActiveModel {
                    district_id: Set(district_id(i)?),
                    slug: Set(slug.clone()),
                    name: Set((*name).to_owned()),
                    goal: Set(Some(format!("{name} i {d_name}."))),
                    situation: Set(rng.random_bool(0.5).then(|| {
                        format!("Lägesbilden i {d_name} visar behov av fortsatt samverkan.")
                    })),
                    position: Set(a as i32 + 1),
                    ..Default::default()
                });
                area_slugs.push(slug);
            }
            let n_groups = rng.random_range(2..=6_usize);
            let mut kinds: Vec<GroupKind> = Vec::with_capacity(n_groups);
            if rng.random_bool(0.9) {
                kinds.push(GroupKind::Sspf);
            }
            kinds.extend(
                OTHER_KINDS
                    .choose_multiple(rng, n_groups - kinds.len())
                    .copied(),
            );
            for (g, kind) in kinds.into_iter().enumerate() {
                let (slug_part, prefix, _) = group_kind_name(kind);
                let area = rng
                    .random_bool(0.9)
                    .then(|| first_area + rng.random_range(0..n_areas));
                groups.push((
                    i,
                    area,
                    kind,
                    format!("{}-{slug_part}-{}", district_slugs[i], g + 1),
                    format!("{prefix} {d_name}"),
                ));
            }
        }
        report.add("collaboration_area", insert_chunked(db, area_rows).await?);
        let area_ids: HashMap<String, i32> = collaboration_area::Entity::find()
            .filter(collaboration_area::Column::Slug.is_in(area_slugs.clone()))
            .all(db)
            .await?
            .into_iter()
            .map(|a| (a.slug, a.id))
            .collect();
        let mut group_rows = Vec::new();
        for (i, area, kind, slug, name) in &groups {
            let (_, _, purpose) = group_kind_name(*kind);
            let area_id = match area {
                Some(a) => Some(area_ids.get(&area_slugs[*a]).copied().ok_or_else(|| {
                    anyhow::anyhow!("collaboration area {} not read back", area_slugs[*a])
                })?),
                None => None,
            };
            let start = rng.random_range(2022..=2025);
            group_rows.push(collaboration_group::ActiveModel {
                district_id: Set(district_id(*i)?),
                collaboration_area_id: Set(area_id),
                slug: Set(slug.clone()),
                name: Set(name.clone()),
                subtitle: Set(None),
                kind: Set(*kind),
                purpose: Set(Some(purpose.to_owned())),
                situation: Set(None),
                term: Set(Some(format!("{start}–{}", start + 2))),
                term_ends_on: Set(NaiveDate::from_ymd_opt(start + 2, 12, 31)),
                meeting_cadence: Set(MEETING_CADENCES.choose(rng).map(|s| (*s).to_owned())),
                convener: Set(Some(format!("{} stadsdelsförvaltning", district_names[*i]))),
                financing: Set(rng
                    .random_bool(0.3)
                    .then(|| "Inom ordinarie budget".to_owned())),
                communication: Set(rng
                    .random_bool(0.4)
                    .then(|| "Minnesanteckningar skickas till alla deltagare".to_owned())),
                follow_up_cadence: Set(Some("Årligen i samband med verksamhetsberättelsen".into())),
                other_participants: Set(None),
                archived_at: Set(None),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            });
        }
        report.add("collaboration_group", insert_chunked(db, group_rows).await?);
        let group_ids: HashMap<String, i32> = collaboration_group::Entity::find()
            .filter(
                collaboration_group::Column::Slug
                    .is_in(groups.iter().map(|g| g.3.clone()).collect::<Vec<_>>()),
            )
            .all(db)
            .await?
            .into_iter()
            .map(|g| (g.slug, g.id))
            .collect();

        // --- participations and commitments ---------------------------------------------
        let mut seat_rows = Vec::new();
        let mut commitment_rows = Vec::new();
        for (i, _, kind, slug, name) in &groups {
            let group_id = group_ids
                .get(slug)
                .copied()
                .ok_or_else(|| anyhow::anyhow!("group {slug} not read back"))?;
            let d = i + 1;
            let sdf = format!("{p}-{d:02}-sdf");
            let lpo = format!("{p}-{d:02}-lpo");
            let mut members: Vec<String> = vec![sdf.clone()];
            if matches!(
                kind,
                GroupKind::Sspf | GroupKind::Sig | GroupKind::OperativeBra | GroupKind::LocalBra
            ) || rng.random_bool(0.6)
            {
                members.push(lpo.clone());
            }
            let n_seats = rng.random_range(2..=5_usize);
            let mut others: Vec<&OrgDraft> = serving[*i]
                .iter()
                .map(|&k| &orgs[k])
                .filter(|o| o.slug != sdf && o.slug != lpo)
                .collect();
            others.shuffle(rng);
            for o in others {
                if members.len() >= n_seats {
                    break;
                }
                members.push(o.slug.clone());
            }
            let kind_of = |slug: &str| {
                orgs.iter()
                    .find(|o| o.slug == slug)
                    .map_or(OrganizationKind::Other, |o| o.kind)
            };
            for (k, member) in members.iter().enumerate() {
                seat_rows.push(participation::ActiveModel {
                    group_id: Set(group_id),
                    organization_id: Set(org_id(member)?),
                    contact_role: Set(Some(contact_role(kind_of(member)).to_owned())),
                    other_participants: Set(None),
                    is_convener: Set(k == 0),
                    version: Set(1),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                });
            }
            let n_commitments = rng.random_range(2..=5_usize);
            for k in 0..n_commitments {
                let member = &members[k % members.len()];
                commitment_rows.push(commitment::ActiveModel {
                    group_id: Set(group_id),
                    organization_id: Set(org_id(member)?),
                    text: Set(commitment_text(kind_of(member), name)),
                    version: Set(1),
                    created_at: Set(now),
                    updated_at: Set(now),
                    created_by: Set(Some("generate".into())),
                    updated_by: Set(Some("generate".into())),
                    ..Default::default()
                });
            }
        }
        report.add("participation", insert_chunked(db, seat_rows).await?);
        report.add("commitment", insert_chunked(db, commitment_rows).await?);

        // --- action plans and activities ------------------------------------------------
        let mut plan_rows = Vec::new();
        let mut plan_slugs = Vec::new();
        for (i, d_name) in district_names.iter().enumerate() {
            for shape in PLANS {
                let slug = format!("{}-plan-{}", district_slugs[i], shape.suffix);
                plan_rows.push(action_plan::ActiveModel {
                    district_id: Set(Some(district_id(i)?)),
                    organization_id: Set(Some(org_id(&format!("{p}-{:02}-sdf", i + 1))?)),
                    strategy_id: Set(Some(self.catalogue.strategies[shape.strategy].id)),
                    slug: Set(slug.clone()),
                    title: Set(format!(
                        "Lokal handlingsplan för trygghet och brottsförebyggande arbete i {d_name} {}–{}",
                        shape.start_year, shape.end_year
                    )),
                    description: Set(None),
                    start_year: Set(Some(shape.start_year)),
                    end_year: Set(Some(shape.end_year)),
                    version: Set(1),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                });
                plan_slugs.push((slug, i, shape));
            }
        }
        report.add("action_plan", insert_chunked(db, plan_rows).await?);
        let plan_ids: HashMap<String, i32> = action_plan::Entity::find()
            .filter(
                action_plan::Column::Slug
                    .is_in(plan_slugs.iter().map(|p| p.0.clone()).collect::<Vec<_>>()),
            )
            .all(db)
            .await?
            .into_iter()
            .map(|p| (p.slug, p.id))
            .collect();

        /// An activity before insertion, with what hangs off it.
        struct ActivityDraft {
            plan_id: i32,
            position: i32,
            methods: Vec<i32>,
            responsibilities: Vec<(String, OrganizationKind)>,
            follow_ups: Vec<(i32, Term, FollowUpStatus, Option<String>)>,
        }
        let mut activity_rows = Vec::new();
        let mut drafts = Vec::new();
        for (slug, i, shape) in &plan_slugs {
            let plan_id = plan_ids
                .get(slug)
                .copied()
                .ok_or_else(|| anyhow::anyhow!("plan {slug} not read back"))?;
            let d_name = &district_names[*i];
            let d = i + 1;
            let strategy = &self.catalogue.strategies[shape.strategy];
            let n_activities = rng.random_range(10..=30_i32);
            for position in 1..=n_activities {
                let (pa, fas) = match strategy.priority_areas.choose(rng) {
                    Some((pa, fas)) => (Some(*pa), fas.as_slice()),
                    None => (None, &[][..]),
                };
                let fa = if rng.random_bool(0.8) {
                    fas.choose(rng).copied()
                } else {
                    None
                };
                let (terms, schedule): (&[Term], &str) = match rng.random_range(0..20) {
                    0..15 => (
                        &[Term::T1, Term::T2, Term::Annual],
                        "Tertialvis och i verksamhetsberättelsen",
                    ),
                    15..18 => (&[Term::T2, Term::Annual], "Tertial 2 och årsvis"),
                    _ => (&[Term::Annual], "Årsvis i verksamhetsberättelsen"),
                };
                let n_methods = rng.random_range(0..=3_usize);
                let methods: Vec<i32> = self
                    .catalogue
                    .methods
                    .choose_multiple(rng, n_methods)
                    .copied()
                    .collect();
                let mut responsibilities = Vec::new();
                if rng.random_bool(0.7) {
                    responsibilities.push((
                        format!("{p}-{d:02}-sdf"),
                        OrganizationKind::DistrictAdministration,
                    ));
                }
                let n_resp = rng.random_range(1..=3_usize);
                let mut candidates: Vec<&OrgDraft> =
                    serving[*i].iter().map(|&k| &orgs[k]).collect();
                candidates.shuffle(rng);
                for o in candidates {
                    if responsibilities.len() >= n_resp {
                        break;
                    }
                    if responsibilities.iter().all(|(s, _)| *s != o.slug) {
                        responsibilities.push((o.slug.clone(), o.kind));
                    }
                }
                // Follow-ups: most activities, every scheduled period that has ended,
                // now and then one missing.
                let mut follow_ups = Vec::new();
                if rng.random_bool(0.95) {
                    let mut status = if rng.random_bool(0.3) {
                        FollowUpStatus::Planned
                    } else {
                        FollowUpStatus::Ongoing
                    };
                    for year in shape.start_year..=shape.end_year.min(LAST_YEAR) {
                        for &term in terms {
                            if year == LAST_YEAR && term == Term::Annual {
                                continue;
                            }
                            if !rng.random_bool(0.98) {
                                continue;
                            }
                            let effects =
                                (matches!(status, FollowUpStatus::Ongoing | FollowUpStatus::Done)
                                    && rng.random_bool(0.7))
                                .then(|| EFFECTS.choose(rng).map(|s| (*s).to_owned()))
                                .flatten();
                            follow_ups.push((year, term, status, effects));
                            status = next_status(status, rng);
                        }
                    }
                }
                activity_rows.push(activity::ActiveModel {
                    action_plan_id: Set(plan_id),
                    priority_area_id: Set(pa),
                    focus_area_id: Set(fa),
                    position: Set(position),
                    goal: Set(GOALS.choose(rng).map(|g| fill(g, d_name))),
                    description: Set(DESCRIPTIONS
                        .choose(rng)
                        .map_or_else(String::new, |s| fill(s, d_name))),
                    responsible_text: Set(None),
                    timeline: Set(Some(format!("{}–{}", shape.start_year, shape.end_year))),
                    start_year: Set(Some(shape.start_year)),
                    end_year: Set(Some(shape.end_year)),
                    follow_up_schedule: Set(Some(schedule.to_owned())),
                    follow_up_terms: Set(crate::services::terms::encode(terms)),
                    version: Set(1),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                });
                drafts.push(ActivityDraft {
                    plan_id,
                    position,
                    methods,
                    responsibilities,
                    follow_ups,
                });
            }
        }
        report.add("activity", insert_chunked(db, activity_rows).await?);
        let activity_ids: HashMap<(i32, i32), i32> = activity::Entity::find()
            .filter(
                activity::Column::ActionPlanId
                    .is_in(plan_ids.values().copied().collect::<Vec<_>>()),
            )
            .all(db)
            .await?
            .into_iter()
            .map(|a| ((a.action_plan_id, a.position), a.id))
            .collect();

        let mut method_rows = Vec::new();
        let mut responsibility_rows = Vec::new();
        let mut follow_up_rows = Vec::new();
        for draft in drafts {
            let activity_id = activity_ids
                .get(&(draft.plan_id, draft.position))
                .copied()
                .ok_or_else(|| anyhow::anyhow!("activity not read back"))?;
            for method_id in draft.methods {
                method_rows.push(activity_method::ActiveModel {
                    activity_id: Set(activity_id),
                    method_id: Set(method_id),
                });
            }
            let reporter = match draft.responsibilities.first() {
                Some((slug, _)) => Some(org_id(slug)?),
                None => None,
            };
            for (k, (slug, kind)) in draft.responsibilities.iter().enumerate() {
                responsibility_rows.push(responsibility::ActiveModel {
                    activity_id: Set(activity_id),
                    organization_id: Set(org_id(slug)?),
                    role: Set(Some(contact_role(*kind).to_owned())),
                    position: Set(k as i32 + 1),
                    ..Default::default()
                });
            }
            for (year, term, status, effects) in draft.follow_ups {
                follow_up_rows.push(follow_up::ActiveModel {
                    activity_id: Set(activity_id),
                    year: Set(year),
                    term: Set(term),
                    status: Set(status),
                    effects: Set(effects),
                    as_of: Set(period_end(year, term)),
                    reported_by_organization_id: Set(reporter),
                    reported_by_sub: Set(None),
                    locked: Set(year <= 2024),
                    version: Set(1),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                });
            }
        }
        report.add("activity_method", insert_chunked(db, method_rows).await?);
        report.add(
            "responsibility",
            insert_chunked(db, responsibility_rows).await?,
        );
        report.add("follow_up", insert_chunked(db, follow_up_rows).await?);
        Ok(())
    }
}

/// The status of the next period, skewed towards ongoing and done.
fn next_status(status: FollowUpStatus, rng: &mut StdRng) -> FollowUpStatus {
    use FollowUpStatus::*;
    let roll = rng.random_range(0..100);
    match status {
        Planned => match roll {
            0..70 => Ongoing,
            70..98 => Planned,
            _ => Cancelled,
        },
        Ongoing => match roll {
            0..75 => Ongoing,
            75..90 => Done,
            90..98 => Paused,
            _ => Cancelled,
        },
        Paused => match roll {
            0..60 => Ongoing,
            60..90 => Paused,
            _ => Cancelled,
        },
        Done => Done,
        Cancelled => Cancelled,
    }
}
