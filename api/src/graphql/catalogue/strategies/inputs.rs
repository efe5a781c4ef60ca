//! The inputs and payloads of `strategies` (see the parent module).

use super::*;

/// A focus area of a new strategy.
#[derive(InputObject, Debug)]
pub struct FocusAreaInput {
    /// Name.
    pub name: String,
    /// Opening text.
    pub description: Option<String>,
    /// The predecessor strategy's focus area this one continues (a FocusArea ID of the
    /// strategy named in `predecessor`).
    pub continues: Option<ID>,
}

/// A priority area of a new strategy.
#[derive(InputObject, Debug)]
pub struct PriorityAreaInput {
    /// Name.
    pub name: String,
    /// Opening text.
    pub description: Option<String>,
    /// The predecessor strategy's priority area this one continues (a PriorityArea ID of
    /// the strategy named in `predecessor`).
    pub continues: Option<ID>,
    /// Its focus areas, in order.
    #[graphql(default)]
    pub focus_areas: Vec<FocusAreaInput>,
}

/// Add a strategy with its priority and focus areas (admins).
#[derive(InputObject, Debug)]
pub struct CreateStrategyInput {
    /// The municipality (a Municipality ID).
    pub municipality: ID,
    /// Readable identifier; default: from the name and years.
    pub slug: Option<String>,
    /// Name.
    pub name: String,
    /// Summary.
    pub description: Option<String>,
    /// First year.
    pub start_year: i32,
    /// Last year.
    pub end_year: i32,
    /// The strategy this one follows on from (a Strategy ID of the same municipality;
    /// another municipality's is a user error on `input.predecessor`).
    pub predecessor: Option<ID>,
    /// Its priority areas, in order.
    #[graphql(default)]
    pub priority_areas: Vec<PriorityAreaInput>,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
}

/// The result of creating a strategy.
#[derive(SimpleObject, Debug)]
pub struct StrategyPayload {
    /// The new strategy.
    pub strategy: Option<Strategy>,
    /// Why nothing was changed, if so.
    pub user_errors: Vec<UserError>,
    /// The input's `clientMutationId`.
    pub client_mutation_id: Option<String>,
}

/// Add a method to the catalogue (admins).
#[derive(InputObject, Debug)]
pub struct CreateMethodInput {
    /// Readable identifier; default: from the abbreviation or name.
    pub slug: Option<String>,
    /// Name.
    pub name: String,
    /// Short form, e.g. "MVP".
    pub abbreviation: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
}

/// Change a method of the catalogue (admins); omitted fields stay, `null` clears.
#[derive(InputObject, Debug)]
pub struct UpdateMethodInput {
    /// The method (a Method ID).
    pub id: ID,
    /// Name.
    pub name: Option<String>,
    /// Short form.
    pub abbreviation: MaybeUndefined<String>,
    /// Description.
    pub description: MaybeUndefined<String>,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
}

/// The result of a method mutation.
#[derive(SimpleObject, Debug)]
pub struct MethodPayload {
    /// The method after the change.
    pub method: Option<Method>,
    /// Why nothing was changed, if so.
    pub user_errors: Vec<UserError>,
    /// The input's `clientMutationId`.
    pub client_mutation_id: Option<String>,
}
