//! What a request must pass before it runs, and the codes of the errors async-graphql
//! itself makes.
//!
//! Every operation — over HTTP (`POST`/`GET /graphql`) and over WebSocket — goes through
//! [`RequestChecks::prepare`] before execution and [`with_codes`] after it:
//!
//! 1. **Parse** the document (once per distinct text: a checked document is kept by its
//!    text, see [`RequestChecks`]). A document that does not parse is refused with
//!    `GRAPHQL_PARSE_FAILED`.
//! 2. **Text input** is normalized to NFC and text holding U+0000 is refused
//!    (`BAD_USER_INPUT`), in variables and literals alike (see [`super::input_text`]).
//! 3. **Limits** on the shape of the document, counted with fragments expanded where
//!    they are spread: the depth of fields (`SAMVERKAN_MAX_DEPTH`; the fields under
//!    `__schema` and `__type` do not count, so that the introspection query of every
//!    standard client is answered while data fields stay guarded), the number of
//!    aliased fields (`SAMVERKAN_MAX_ALIASES`: aliasing an expensive field a hundred
//!    times is refused before anything runs) and the number of fields at all (a guard
//!    against fragments spread into each other exponentially). Refusals carry
//!    `QUERY_LIMIT_EXCEEDED` and `extensions.limit` (`depth`, `aliases`, `fields`; the
//!    cost limit, checked by async-graphql's validation, is `cost`; the recursion and
//!    directive limits are `recursion` and `directives`).
//! 4. **Introspection off** (production): a document asking for `__schema` or `__type`
//!    is refused with `GRAPHQL_VALIDATION_FAILED` instead of answering `null`.
//!
//! After execution, [`with_codes`] gives every error without `extensions.code` the code
//! of what went wrong: `GRAPHQL_VALIDATION_FAILED` for a document that is not valid
//! against the schema, `BAD_USER_INPUT` for a variable or argument value that does not
//! fit its type (a malformed `Date` included), `OPERATION_RESOLUTION_FAILURE` when
//! `operationName` does not pick an operation, `QUERY_LIMIT_EXCEEDED` for the limits
//! async-graphql checks itself; anything else is `INTERNAL` (and logged).

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, Field, OperationDefinition, Selection, SelectionSet,
};
use async_graphql::{ErrorExtensionValues, Name, Pos, Positioned, ServerError, Value};

use super::input_text::{normalize_document, normalize_variables};
use crate::error::{AppError, ErrorCode};

/// The limits on a document's shape.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Deepest nesting of fields (a root field is depth 1), introspection not counted.
    pub max_depth: usize,
    /// Most aliased fields in one operation, fragments expanded.
    pub max_aliases: usize,
    /// Most fields in one operation, fragments expanded.
    pub max_fields: usize,
    /// Deepest nesting of selection sets, fragments included (introspection too).
    pub max_recursive_depth: usize,
    /// Whether `__schema` and `__type` may be asked for.
    pub introspection: bool,
}

/// Checks requests, and keeps the documents that passed by their text.
///
/// Frontends and scripts send the same few documents over and over; parsing and
/// checking one is a few per cent of a dashboard request's CPU. A document that passed
/// is kept (at most [`RequestChecks::MAX_DOCUMENTS`] of at most
/// [`RequestChecks::MAX_LENGTH`] bytes; when full, the cache starts afresh) with its
/// literals already normalized. Variables are checked on every request. async-graphql's
/// validation keeps its results by the same text and the same bounds (the schema's
/// `validation_cache`, a patch of the vendored copy): a text that passed is validated
/// again only where the request's variable values matter — the arguments they are
/// passed to and the cost limit.
#[derive(Debug)]
pub struct RequestChecks {
    limits: Limits,
    documents: Mutex<HashMap<String, ExecutableDocument>>,
    /// Automatic persisted queries (Apollo's protocol): query texts by their SHA-256,
    /// when on.
    persisted: Option<Mutex<HashMap<String, String>>>,
}

impl RequestChecks {
    /// Documents kept at most.
    pub(crate) const MAX_DOCUMENTS: usize = 256;
    /// Longest document kept, in bytes.
    pub(crate) const MAX_LENGTH: usize = 16 * 1024;

    /// Persisted query texts kept at most (when full, the store starts afresh and
    /// clients send their texts again, as the protocol foresees).
    const MAX_PERSISTED: usize = 1024;

    /// Checks with these limits; `persisted_queries` turns on Apollo's automatic
    /// persisted queries.
    pub fn new(limits: Limits, persisted_queries: bool) -> Self {
        Self {
            limits,
            documents: Mutex::new(HashMap::new()),
            persisted: persisted_queries.then(|| Mutex::new(HashMap::new())),
        }
    }

    /// Check `request` and give it its parsed, normalized document; or the errors
    /// (each with `extensions.code`) that refuse it.
    pub fn prepare(&self, request: &mut async_graphql::Request) -> Result<(), Vec<ServerError>> {
        self.resolve_persisted(request).map_err(|e| vec![e])?;
        normalize_variables(&mut request.variables)?;
        let cacheable = request.query.len() <= Self::MAX_LENGTH;
        if cacheable {
            let cached = self
                .documents
                .lock()
                .ok()
                .and_then(|docs| docs.get(&request.query).cloned());
            if let Some(doc) = cached {
                required_variables(&doc, request)?;
                request.set_parsed_query(doc);
                return Ok(());
            }
        }
        let mut doc = match async_graphql::parser::parse_query(&request.query) {
            Ok(doc) => doc,
            Err(err) => {
                let err = ServerError::from(err);
                return Err(vec![
                    ErrorCode::ParseFailed
                        .request_error(err.message.trim(), err.locations.first().copied()),
                ]);
            }
        };
        normalize_document(&mut doc)?;
        check_shape(&doc, &self.limits)?;
        if cacheable && let Ok(mut docs) = self.documents.lock() {
            if docs.len() >= Self::MAX_DOCUMENTS {
                docs.clear();
            }
            docs.insert(request.query.clone(), doc.clone());
        }
        required_variables(&doc, request)?;
        request.set_parsed_query(doc);
        Ok(())
    }
}

/// The operation of `doc` that `operationName` `name` chooses (GraphQL spec 6.1,
/// GetOperation), if it chooses one: without a name the only operation; with a name the
/// named one (an anonymous operation has no name to match).
pub(crate) fn chosen_operation<'d>(
    doc: &'d ExecutableDocument,
    name: Option<&str>,
) -> Option<&'d Positioned<OperationDefinition>> {
    match (&doc.operations, name) {
        (DocumentOperations::Single(op), None) => Some(op),
        (DocumentOperations::Single(_), Some(_)) => None,
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => ops.values().next(),
        (DocumentOperations::Multiple(_), None) => None,
    }
}

/// Refuse a request that leaves out a variable of a non-null type without a default
/// (GraphQL spec 6.4.1, CoerceVariableValues): `BAD_USER_INPUT` naming the variable.
/// (Values of the wrong type are found by async-graphql's validation.)
fn required_variables(
    doc: &ExecutableDocument,
    request: &async_graphql::Request,
) -> Result<(), Vec<ServerError>> {
    let Some(operation) = chosen_operation(doc, request.operation_name.as_deref()) else {
        return Ok(());
    };
    let missing: Vec<ServerError> = operation
        .node
        .variable_definitions
        .iter()
        .filter(|def| {
            let def = &def.node;
            !def.var_type.node.nullable
                && def.default_value.is_none()
                && request
                    .variables
                    .get(&def.name.node)
                    .is_none_or(|v| *v == Value::Null)
        })
        .map(|def| {
            let name = &def.node.name.node;
            AppError::bad_input(
                format!("${name}"),
                format!(
                    "Variable \"${name}\" of required type \"{}\" was not provided.",
                    def.node.var_type.node
                ),
            )
            .into_server_error(Some(def.pos))
        })
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(missing)
    }
}

impl RequestChecks {
    /// Automatic persisted queries: a request with
    /// `extensions.persistedQuery = {version: 1, sha256Hash}` and no query runs the text
    /// registered under that hash (or is refused with `PersistedQueryNotFound`, code
    /// `PERSISTED_QUERY_NOT_FOUND`, and the client sends the text); with the text, the
    /// text is registered if the hash is its SHA-256.
    fn resolve_persisted(&self, request: &mut async_graphql::Request) -> Result<(), ServerError> {
        let Some(store) = &self.persisted else {
            return Ok(());
        };
        let Some(Value::Object(ext)) = request.extensions.get("persistedQuery") else {
            return Ok(());
        };
        let Some(Value::String(hash)) = ext.get("sha256Hash") else {
            return Err(
                ErrorCode::BadUserInput.request_error("persistedQuery needs a sha256Hash", None)
            );
        };
        let hash = hash.to_ascii_lowercase();
        let mut store = match store.lock() {
            Ok(s) => s,
            Err(poisoned) => poisoned.into_inner(),
        };
        if request.query.is_empty() {
            match store.get(&hash) {
                Some(text) => request.query = text.clone(),
                None => {
                    return Err(ErrorCode::PersistedQueryNotFound
                        .request_error("PersistedQueryNotFound", None));
                }
            }
        } else {
            if crate::allowlist::sha256_hex(&request.query) != hash {
                return Err(ErrorCode::BadUserInput
                    .request_error("provided sha256Hash does not match the query", None));
            }
            if store.len() >= Self::MAX_PERSISTED {
                store.clear();
            }
            store.insert(hash, request.query.clone());
        }
        request.extensions.remove("persistedQuery");
        Ok(())
    }
}

/// A limit refusal: `QUERY_LIMIT_EXCEEDED` with `extensions.limit`.
fn limit_error(limit: &str, message: String, pos: Option<Pos>) -> ServerError {
    let mut err = ErrorCode::LimitExceeded.request_error(message, pos);
    if let Some(ext) = err.extensions.as_mut() {
        ext.set("limit", limit);
    }
    err
}

// ---------------------------------------------------------------------------------------
// Limits on the document's shape

/// What one walk over an operation counts.
struct Shape<'a> {
    doc: &'a ExecutableDocument,
    limits: &'a Limits,
    fields: usize,
    aliases: usize,
    /// Fragments being expanded (a cycle is left to validation to report).
    expanding: HashSet<&'a Name>,
}

impl<'a> Shape<'a> {
    /// Walk a selection set at `depth`; `guarded` is false under an introspection
    /// field, where depth is not limited.
    fn walk(
        &mut self,
        set: &'a Positioned<SelectionSet>,
        depth: usize,
        nesting: usize,
        guarded: bool,
    ) -> Result<(), ServerError> {
        if nesting > self.limits.max_recursive_depth {
            return Err(limit_error(
                "recursion",
                format!(
                    "The recursion depth of the query cannot be greater than `{}`",
                    self.limits.max_recursive_depth
                ),
                Some(set.pos),
            ));
        }
        for selection in &set.node.items {
            match &selection.node {
                Selection::Field(field) => self.field(field, depth + 1, nesting, guarded)?,
                Selection::FragmentSpread(spread) => {
                    let name = &spread.node.fragment_name.node;
                    let Some(fragment) = self.doc.fragments.get(name) else {
                        continue;
                    };
                    if self.expanding.insert(name) {
                        self.walk(&fragment.node.selection_set, depth, nesting + 1, guarded)?;
                        self.expanding.remove(name);
                    }
                }
                Selection::InlineFragment(inline) => {
                    self.walk(&inline.node.selection_set, depth, nesting + 1, guarded)?;
                }
            }
        }
        Ok(())
    }

    fn field(
        &mut self,
        field: &'a Positioned<Field>,
        depth: usize,
        nesting: usize,
        guarded: bool,
    ) -> Result<(), ServerError> {
        let limits = self.limits;
        let name = field.node.name.node.as_str();
        let introspection = name == "__schema" || name == "__type";
        if introspection && !limits.introspection {
            return Err(ErrorCode::ValidationFailed.request_error(
                format!(
                    "introspection is off on this server: `{name}` cannot be asked for \
                     (the schema is published as schema.graphql)"
                ),
                Some(field.pos),
            ));
        }
        self.fields += 1;
        if self.fields > limits.max_fields {
            return Err(limit_error(
                "fields",
                format!(
                    "the query asks for more than {} fields (fragments counted where they are spread)",
                    limits.max_fields
                ),
                Some(field.pos),
            ));
        }
        if field.node.alias.is_some() {
            self.aliases += 1;
            if self.aliases > limits.max_aliases {
                return Err(limit_error(
                    "aliases",
                    format!(
                        "the query has more than {} aliased fields",
                        limits.max_aliases
                    ),
                    Some(field.pos),
                ));
            }
        }
        if guarded && depth > limits.max_depth {
            return Err(limit_error(
                "depth",
                format!(
                    "the query is nested deeper than {} fields",
                    limits.max_depth
                ),
                Some(field.pos),
            ));
        }
        // Under `__schema`/`__type` the schema describes itself: cheap, and as deep as
        // the introspection query of a standard client; its size is still bounded by
        // the field and alias limits.
        if field.node.selection_set.node.items.is_empty() {
            return Ok(());
        }
        self.walk(
            &field.node.selection_set,
            depth,
            nesting + 1,
            guarded && !introspection,
        )
    }
}

/// Check every operation of the document against the limits.
fn check_shape(doc: &ExecutableDocument, limits: &Limits) -> Result<(), Vec<ServerError>> {
    for (_, op) in doc.operations.iter() {
        let mut shape = Shape {
            doc,
            limits,
            fields: 0,
            aliases: 0,
            expanding: HashSet::new(),
        };
        shape
            .walk(&op.node.selection_set, 0, 0, true)
            .map_err(|e| vec![e])?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Codes for the errors async-graphql makes

/// Give every error of `response` without `extensions.code` the code of what went
/// wrong (see the module documentation).
pub fn with_codes(response: &mut async_graphql::Response) {
    for err in &mut response.errors {
        let has_code = err
            .extensions
            .as_ref()
            .is_some_and(|ext| ext.get("code").is_some());
        if has_code {
            continue;
        }
        let (code, limit) = classify(err);
        if code == ErrorCode::Internal {
            tracing::error!(error = %err.message, "error without a code");
            err.message = AppError::Internal(anyhow::anyhow!("uncoded error")).public_message();
        }
        // "Invalid value for argument \"today\", …": name the argument, as
        // `BAD_USER_INPUT` errors do.
        let argument = (code == ErrorCode::BadUserInput)
            .then(|| err.message.strip_prefix("Invalid value for argument \""))
            .flatten()
            .and_then(|rest| rest.split_once('"'))
            .map(|(name, _)| name.to_owned());
        let ext = err
            .extensions
            .get_or_insert_with(ErrorExtensionValues::default);
        ext.set("code", code.as_str());
        if let Some(argument) = argument {
            ext.set("field", argument);
        }
        if let Some(limit) = limit {
            ext.set("limit", limit);
        }
    }
}

/// The code (and, for a limit, which) of an error async-graphql made.
fn classify(err: &ServerError) -> (ErrorCode, Option<&'static str>) {
    let m = err.message.as_str();
    if m == "Query is too complex." {
        return (ErrorCode::LimitExceeded, Some("cost"));
    }
    if m == "Query is nested too deep." {
        return (ErrorCode::LimitExceeded, Some("depth"));
    }
    if m.starts_with("The recursion depth of the query") {
        return (ErrorCode::LimitExceeded, Some("recursion"));
    }
    if m.starts_with("The number of directives on the field") {
        return (ErrorCode::LimitExceeded, Some("directives"));
    }
    if m.starts_with("Unknown operation named") || m == "Operation name required in request." {
        return (ErrorCode::OperationResolutionFailure, None);
    }
    if m.starts_with("Failed to parse")
        || m.starts_with("Invalid value for argument")
        || m.starts_with("Invalid value")
    {
        return (ErrorCode::BadUserInput, None);
    }
    if err.path.is_empty() {
        // No path: the document itself, found wanting by validation.
        (ErrorCode::ValidationFailed, None)
    } else {
        (ErrorCode::Internal, None)
    }
}
