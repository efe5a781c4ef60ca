//! Enumerations stored as short upper-case strings.

use sea_orm::entity::prelude::*;

/// What kind of body an organization is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, serde::Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum OrganizationKind {
    #[sea_orm(string_value = "DISTRICT_ADMINISTRATION")]
    DistrictAdministration,
    #[sea_orm(string_value = "POLICE")]
    Police,
    #[sea_orm(string_value = "EDUCATION")]
    Education,
    #[sea_orm(string_value = "CITY_ADMINISTRATION")]
    CityAdministration,
    #[sea_orm(string_value = "REGION")]
    Region,
    #[sea_orm(string_value = "HOUSING_COMPANY")]
    HousingCompany,
    #[sea_orm(string_value = "TRANSIT")]
    Transit,
    #[sea_orm(string_value = "SECURITY_COMPANY")]
    SecurityCompany,
    #[sea_orm(string_value = "CIVIL_SOCIETY")]
    CivilSociety,
    #[sea_orm(string_value = "BUSINESS")]
    Business,
    #[sea_orm(string_value = "OTHER")]
    Other,
}

/// What kind of collaboration group a group is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, serde::Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum GroupKind {
    #[sea_orm(string_value = "SSPF")]
    Sspf,
    #[sea_orm(string_value = "SIG")]
    Sig,
    #[sea_orm(string_value = "OPERATIVE_BRA")]
    OperativeBra,
    #[sea_orm(string_value = "LOCAL_BRA")]
    LocalBra,
    #[sea_orm(string_value = "BUS")]
    Bus,
    #[sea_orm(string_value = "YOUTH_DEPLOYMENT")]
    YouthDeployment,
    #[sea_orm(string_value = "PLACE_BASED")]
    PlaceBased,
    #[sea_orm(string_value = "SAFETY_WALK")]
    SafetyWalk,
    #[sea_orm(string_value = "DOMESTIC_VIOLENCE")]
    DomesticViolence,
    #[sea_orm(string_value = "LOCAL_AGREEMENT")]
    LocalAgreement,
    #[sea_orm(string_value = "OTHER")]
    Other,
}

/// The status of an activity as reported in a follow-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, serde::Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum FollowUpStatus {
    #[sea_orm(string_value = "PLANNED")]
    Planned,
    #[sea_orm(string_value = "ONGOING")]
    Ongoing,
    #[sea_orm(string_value = "DONE")]
    Done,
    #[sea_orm(string_value = "PAUSED")]
    Paused,
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
}

/// The city's reporting points of a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, serde::Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum Term {
    /// Tertialrapport 1 (January–April).
    #[sea_orm(string_value = "T1")]
    T1,
    /// Tertialrapport 2 (May–August).
    #[sea_orm(string_value = "T2")]
    T2,
    /// Verksamhetsberättelse, the whole year.
    #[sea_orm(string_value = "ANNUAL")]
    Annual,
}

/// What a strategy requires a body to deliver (strategy 2024–2026, section 5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, serde::Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum ObligationKind {
    /// A local situation picture (lägesbild).
    #[sea_orm(string_value = "SITUATION_PICTURE")]
    SituationPicture,
    /// A cause analysis (orsaksanalys) made from the situation picture.
    #[sea_orm(string_value = "CAUSE_ANALYSIS")]
    CauseAnalysis,
    /// An action plan (åtgärdsplan) resting on the analysis.
    #[sea_orm(string_value = "ACTION_PLAN")]
    ActionPlan,
    /// A tertial follow-up of the plan (the obligation's year and term say which).
    #[sea_orm(string_value = "FOLLOW_UP")]
    FollowUp,
}

/// The kind of source a situation picture rests on (strategy 2024–2026, section 5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, serde::Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum SourceKind {
    /// Stadens trygghetsmätning.
    #[sea_orm(string_value = "SAFETY_SURVEY")]
    SafetySurvey,
    /// Stockholmsenkäten.
    #[sea_orm(string_value = "STOCKHOLM_SURVEY")]
    StockholmSurvey,
    /// Socialtjänstrapporten.
    #[sea_orm(string_value = "SOCIAL_SERVICES_REPORT")]
    SocialServicesReport,
    /// The police's situation picture (Polisens lägesbild).
    #[sea_orm(string_value = "POLICE_SITUATION_PICTURE")]
    PoliceSituationPicture,
    /// Any other source, named in `name`.
    #[sea_orm(string_value = "OTHER")]
    Other,
}
