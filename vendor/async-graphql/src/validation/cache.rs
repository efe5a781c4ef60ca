//! PATCH (Samverkan): validation results kept by query text.
//!
//! The GraphQL specification lets a service skip validating a request "if that exact
//! same request is known to have been validated before" (section 5, Validation). What
//! the rules decide depends on the document and the schema alone — except the values
//! of the request's variables, which `ArgumentsOfCorrectType` checks against the
//! arguments they are passed to, and the complexity a field's `complexity` function
//! computes from its arguments. So a document that passed is kept with its result;
//! when it comes again, a document without variable definitions takes the kept result
//! as it is, and one with variables runs only the rules that read their values
//! (`check_variable_rules`). Only documents that passed are kept: a failing one is
//! validated again each time, with the same errors.
//!
//! The key is the query text (and the operation name), so a request's `parsed_query`
//! must be the parse of its `query` — as async-graphql's own persisted queries and the
//! service's own parse cache set it. The cache holds at most `capacity` documents of at
//! most `max_query_bytes` bytes each; when full it is emptied and fills again.

use std::{collections::HashMap, sync::Mutex};

use super::ValidationResult;

/// What validation found for a document that passed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Validated {
    /// The rules' result (cache control, complexity, depth).
    pub(crate) result: ValidationResult,
    /// No operation of the document declares a variable: the result holds for every
    /// request of this text.
    pub(crate) variable_free: bool,
}

/// Documents that passed validation, by query text and operation name.
pub(crate) struct ValidationCache {
    capacity: usize,
    max_query_bytes: usize,
    entries: Mutex<HashMap<String, Vec<(Option<String>, Validated)>>>,
}

impl ValidationCache {
    pub(crate) fn new(capacity: usize, max_query_bytes: usize) -> Self {
        Self {
            capacity,
            max_query_bytes,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// What was found for `query` run as `operation_name`, if it passed before.
    pub(crate) fn get(&self, query: &str, operation_name: Option<&str>) -> Option<Validated> {
        if query.len() > self.max_query_bytes {
            return None;
        }
        let entries = self.entries.lock().ok()?;
        entries
            .get(query)?
            .iter()
            .find(|(name, _)| name.as_deref() == operation_name)
            .map(|(_, validated)| *validated)
    }

    /// Keep what was found for `query` run as `operation_name`.
    pub(crate) fn insert(&self, query: &str, operation_name: Option<&str>, validated: Validated) {
        if query.len() > self.max_query_bytes || self.capacity == 0 {
            return;
        }
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.len() >= self.capacity && !entries.contains_key(query) {
            entries.clear();
        }
        let names = entries.entry(query.to_owned()).or_default();
        if !names.iter().any(|(name, _)| name.as_deref() == operation_name) {
            names.push((operation_name.map(str::to_owned), validated));
        }
    }
}
