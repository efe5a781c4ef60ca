//! The inputs and payloads of `groups` (see the parent module).

use super::*;

/// Filters of the `collaborationGroups` list.
#[derive(InputObject, Debug, Default, Clone)]
pub struct CollaborationGroupFilterInput {
    /// Groups of this district (a District ID).
    pub district: Option<ID>,
    /// Groups of this kind: any of their `kinds`.
    pub kind: Option<GroupKind>,
    /// Groups this organization takes part in (an Organization ID).
    pub organization: Option<ID>,
    /// Include archived groups (default false).
    #[graphql(default = false)]
    pub include_archived: bool,
    /// Groups valid on this day: their validFrom/validUntil cover it (an unset bound is
    /// open).
    pub valid_on: Option<crate::graphql::scalars::Date>,
}

/// Create a collaboration area in a district.
#[derive(InputObject, Debug)]
pub struct CreateCollaborationAreaInput {
    /// The district (a District ID).
    pub district: ID,
    /// Readable identifier; default: from the district and the name.
    pub slug: Option<String>,
    /// Name, e.g. "Skolan som brottsplats".
    pub name: String,
    /// Övergripande mål och syfte.
    pub goal: Option<String>,
    /// Lägesbild.
    pub situation: Option<String>,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
}

/// The result of creating a collaboration area.
#[derive(SimpleObject, Debug)]
pub struct CollaborationAreaPayload {
    /// The new area.
    pub collaboration_area: Option<CollaborationArea>,
    /// Why nothing was changed, if so.
    pub user_errors: Vec<UserError>,
    /// The input's `clientMutationId`.
    pub client_mutation_id: Option<String>,
}

/// Create a collaboration group in a district.
#[derive(InputObject, Debug)]
pub struct CreateCollaborationGroupInput {
    /// The district (a District ID).
    pub district: ID,
    /// The area it is organised under (a CollaborationArea ID of the same district).
    pub area: Option<ID>,
    /// Readable identifier; default: from the district and the name.
    pub slug: Option<String>,
    /// Name.
    pub name: String,
    /// Kind (the first of its kinds). Give `kind`, `kinds` or both (then `kind` is
    /// `kinds`' first); neither is a `BAD_USER_INPUT` user error.
    pub kind: Option<GroupKind>,
    /// Second heading.
    pub subtitle: Option<String>,
    /// Mål och syfte.
    pub purpose: Option<String>,
    /// Lägesbild.
    pub situation: Option<String>,
    /// Löptid as written (e.g. "Tillsvidare").
    pub term: Option<String>,
    /// The date the term ends, when it is a date.
    pub term_ends_on: Option<crate::graphql::scalars::Date>,
    /// Mötesfrekvens.
    pub meeting_cadence: Option<String>,
    /// Sammankallande.
    pub convener: Option<String>,
    /// Finansiering.
    pub financing: Option<String>,
    /// Kommunikation.
    pub communication: Option<String>,
    /// Uppföljning.
    pub follow_up_cadence: Option<String>,
    /// Övriga deltagare.
    pub other_participants: Option<String>,
    /// Every kind the group is of, as written, the first being its `kind` (no repeats).
    pub kinds: Option<Vec<GroupKind>>,
    /// First day the group is valid.
    pub valid_from: Option<crate::graphql::scalars::Date>,
    /// Last day the group is valid (not before `validFrom`).
    pub valid_until: Option<crate::graphql::scalars::Date>,
    /// The action plan it comes from (an ActionPlan ID of the same district, or of no
    /// district).
    pub source_plan: Option<ID>,
    /// The reporting points its follow-up asks for.
    #[graphql(default)]
    pub follow_up_terms: Vec<Term>,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
}

/// Change a collaboration group; omitted fields stay, `null` clears.
#[derive(InputObject, Debug)]
pub struct UpdateCollaborationGroupInput {
    /// The group (a CollaborationGroup ID).
    pub id: ID,
    /// The version the edit was based on.
    pub expected_version: i32,
    /// The area it is organised under.
    pub area: MaybeUndefined<ID>,
    /// Name.
    pub name: Option<String>,
    /// Kind: becomes the first of its kinds, the others staying after it.
    pub kind: Option<GroupKind>,
    /// Second heading.
    pub subtitle: MaybeUndefined<String>,
    /// Mål och syfte.
    pub purpose: MaybeUndefined<String>,
    /// Lägesbild.
    pub situation: MaybeUndefined<String>,
    /// Löptid as written.
    pub term: MaybeUndefined<String>,
    /// The date the term ends.
    pub term_ends_on: MaybeUndefined<crate::graphql::scalars::Date>,
    /// Mötesfrekvens.
    pub meeting_cadence: MaybeUndefined<String>,
    /// Sammankallande.
    pub convener: MaybeUndefined<String>,
    /// Finansiering.
    pub financing: MaybeUndefined<String>,
    /// Kommunikation.
    pub communication: MaybeUndefined<String>,
    /// Uppföljning.
    pub follow_up_cadence: MaybeUndefined<String>,
    /// Övriga deltagare.
    pub other_participants: MaybeUndefined<String>,
    /// Every kind, as written (replaces the list; the first becomes `kind`; if `kind` is
    /// given too, it must be the first).
    pub kinds: Option<Vec<GroupKind>>,
    /// First day the group is valid.
    pub valid_from: MaybeUndefined<crate::graphql::scalars::Date>,
    /// Last day the group is valid.
    pub valid_until: MaybeUndefined<crate::graphql::scalars::Date>,
    /// The action plan it comes from (an ActionPlan ID).
    pub source_plan: MaybeUndefined<ID>,
    /// The reporting points its follow-up asks for (replaces the list).
    pub follow_up_terms: Option<Vec<Term>>,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
}

/// The result of a collaboration group mutation.
#[derive(SimpleObject, Debug)]
pub struct CollaborationGroupPayload {
    /// The group after the change; on a `CONFLICT`, the current group.
    pub collaboration_group: Option<CollaborationGroup>,
    /// Why nothing was changed, if so.
    pub user_errors: Vec<UserError>,
    /// The input's `clientMutationId`.
    pub client_mutation_id: Option<String>,
}
