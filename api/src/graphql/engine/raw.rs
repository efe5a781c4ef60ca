//! Parts of an HTTP answer written straight as JSON.
//!
//! async-graphql builds the whole answer as a `Value` tree (a map per object, a `Name`
//! per field) before it is serialised. For a national coverage matrix that is ~100,000
//! maps and ~35 MB for a 2.3 MB answer, most of the request's time and memory. A
//! [`PlainList`](super::plain::PlainList) allowed to (its resolver knows no other
//! occurrence of its response key is to be merged with it) writes its plan's answer as
//! JSON text directly, puts the text here and returns a
//! [`placeholder`](RawJson::placeholder) string instead; after serialising the answer,
//! the HTTP transport [`splice`](RawJson::splice)s every part into the place of its
//! placeholder.
//!
//! A placeholder is a string no client can forge: it starts with a NUL character and
//! carries a random nonce of this request. Transports that do not splice (WebSocket)
//! simply do not offer a `RawJson`, and resolvers then build `Value`s as usual.

use std::sync::{Arc, Mutex};

use async_graphql::Value;

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
