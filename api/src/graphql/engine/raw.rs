//! Parts of an HTTP answer written straight as JSON.
//!
//! async-graphql builds the whole answer as a `Value` tree (a map per object, a `Name`
//! per field) before it is serialised. For a national coverage matrix that is ~100,000
//! maps and ~35 MB for a 2.3 MB answer, most of the request's time and memory; for a
//! large district's dashboard (58 activities, 610 follow-ups) most of the server's work
//! after the rows are read. A [`PlainList`](super::plain::PlainList) whose answer no
//! other is merged into ([`unmerged`]) writes its plan's answer as JSON text directly,
//! puts the text here and returns a [`placeholder`](RawJson::placeholder) string
//! instead; after serialising the answer, the HTTP transport
//! [`splice`](RawJson::splice)s every part into the place of its placeholder.
//!
//! async-graphql merges the answers of fields that share a response key in one
//! selection (`nodes { id } nodes { goal }`, or the same key in two fragments), at any
//! level: text cannot be merged, so a list anywhere below such a key is built as a
//! `Value`. [`unmerged`] follows the list's path from the operation's root and counts,
//! at every step, the fields of the selection (fragments flattened, whatever their type
//! condition) that answer under the step's key: one at every step, or no text.
//!
//! A placeholder is a string no client can forge: it starts with a NUL character and
//! carries a random nonce of this request. Transports that do not splice (WebSocket)
//! simply do not offer a `RawJson`, and resolvers then build `Value`s as usual.

use std::sync::{Arc, Mutex};

use async_graphql::parser::types::{Field, Selection, SelectionSet};
use async_graphql::{ContextSelectionSet, Positioned, QueryPathSegment, Value};

/// The pre-serialised parts of one HTTP answer (clones share them).
#[derive(Debug, Clone)]
pub struct RawJson(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    nonce: String,
    parts: Mutex<Vec<Vec<u8>>>,
}

impl Default for RawJson {
    fn default() -> Self {
        Self::new()
    }
}

impl RawJson {
    /// An empty set of parts with a fresh nonce.
    pub fn new() -> Self {
        Self(Arc::new(Inner {
            nonce: uuid::Uuid::new_v4().simple().to_string(),
            parts: Mutex::new(Vec::new()),
        }))
    }

    /// Keep `json` (one complete JSON value) and return the string that stands for it.
    pub fn placeholder(&self, json: Vec<u8>) -> Value {
        let mut parts = self.0.parts.lock().unwrap_or_else(|p| p.into_inner());
        parts.push(json);
        Value::String(format!(
            "\0samverkan-raw:{}:{}",
            self.0.nonce,
            parts.len() - 1
        ))
    }

    /// Replace every placeholder in the serialised answer `body` by its part.
    pub fn splice(&self, body: Vec<u8>) -> Vec<u8> {
        let parts = std::mem::take(&mut *self.0.parts.lock().unwrap_or_else(|p| p.into_inner()));
        if parts.is_empty() {
            return body;
        }
        // serde_json writes the NUL as `\u0000`.
        let prefix = format!("\"\\u0000samverkan-raw:{}:", self.0.nonce);
        let size = body.len() + parts.iter().map(Vec::len).sum::<usize>();
        let mut out = Vec::with_capacity(size);
        let mut rest = body.as_slice();
        let finder = memchr::memmem::Finder::new(prefix.as_bytes());
        while let Some(at) = finder.find(rest) {
            let after = &rest[at + prefix.len()..];
            let digits = after.iter().take_while(|b| b.is_ascii_digit()).count();
            let part = std::str::from_utf8(&after[..digits])
                .ok()
                .and_then(|n| n.parse::<usize>().ok())
                .and_then(|i| parts.get(i));
            match (part, after.get(digits)) {
                (Some(part), Some(b'"')) => {
                    out.extend_from_slice(&rest[..at]);
                    out.extend_from_slice(part);
                    rest = &after[digits + 1..];
                }
                // Not one of ours after all: keep it as it is.
                _ => {
                    out.extend_from_slice(&rest[..at + prefix.len()]);
                    rest = after;
                }
            }
        }
        out.extend_from_slice(rest);
        out
    }
}

/// Whether the answer of the field being resolved (`ctx`'s path) is taken from one field
/// of the document alone: on the way from the operation's root to it (it included), every
/// step's response key names one field of its selection (fragments flattened, whatever
/// their type condition), so async-graphql merges no other answer into it.
pub fn unmerged(ctx: &ContextSelectionSet<'_>) -> bool {
    let mut keys = Vec::new();
    let mut node = ctx.path_node.as_ref();
    while let Some(n) = node {
        if let QueryPathSegment::Name(key) = n.segment {
            keys.push(key);
        }
        node = n.parent;
    }
    let mut set = &ctx.query_env.operation.node.selection_set.node;
    for key in keys.into_iter().rev() {
        let mut found = None;
        match only_field(ctx, set, key, &mut found, 0).and(found) {
            Some(field) => set = &field.node.selection_set.node,
            None => return false,
        }
    }
    true
}

/// Looks in `set` (fragments flattened) for the fields answering under `key` and keeps
/// the first in `found`; `None` as soon as there is a second (or the fragments nest
/// deeper than any document the limits let in, so that it cannot be told).
fn only_field<'d>(
    ctx: &'d ContextSelectionSet<'_>,
    set: &'d SelectionSet,
    key: &str,
    found: &mut Option<&'d Positioned<Field>>,
    nesting: usize,
) -> Option<()> {
    if nesting > 32 {
        return None;
    }
    for selection in &set.items {
        match &selection.node {
            Selection::Field(f) if f.node.response_key().node.as_str() == key => {
                if found.replace(f).is_some() {
                    return None;
                }
            }
            Selection::Field(_) => {}
            Selection::InlineFragment(inline) => only_field(
                ctx,
                &inline.node.selection_set.node,
                key,
                found,
                nesting + 1,
            )?,
            Selection::FragmentSpread(spread) => {
                if let Some(f) = ctx.query_env.fragments.get(&spread.node.fragment_name.node) {
                    only_field(ctx, &f.node.selection_set.node, key, found, nesting + 1)?;
                }
            }
        }
    }
    Some(())
}

/// Write `s` as a JSON string.
pub fn write_str(out: &mut Vec<u8>, s: &str) {
    // Writing a &str into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_replaced_by_their_parts() {
        let raw = RawJson::new();
        let a = raw.placeholder(b"[1,2]".to_vec());
        let b = raw.placeholder(br#"{"x":"y"}"#.to_vec());
        let body = serde_json::to_vec(&serde_json::json!({
            "a": a.into_json().unwrap(),
            "b": b.into_json().unwrap(),
            "c": "\u{0}samverkan-raw:someone-else:0",
        }))
        .unwrap();
        let spliced: serde_json::Value = serde_json::from_slice(&raw.splice(body)).unwrap();
        assert_eq!(
            spliced,
            serde_json::json!({
                "a": [1, 2],
                "b": { "x": "y" },
                "c": "\u{0}samverkan-raw:someone-else:0",
            })
        );
    }

    #[test]
    fn an_answer_without_parts_is_left_alone() {
        let raw = RawJson::new();
        assert_eq!(raw.splice(b"{\"a\":1}".to_vec()), b"{\"a\":1}");
    }
}
