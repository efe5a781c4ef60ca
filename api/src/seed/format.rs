//! The shape of the seed files (`data/FORMAT.md`), strictly: an unknown key is an error,
//! so a key the format gains cannot be silently dropped.

use chrono::NaiveDate;
use entity::enums::{
    FollowUpStatus, GroupKind, ObligationKind, OrganizationKind, SourceKind, Term,
};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct SeedFile {
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub municipality: Option<Named>,
    #[serde(default)]
    pub documents: Vec<DocumentSeed>,
    #[serde(default)]
    pub districts: Vec<Named>,
    #[serde(default)]
    pub organizations: Vec<OrganizationSeed>,
    #[serde(default)]
    pub strategies: Vec<StrategySeed>,
    #[serde(default)]
    pub methods: Vec<MethodSeed>,
    #[serde(default)]
    pub obligations: Vec<ObligationSeed>,
    #[serde(default)]
    pub indicators: Vec<IndicatorSeed>,
    #[serde(default)]
    pub measurements: Vec<MeasurementSeed>,
    #[serde(default)]
    pub situation_pictures: Vec<SituationPictureSeed>,
    #[serde(default)]
    pub action_plans: Vec<ActionPlanSeed>,
    #[serde(default)]
    pub collaboration_areas: Vec<AreaSeed>,
    #[serde(default)]
    pub collaboration_groups: Vec<GroupSeed>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Named {
    pub slug: String,
    pub name: String,
}

/// Where a record comes from; without it, "as written" in the file's `source` document.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ProvenanceSeed {
    #[serde(default)]
    pub document: Option<String>,
    pub inferred: bool,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DocumentSeed {
    pub slug: String,
    pub title: String,
    pub file: String,
    pub publisher: Option<String>,
    pub year: Option<i32>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct OrganizationSeed {
    pub slug: String,
    pub name: String,
    pub kind: OrganizationKindSeed,
    pub parent: Option<String>,
    #[serde(default)]
    pub districts: Vec<String>,
    #[serde(default)]
    pub provenance: Option<ProvenanceSeed>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct StrategySeed {
    pub slug: String,
    pub name: String,
    pub description: Option<String>,
    pub start_year: i32,
    pub end_year: i32,
    #[serde(default)]
    pub predecessor: Option<String>,
    pub priority_areas: Vec<AreaOfStrategySeed>,
    #[serde(default)]
    pub provenance: Option<ProvenanceSeed>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct AreaOfStrategySeed {
    pub slug: String,
    pub name: String,
    pub position: i32,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub continues: Option<String>,
    #[serde(default)]
    pub focus_areas: Vec<AreaOfStrategySeed>,
    #[serde(default)]
    pub provenance: Option<ProvenanceSeed>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct MethodSeed {
    pub slug: String,
    pub name: String,
    pub abbreviation: Option<String>,
    pub description: Option<String>,
    #[serde(default)]
    pub provenance: Option<ProvenanceSeed>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct ObligationSeed {
    pub strategy: String,
    pub organization: String,
    pub kind: ObligationKindSeed,
    pub year: Option<i32>,
    pub term: Option<TermSeed>,
    pub due_on: Option<NaiveDate>,
    pub note: Option<String>,
    #[serde(default)]
    pub provenance: Option<ProvenanceSeed>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct IndicatorSeed {
    pub slug: String,
    pub name: String,
    pub unit: Option<String>,
    pub source: Option<String>,
    pub description: Option<String>,
    #[serde(default)]
    pub provenance: Option<ProvenanceSeed>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct MeasurementSeed {
    pub indicator: String,
    pub district: Option<String>,
    pub year: i32,
    pub term: Option<TermSeed>,
    pub value: f64,
    pub note: Option<String>,
    #[serde(default)]
    pub provenance: Option<ProvenanceSeed>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct SituationPictureSeed {
    pub slug: String,
    pub organization: String,
    pub strategy: Option<String>,
    pub title: String,
    pub as_of: Option<NaiveDate>,
    pub summary: Option<String>,
    pub city_wide: bool,
    #[serde(default)]
    pub districts: Vec<String>,
    #[serde(default)]
    pub sources: Vec<SituationSourceSeed>,
    #[serde(default)]
    pub findings: Vec<FindingSeed>,
    pub cause_analysis: Option<CauseAnalysisSeed>,
    #[serde(default)]
    pub provenance: Option<ProvenanceSeed>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SituationSourceSeed {
    pub kind: SourceKindSeed,
    pub name: String,
    pub year: Option<i32>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct FindingSeed {
    pub key: String,
    pub text: String,
    pub priority_area: Option<String>,
    pub focus_area: Option<String>,
    #[serde(default)]
    pub provenance: Option<ProvenanceSeed>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct CauseAnalysisSeed {
    pub as_of: Option<NaiveDate>,
    pub summary: Option<String>,
    #[serde(default)]
    pub causes: Vec<CauseSeed>,
    #[serde(default)]
    pub provenance: Option<ProvenanceSeed>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CauseSeed {
    pub text: String,
    #[serde(default)]
    pub findings: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct ActionPlanSeed {
    pub slug: String,
    pub district: Option<String>,
    pub owner: String,
    pub strategy: Option<String>,
    pub based_on: Option<String>,
    pub title: String,
    pub start_year: Option<i32>,
    pub end_year: Option<i32>,
    pub description: Option<String>,
    #[serde(default)]
    pub targets: Vec<TargetSeed>,
    pub activities: Vec<ActivitySeed>,
    #[serde(default)]
    pub provenance: Option<ProvenanceSeed>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct ActivitySeed {
    pub priority_area: Option<String>,
    pub focus_area: Option<String>,
    pub goal: Option<String>,
    pub description: String,
    #[serde(default)]
    pub methods: Vec<String>,
    #[serde(default)]
    pub responsibilities: Vec<ResponsibilitySeed>,
    pub responsible_text: Option<String>,
    pub timeline: Option<String>,
    pub start_year: Option<i32>,
    pub end_year: Option<i32>,
    pub follow_up_schedule: Option<String>,
    #[serde(default)]
    pub follow_up_terms: Vec<TermSeed>,
    #[serde(default)]
    pub follow_ups: Vec<FollowUpSeed>,
    #[serde(default)]
    pub groups: Vec<String>,
    #[serde(default)]
    pub target_groups: Vec<TargetGroupSeed>,
    #[serde(default)]
    pub targets: Vec<TargetSeed>,
    #[serde(default)]
    pub provenance: Option<ProvenanceSeed>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ResponsibilitySeed {
    pub organization: String,
    pub role: Option<String>,
    #[serde(default)]
    pub provenance: Option<ProvenanceSeed>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct FollowUpSeed {
    pub year: i32,
    pub term: TermSeed,
    pub status: StatusSeed,
    pub effects: Option<String>,
    pub as_of: Option<NaiveDate>,
    pub reported_by: Option<String>,
    #[serde(default)]
    pub provenance: Option<ProvenanceSeed>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct TargetGroupSeed {
    pub label: String,
    pub age_from: Option<i32>,
    pub age_to: Option<i32>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct TargetSeed {
    pub indicator: String,
    pub baseline: Option<f64>,
    pub baseline_year: Option<i32>,
    pub value: Option<f64>,
    pub year: Option<i32>,
    pub text: Option<String>,
    #[serde(default)]
    pub provenance: Option<ProvenanceSeed>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct AreaSeed {
    pub slug: String,
    pub district: String,
    pub name: String,
    pub goal: Option<String>,
    pub situation: Option<String>,
    pub groups: Vec<GroupSeed>,
    #[serde(default)]
    pub provenance: Option<ProvenanceSeed>,
}

/// A group, inside a collaboration area (no `district`: the area's) or top-level
/// (`collaborationGroups`, with its `district`).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct GroupSeed {
    pub slug: String,
    #[serde(default)]
    pub district: Option<String>,
    pub name: String,
    pub kind: GroupKindSeed,
    #[serde(default)]
    pub kinds: Vec<GroupKindSeed>,
    pub subtitle: Option<String>,
    pub purpose: Option<String>,
    pub situation: Option<String>,
    pub term: Option<String>,
    pub term_ends_on: Option<NaiveDate>,
    #[serde(default)]
    pub valid_from: Option<NaiveDate>,
    #[serde(default)]
    pub valid_until: Option<NaiveDate>,
    #[serde(default)]
    pub source_plan: Option<String>,
    pub meeting_cadence: Option<String>,
    pub convener: Option<String>,
    pub financing: Option<String>,
    pub communication: Option<String>,
    pub follow_up_cadence: Option<String>,
    #[serde(default)]
    pub follow_up_terms: Vec<TermSeed>,
    pub other_participants: Option<String>,
    pub participations: Vec<ParticipationSeed>,
    pub commitments: Vec<CommitmentSeed>,
    #[serde(default)]
    pub provenance: Option<ProvenanceSeed>,
}

impl GroupSeed {
    /// Every kind as written, the first being `kind` (a file without `kinds`: just `kind`).
    pub fn all_kinds(&self) -> Vec<GroupKind> {
        let mut kinds: Vec<GroupKind> = vec![self.kind.into()];
        for k in &self.kinds {
            let k: GroupKind = (*k).into();
            if !kinds.contains(&k) {
                kinds.push(k);
            }
        }
        kinds
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct ParticipationSeed {
    pub organization: String,
    pub contact_role: Option<String>,
    pub other_participants: Option<String>,
    pub is_convener: bool,
    #[serde(default)]
    pub attendance: Option<String>,
    #[serde(default)]
    pub provenance: Option<ProvenanceSeed>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CommitmentSeed {
    pub organization: String,
    pub text: String,
    #[serde(default)]
    pub provenance: Option<ProvenanceSeed>,
}

/// A seed enum mirrored onto the entity's (the entities' enums do not deserialize).
macro_rules! seed_enum {
    ($seed:ident => $target:ident { $($variant:ident = $name:literal),* $(,)? }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
        pub(super) enum $seed {
            $(#[serde(rename = $name)] $variant,)*
        }

        impl From<$seed> for $target {
            fn from(k: $seed) -> Self {
                match k {
                    $($seed::$variant => Self::$variant,)*
                }
            }
        }
    };
}

seed_enum!(OrganizationKindSeed => OrganizationKind {
    DistrictAdministration = "DISTRICT_ADMINISTRATION",
    Police = "POLICE",
    Education = "EDUCATION",
    CityAdministration = "CITY_ADMINISTRATION",
    Region = "REGION",
    HousingCompany = "HOUSING_COMPANY",
    Transit = "TRANSIT",
    SecurityCompany = "SECURITY_COMPANY",
    CivilSociety = "CIVIL_SOCIETY",
    Business = "BUSINESS",
    Other = "OTHER",
});

seed_enum!(TermSeed => Term { T1 = "T1", T2 = "T2", Annual = "ANNUAL" });

seed_enum!(StatusSeed => FollowUpStatus {
    Planned = "PLANNED",
    Ongoing = "ONGOING",
    Done = "DONE",
    Paused = "PAUSED",
    Cancelled = "CANCELLED",
});

seed_enum!(GroupKindSeed => GroupKind {
    Sspf = "SSPF",
    Sig = "SIG",
    OperativeBra = "OPERATIVE_BRA",
    LocalBra = "LOCAL_BRA",
    Bus = "BUS",
    YouthDeployment = "YOUTH_DEPLOYMENT",
    PlaceBased = "PLACE_BASED",
    SafetyWalk = "SAFETY_WALK",
    DomesticViolence = "DOMESTIC_VIOLENCE",
    LocalAgreement = "LOCAL_AGREEMENT",
    Other = "OTHER",
});

seed_enum!(ObligationKindSeed => ObligationKind {
    SituationPicture = "SITUATION_PICTURE",
    CauseAnalysis = "CAUSE_ANALYSIS",
    ActionPlan = "ACTION_PLAN",
    FollowUp = "FOLLOW_UP",
});

seed_enum!(SourceKindSeed => SourceKind {
    SafetySurvey = "SAFETY_SURVEY",
    StockholmSurvey = "STOCKHOLM_SURVEY",
    SocialServicesReport = "SOCIAL_SERVICES_REPORT",
    PoliceSituationPicture = "POLICE_SITUATION_PICTURE",
    Other = "OTHER",
});

/// Terms as the entity stores them.
pub(super) fn terms(terms: &[TermSeed]) -> Vec<Term> {
    terms.iter().map(|t| (*t).into()).collect()
}
