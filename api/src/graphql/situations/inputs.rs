//! The inputs and payloads of `situations` (see the parent module).

use super::*;

/// A source of a situation picture.
#[derive(InputObject, Debug)]
pub struct SituationSourceInput {
    /// Its kind.
    pub kind: SituationSourceKind,
    /// Its name as written (at most 500 characters).
    pub name: String,
    /// The year of the edition used.
    pub year: Option<i32>,
}

/// A finding of a situation picture (an aggregate fact; never about a person).
#[derive(InputObject, Debug)]
pub struct FindingInput {
    /// On update: an existing finding of the picture (a Finding ID) to keep, so that the
    /// causes pointing to it keep pointing to it; omit for a new finding.
    pub id: Option<ID>,
    /// The finding (at most 8000 characters).
    pub text: String,
    /// The priority area it concerns (a PriorityArea ID).
    pub priority_area: Option<ID>,
    /// The focus area it concerns (a FocusArea ID, of `priorityArea` when both are given).
    pub focus_area: Option<ID>,
}

/// Create a situation picture.
#[derive(InputObject, Debug)]
pub struct CreateSituationPictureInput {
    /// The body that made it (an Organization ID).
    pub organization: ID,
    /// The strategy it was made under (a Strategy ID).
    pub strategy: Option<ID>,
    /// Readable identifier; default: from the body, the year and the title.
    pub slug: Option<String>,
    /// Title (at most 500 characters).
    pub title: String,
    /// The date it describes.
    pub as_of: Option<Date>,
    /// Summary (at most 8000 characters; aggregate facts only).
    pub summary: Option<String>,
    /// Whether it covers the whole city (then name no districts).
    #[graphql(default)]
    pub city_wide: bool,
    /// The districts it covers (District IDs); at least one unless city-wide.
    #[graphql(default)]
    pub districts: Vec<ID>,
    /// Its sources, in order.
    #[graphql(default)]
    pub sources: Vec<SituationSourceInput>,
    /// Its findings, in order (without ids).
    #[graphql(default)]
    pub findings: Vec<FindingInput>,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
}

/// Change a situation picture; omitted fields stay, `null` clears; a list given replaces
/// the whole list.
#[derive(InputObject, Debug)]
pub struct UpdateSituationPictureInput {
    /// The picture (a SituationPicture ID).
    pub id: ID,
    /// The version the edit was based on.
    pub expected_version: i32,
    /// The strategy it was made under (a Strategy ID).
    pub strategy: MaybeUndefined<ID>,
    /// Title.
    pub title: Option<String>,
    /// The date it describes.
    pub as_of: MaybeUndefined<Date>,
    /// Summary.
    pub summary: MaybeUndefined<String>,
    /// Whether it covers the whole city.
    pub city_wide: Option<bool>,
    /// The districts it covers (District IDs); replaces the set.
    pub districts: Option<Vec<ID>>,
    /// Its sources, in order; replaces the list.
    pub sources: Option<Vec<SituationSourceInput>>,
    /// Its findings, in order; replaces the list (findings named by `id` are kept, the
    /// others not listed are removed with the causes' links to them).
    pub findings: Option<Vec<FindingInput>>,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
}

/// The result of a situation picture mutation.
#[derive(SimpleObject, Debug)]
pub struct SituationPicturePayload {
    /// The picture after the change; on a `CONFLICT`, the current picture.
    pub situation_picture: Option<SituationPicture>,
    /// Why nothing was changed, if so.
    pub user_errors: Vec<UserError>,
    /// The input's `clientMutationId`.
    pub client_mutation_id: Option<String>,
}

/// A cause of a cause analysis.
#[derive(InputObject, Debug)]
pub struct CauseInput {
    /// The cause (at most 8000 characters).
    pub text: String,
    /// The findings of the same picture it explains (Finding IDs).
    #[graphql(default)]
    pub findings: Vec<ID>,
}

/// Create the cause analysis of a situation picture, or replace the one it has.
#[derive(InputObject, Debug)]
pub struct SetCauseAnalysisInput {
    /// The picture (a SituationPicture ID).
    pub situation_picture: ID,
    /// The version of the picture's current analysis the edit was based on; omit when it
    /// has none. Stale, or omitted while one exists: `CONFLICT` with the current analysis.
    pub expected_version: Option<i32>,
    /// The date it was made.
    pub as_of: Option<Date>,
    /// Summary (at most 8000 characters).
    pub summary: Option<String>,
    /// Its causes, in order (replace the causes it had).
    #[graphql(default)]
    pub causes: Vec<CauseInput>,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
}

/// The result of a cause analysis mutation.
#[derive(SimpleObject, Debug)]
pub struct CauseAnalysisPayload {
    /// The analysis after the change; on a `CONFLICT`, the current analysis.
    pub cause_analysis: Option<CauseAnalysis>,
    /// Why nothing was changed, if so.
    pub user_errors: Vec<UserError>,
    /// The input's `clientMutationId`.
    pub client_mutation_id: Option<String>,
}
