//! Text a client sends, made one text however it was typed.
//!
//! Every string of a request — in a variable or as a literal argument, at any depth of
//! an input object or list, variables' defaults included — is normalized to Unicode
//! NFC, so that "Å" typed as one code point or as "A" + a combining ring is one name (in
//! slugs, uniqueness, filters). A string holding U+0000 (NUL), which PostgreSQL cannot
//! store and no text of this service needs, is refused with `BAD_USER_INPUT` naming the
//! variable or argument (`extensions.field`), on every database alike. Called by
//! [`super::checks::RequestChecks::prepare`].

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, Selection, SelectionSet,
};
use async_graphql::{Pos, Positioned, ServerError};
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

use crate::error::AppError;

/// The refusal of a string with NUL in it, naming where it was.
fn nul_error(field: &str, pos: Option<Pos>) -> ServerError {
    AppError::bad_input(
        field,
        format!("{field} contains a NUL character (U+0000), which no text may hold"),
    )
    .into_server_error(pos)
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

/// Check and normalize every string of a value, at any depth of its lists and
/// objects; `path` names where it is (`$input.text`, `ids.2`). Written once for the two
/// value types of async-graphql: a variable's (constant) value and a literal in the
/// document (which may hold variables).
macro_rules! normalize_value {
    ($name:ident, $value:ident) => {
        fn $name(
            value: &mut $value,
            path: &mut String,
            pos: Option<Pos>,
        ) -> Result<(), ServerError> {
            match value {
                $value::String(s) => normalize_string(s, path, pos),
                $value::List(items) => {
                    for (i, item) in items.iter_mut().enumerate() {
                        let len = path.len();
                        path.push_str(&format!(".{i}"));
                        $name(item, path, pos)?;
                        path.truncate(len);
                    }
                    Ok(())
                }
                $value::Object(fields) => {
                    for (name, item) in fields.iter_mut() {
                        let len = path.len();
                        path.push('.');
                        path.push_str(name);
                        $name(item, path, pos)?;
                        path.truncate(len);
                    }
                    Ok(())
                }
                _ => Ok(()),
            }
        }
    };
}

/// A variable's value.
type ConstValue = async_graphql::Value;
/// A literal of the document.
type LiteralValue = async_graphql_value::Value;
normalize_value!(normalize_const, ConstValue);
normalize_value!(normalize_literal, LiteralValue);

/// Check and normalize the request's variables; errors name `$variable.path`.
pub(super) fn normalize_variables(
    variables: &mut async_graphql::Variables,
) -> Result<(), Vec<ServerError>> {
    for (name, value) in variables.iter_mut() {
        let mut path = format!("${name}");
        normalize_const(value, &mut path, None).map_err(|e| vec![e])?;
    }
    Ok(())
}

/// Check and normalize the literal arguments of a selection set (fields and
/// directives), recursively.
fn normalize_selection_set(set: &mut SelectionSet) -> Result<(), ServerError> {
    for selection in &mut set.items {
        let directives = match &mut selection.node {
            Selection::Field(field) => {
                for (name, value) in &mut field.node.arguments {
                    let mut path = name.node.to_string();
                    normalize_literal(&mut value.node, &mut path, Some(value.pos))?;
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
                normalize_literal(&mut value.node, &mut path, Some(value.pos))?;
            }
        }
    }
    Ok(())
}

/// Check and normalize every literal string of the document, variables' defaults
/// included.
pub(super) fn normalize_document(doc: &mut ExecutableDocument) -> Result<(), Vec<ServerError>> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nfc_leaves_composed_text_and_composes_decomposed() {
        assert_eq!(nfc("Skärholmen"), None);
        assert_eq!(nfc("A\u{030A}rsta").as_deref(), Some("Årsta"));
    }
}
