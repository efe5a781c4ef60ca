//! What a request must pass before it runs, and the codes of the errors async-graphql
//! itself makes.
//!
//! Every operation — over HTTP (`POST`/`GET /graphql`) and over WebSocket — goes through
//! [`RequestChecks::prepare`] before execution and [`with_codes`] after it:
//!
//! 1. **Parse** the document (once per distinct text: a checked document is kept by its
//!    text, see [`RequestChecks`]). A document that does not parse is refused with
//!    `GRAPHQL_PARSE_FAILED`.
//! 2. **Text input.** Every string a client sends — in a variable or as a literal
//!    argument, at any depth of an input object or list — is normalized to Unicode NFC,
//!    so that "Å" typed as one code point or as "A" + a combining ring is one name (in
//!    slugs, uniqueness, filters). A string holding U+0000 (NUL), which PostgreSQL cannot
//!    store and no text of this service needs, is refused with `BAD_USER_INPUT` naming
//!    the variable or argument (`extensions.field`), on every database alike.
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
    DocumentOperations, ExecutableDocument, Field, Selection, SelectionSet,
};
use async_graphql::{ErrorExtensionValues, Name, Pos, Positioned, ServerError, Value};
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

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
/// literals already normalized. Variables are checked on every request, and
/// async-graphql's validation and cost limit run every time.
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
    const MAX_DOCUMENTS: usize = 256;
    /// Longest document kept, in bytes.
    const MAX_LENGTH: usize = 16 * 1024;

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
                return Err(vec![coded(
                    err.message.trim(),
                    err.locations.first().copied(),
                    ErrorCode::ParseFailed,
                )]);
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

/// Refuse a request that leaves out a variable of a non-null type without a default
/// (GraphQL spec 6.4.1, CoerceVariableValues): `BAD_USER_INPUT` naming the variable.
/// (Values of the wrong type are found by async-graphql's validation.)
fn required_variables(
    doc: &ExecutableDocument,
    request: &async_graphql::Request,
) -> Result<(), Vec<ServerError>> {
    let operation = match (&doc.operations, request.operation_name.as_deref()) {
        (DocumentOperations::Single(op), _) => Some(op),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => ops.values().next(),
        _ => None,
    };
    let Some(operation) = operation else {
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
            let err = AppError::bad_input(
                format!("${name}"),
                format!(
                    "Variable \"${name}\" of required type \"{}\" was not provided.",
                    def.node.var_type.node
                ),
            )
            .into_graphql();
            let mut server_error = ServerError::new(err.message, Some(def.pos));
            server_error.extensions = err.extensions;
            server_error
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
            return Err(coded(
                "persistedQuery needs a sha256Hash",
                None,
                ErrorCode::BadUserInput,
            ));
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
                    return Err(coded(
                        "PersistedQueryNotFound",
                        None,
                        ErrorCode::PersistedQueryNotFound,
                    ));
                }
            }
        } else {
            if crate::allowlist::sha256_hex(&request.query) != hash {
                return Err(coded(
                    "provided sha256Hash does not match the query",
                    None,
                    ErrorCode::BadUserInput,
                ));
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

/// A refusal with a code (and no path: it is about the request, not a field).
fn coded(message: impl Into<String>, pos: Option<Pos>, code: ErrorCode) -> ServerError {
    let mut err = ServerError::new(message, pos);
    let mut ext = ErrorExtensionValues::default();
    ext.set("code", code.as_str());
    err.extensions = Some(ext);
    err
}

/// A limit refusal: `QUERY_LIMIT_EXCEEDED` with `extensions.limit`.
fn limit_error(limit: &str, message: String, pos: Option<Pos>) -> ServerError {
    let mut err = coded(message, pos, ErrorCode::LimitExceeded);
    if let Some(ext) = err.extensions.as_mut() {
        ext.set("limit", limit);
    }
    err
}

// ---------------------------------------------------------------------------------------
// Text input

/// The refusal of a string with NUL in it, naming where it was.
fn nul_error(field: &str, pos: Option<Pos>) -> ServerError {
    let err = AppError::bad_input(
        field,
        format!("{field} contains a NUL character (U+0000), which no text may hold"),
    )
    .into_graphql();
    let mut server_error = ServerError::new(err.message, pos);
    server_error.extensions = err.extensions;
    server_error
}

/// NFC of `s`, or `None` when it is already NFC.
fn nfc(s: &str) -> Option<String> {
    match is_nfc_quick(s.chars()) {
        IsNormalized::Yes => None,
        _ => {
            let normalized: String = s.nfc().collect();
            (normalized != s).then_some(normalized)
        }
    }
}

/// Check and normalize one string at `path`.
fn normalize_string(s: &mut String, path: &str, pos: Option<Pos>) -> Result<(), ServerError> {
    if s.contains('\0') {
        return Err(nul_error(path, pos));
    }
    if let Some(n) = nfc(s) {
        *s = n;
    }
    Ok(())
}

/// Check and normalize every string of a constant value (a variable's value).
fn normalize_const(
    value: &mut async_graphql::Value,
    path: &mut String,
    pos: Option<Pos>,
) -> Result<(), ServerError> {
    match value {
        Value::String(s) => normalize_string(s, path, pos),
        Value::List(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                let len = path.len();
                path.push_str(&format!(".{i}"));
                normalize_const(item, path, pos)?;
                path.truncate(len);
            }
            Ok(())
        }
        Value::Object(fields) => {
            for (name, item) in fields.iter_mut() {
                let len = path.len();
                path.push('.');
                path.push_str(name);
                normalize_const(item, path, pos)?;
                path.truncate(len);
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Check and normalize the request's variables; errors name `$variable.path`.
fn normalize_variables(variables: &mut async_graphql::Variables) -> Result<(), Vec<ServerError>> {
    for (name, value) in variables.iter_mut() {
        let mut path = format!("${name}");
        normalize_const(value, &mut path, None).map_err(|e| vec![e])?;
    }
    Ok(())
}

/// Check and normalize every string of a literal value in the document.
fn normalize_literal(
    value: &mut async_graphql_value::Value,
    path: &mut String,
    pos: Pos,
) -> Result<(), ServerError> {
    use async_graphql_value::Value as V;
    match value {
        V::String(s) => normalize_string(s, path, Some(pos)),
        V::List(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                let len = path.len();
                path.push_str(&format!(".{i}"));
                normalize_literal(item, path, pos)?;
                path.truncate(len);
            }
            Ok(())
        }
        V::Object(fields) => {
            for (name, item) in fields.iter_mut() {
                let len = path.len();
                path.push('.');
                path.push_str(name);
                normalize_literal(item, path, pos)?;
                path.truncate(len);
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Check and normalize the literal arguments of a selection set (fields and
/// directives), recursively.
fn normalize_selection_set(set: &mut SelectionSet) -> Result<(), ServerError> {
    for selection in &mut set.items {
        let directives = match &mut selection.node {
            Selection::Field(field) => {
                for (name, value) in &mut field.node.arguments {
                    let mut path = name.node.to_string();
                    normalize_literal(&mut value.node, &mut path, value.pos)?;
                }
                normalize_selection_set(&mut field.node.selection_set.node)?;
                &mut field.node.directives
            }
            Selection::FragmentSpread(spread) => &mut spread.node.directives,
            Selection::InlineFragment(inline) => {
                normalize_selection_set(&mut inline.node.selection_set.node)?;
                &mut inline.node.directives
            }
        };
        for directive in directives {
            for (name, value) in &mut directive.node.arguments {
                let mut path = name.node.to_string();
                normalize_literal(&mut value.node, &mut path, value.pos)?;
            }
        }
    }
    Ok(())
}

/// Check and normalize every literal string of the document, variables' defaults
/// included.
fn normalize_document(doc: &mut ExecutableDocument) -> Result<(), Vec<ServerError>> {
    let one = |e| vec![e];
    let operations: Vec<&mut Positioned<async_graphql::parser::types::OperationDefinition>> =
        match &mut doc.operations {
            DocumentOperations::Single(op) => vec![op],
            DocumentOperations::Multiple(ops) => ops.values_mut().collect(),
        };
    for op in operations {
        for def in &mut op.node.variable_definitions {
            if let Some(default) = &mut def.node.default_value {
                let mut path = format!("${}", def.node.name.node);
                normalize_const(&mut default.node, &mut path, Some(default.pos)).map_err(one)?;
            }
        }
        normalize_selection_set(&mut op.node.selection_set.node).map_err(one)?;
    }
    for fragment in doc.fragments.values_mut() {
        normalize_selection_set(&mut fragment.node.selection_set.node).map_err(one)?;
    }
    Ok(())
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
            return Err(coded(
                format!(
                    "introspection is off on this server: `{name}` cannot be asked for \
                     (the schema is published as schema.graphql)"
                ),
                Some(field.pos),
                ErrorCode::ValidationFailed,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nfc_leaves_composed_text_and_composes_decomposed() {
        assert_eq!(nfc("Skärholmen"), None);
        assert_eq!(nfc("A\u{030A}rsta").as_deref(), Some("Årsta"));
    }
}
