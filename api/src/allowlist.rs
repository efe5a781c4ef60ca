//! The operation allow-list (`SAMVERKAN_PERSISTED_QUERIES=allowlist`): only the named
//! operations of a `.graphql` file run. A client sends an operation's SHA-256 (hex, of
//! its text exactly as in the file) as Apollo's
//! `extensions.persistedQuery.sha256Hash`, with or without the text; any other query is
//! refused before it runs.

use std::collections::HashMap;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::error::AppError;

/// Registered operations by their SHA-256.
#[derive(Debug, Clone, Default)]
pub struct AllowList {
    by_hash: HashMap<String, String>,
}

/// The SHA-256 of `text`, in hex.
pub fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The operations of a document: each top-level `query`, `mutation` or `subscription`
/// up to its closing brace (comments before it are not part of it).
pub fn operations(document: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = document;
    while let Some(start) = ["query ", "mutation ", "subscription "]
        .iter()
        .filter_map(|k| {
            rest.match_indices(k)
                .find(|(i, _)| *i == 0 || rest[..*i].ends_with('\n'))
                .map(|(i, _)| i)
        })
        .min()
    {
        let mut depth = 0usize;
        let mut end = None;
        for (i, c) in rest[start..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        end = Some(start + i + 1);
                        break;
                    }
                }
                _ => {}
            }
        }
        let Some(end) = end else { break };
        out.push(rest[start..end].to_owned());
        rest = &rest[end..];
    }
    out
}

impl AllowList {
    /// Load the operations of `path`.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        let by_hash: HashMap<String, String> = operations(&text)
            .into_iter()
            .map(|op| (sha256_hex(&op), op))
            .collect();
        if by_hash.is_empty() {
            anyhow::bail!("{} holds no operations", path.display());
        }
        Ok(Self { by_hash })
    }

    /// How many operations are registered.
    pub fn len(&self) -> usize {
        self.by_hash.len()
    }

    /// Whether none are.
    pub fn is_empty(&self) -> bool {
        self.by_hash.is_empty()
    }

    /// Resolve a request: its registered text, or a refusal.
    pub fn resolve(&self, request: &mut async_graphql::Request) -> Result<(), AppError> {
        let hash = request
            .extensions
            .get("persistedQuery")
            .and_then(|v| match v {
                async_graphql::Value::Object(o) => o.get("sha256Hash").cloned(),
                _ => None,
            })
            .and_then(|v| match v {
                async_graphql::Value::String(s) => Some(s),
                _ => None,
            })
            .unwrap_or_else(|| sha256_hex(&request.query));
        match self.by_hash.get(&hash) {
            Some(text) if request.query.is_empty() || request.query == *text => {
                request.query = text.clone();
                request.extensions.remove("persistedQuery");
                Ok(())
            }
            _ => Err(AppError::Forbidden(
                "only registered operations may run here (persisted-query allow-list)".into(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_a_document_into_operations() {
        let doc = "# a comment\nquery A($x: ID!) {\n  node(id: $x) { id }\n}\n\nmutation B {\n  x { y }\n}\n";
        let ops = operations(doc);
        assert_eq!(ops.len(), 2);
        assert!(ops[0].starts_with("query A") && ops[0].ends_with('}'));
        assert!(ops[1].starts_with("mutation B"));
        assert_eq!(sha256_hex("").len(), 64);
    }
}
