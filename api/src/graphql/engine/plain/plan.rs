//! The plan of a plain list's selection: which response keys, in which order, answered
//! by which plain field — made once per list — and the loops that build the list's value
//! or write its JSON text from it (see the parent module).

use std::sync::OnceLock;

use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{Field, Selection, SelectionSet};
use async_graphql::{ContextSelectionSet, Name, Positioned, Value};

use super::{Plain, PlainDyn};
use crate::graphql::engine::raw::write_str;

/// How one response key is answered.
pub(super) enum Step<'a> {
    /// `__typename`.
    Typename,
    /// Plain field `index`, with the selection sets under it (merged) and, for an
    /// object, the plan of its type once it is met.
    Field {
        index: usize,
        field: &'a Positioned<Field>,
        sets: Vec<&'a SelectionSet>,
        nested: OnceLock<Option<Plan<'a>>>,
    },
}

/// The plan of a selection on one object type.
pub(super) struct Plan<'a> {
    type_name: String,
    steps: Vec<(Name, Step<'a>)>,
}

impl<'a> Plan<'a> {
    /// The plan of `sets` (the selections of one response key, in order) on objects of
    /// `type_name` whose plain fields are `names`; `None`: beyond plain fields.
    pub(super) fn new(
        ctx: &ContextSelectionSet<'a>,
        sets: impl IntoIterator<Item = &'a SelectionSet>,
        type_name: &str,
        names: &[&'static str],
    ) -> Option<Self> {
        let mut fields = Vec::new();
        for set in sets {
            collect(ctx, set, type_name, &mut fields)?;
        }
        let mut steps: Vec<(Name, Step<'a>)> = Vec::new();
        for f in fields {
            let key = &f.node.response_key().node;
            let name = f.node.name.node.as_str();
            let step = if name == "__typename" {
                Step::Typename
            } else {
                let snake = snake_case(name);
                let index = names.iter().position(|n| *n == snake)?;
                Step::Field {
                    index,
                    field: f,
                    sets: vec![&f.node.selection_set.node],
                    nested: OnceLock::new(),
                }
            };
            match steps.iter_mut().find(|(k, _)| k == key) {
                // The first occurrence keeps its place; an object's selections merge.
                Some((_, Step::Field { index, sets, .. })) => match step {
                    Step::Field {
                        index: again,
                        sets: more,
                        ..
                    } if again == *index => sets.extend(more),
                    _ => return None,
                },
                Some((_, Step::Typename)) => {
                    if !matches!(step, Step::Typename) {
                        return None;
                    }
                }
                None => steps.push((key.clone(), step)),
            }
        }
        Some(Self {
            type_name: type_name.to_owned(),
            steps,
        })
    }

    /// The value of `object`; `None` when the selection is beyond plain fields. A field
    /// not at hand is answered `null` and counted in `missing`, and the pass goes on (so that
    /// every object asks for the rows it lacks).
    pub(super) fn build(
        &self,
        ctx: &ContextSelectionSet<'a>,
        object: &dyn PlainDyn,
        missing: &mut usize,
    ) -> Option<Value> {
        let mut map = IndexMap::with_capacity(self.steps.len());
        for (key, step) in &self.steps {
            let value = match step {
                Step::Typename => Value::String(self.type_name.clone()),
                Step::Field {
                    index,
                    field,
                    sets,
                    nested,
                } => match object.answer(*index, &ctx.with_field(field)) {
                    None => {
                        *missing += 1;
                        Value::Null
                    }
                    Some(Plain::Leaf(v)) => v,
                    Some(Plain::Object(o)) => Self::nested_plan(ctx, sets, nested, o.as_ref())?
                        .build(ctx, o.as_ref(), missing)?,
                    Some(Plain::List(list)) => Value::List(
                        list.iter()
                            .map(|o| {
                                Self::nested_plan(ctx, sets, nested, o.as_ref())?.build(
                                    ctx,
                                    o.as_ref(),
                                    missing,
                                )
                            })
                            .collect::<Option<Vec<_>>>()?,
                    ),
                },
            };
            map.insert(key.clone(), value);
        }
        Some(Value::Object(map))
    }

    /// The JSON text of `objects` (what their values would serialise to); `None` when
    /// the selection is beyond plain fields; fields not at hand as in [`Self::build`].
    pub(super) fn write_list<'o>(
        &self,
        ctx: &ContextSelectionSet<'a>,
        objects: impl Iterator<Item = &'o dyn PlainDyn>,
        out: &mut Vec<u8>,
        missing: &mut usize,
    ) -> Option<()> {
        out.push(b'[');
        for (i, object) in objects.enumerate() {
            if i > 0 {
                out.push(b',');
            }
            self.write(ctx, object, out, missing)?;
        }
        out.push(b']');
        Some(())
    }

    /// The JSON text of `object`, written into `out`.
    fn write(
        &self,
        ctx: &ContextSelectionSet<'a>,
        object: &dyn PlainDyn,
        out: &mut Vec<u8>,
        missing: &mut usize,
    ) -> Option<()> {
        out.push(b'{');
        for (i, (key, step)) in self.steps.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            write_str(out, key.as_str());
            out.push(b':');
            match step {
                Step::Typename => write_str(out, &self.type_name),
                Step::Field {
                    index,
                    field,
                    sets,
                    nested,
                } => match object.answer(*index, &ctx.with_field(field)) {
                    None => {
                        *missing += 1;
                        out.extend_from_slice(b"null");
                    }
                    Some(Plain::Leaf(v)) => serde_json::to_writer(&mut *out, &v).ok()?,
                    Some(Plain::Object(o)) => {
                        let plan = Self::nested_plan(ctx, sets, nested, o.as_ref())?;
                        plan.write(ctx, o.as_ref(), out, missing)?;
                    }
                    Some(Plain::List(list)) => {
                        out.push(b'[');
                        for (j, o) in list.iter().enumerate() {
                            if j > 0 {
                                out.push(b',');
                            }
                            let plan = Self::nested_plan(ctx, sets, nested, o.as_ref())?;
                            plan.write(ctx, o.as_ref(), out, missing)?;
                        }
                        out.push(b']');
                    }
                },
            }
        }
        out.push(b'}');
        Some(())
    }

    /// The plan of a nested object's type (made when first met).
    fn nested_plan<'p>(
        ctx: &ContextSelectionSet<'a>,
        sets: &[&'a SelectionSet],
        plan: &'p OnceLock<Option<Plan<'a>>>,
        object: &dyn PlainDyn,
    ) -> Option<&'p Plan<'a>> {
        let type_name = object.type_name();
        let plan = plan
            .get_or_init(|| Plan::new(ctx, sets.iter().copied(), &type_name, &object.names()))
            .as_ref()?;
        (plan.type_name == type_name).then_some(plan)
    }
}

/// The fields `set` selects on object type `type_name`, fragments flattened, in document
/// order; `None` when the selection is beyond plain fields (a directive, an argument, a
/// fragment on another type, an unknown fragment).
fn collect<'a>(
    ctx: &ContextSelectionSet<'a>,
    set: &'a SelectionSet,
    type_name: &str,
    out: &mut Vec<&'a Positioned<Field>>,
) -> Option<()> {
    for selection in &set.items {
        if !selection.node.directives().is_empty() {
            return None;
        }
        let set = match &selection.node {
            Selection::Field(f) => {
                if !f.node.arguments.is_empty() {
                    return None;
                }
                out.push(f);
                continue;
            }
            Selection::FragmentSpread(spread) => {
                let fragment = ctx
                    .query_env
                    .fragments
                    .get(&spread.node.fragment_name.node)?;
                if !applies(
                    ctx,
                    type_name,
                    Some(&fragment.node.type_condition.node.on.node),
                ) {
                    return None;
                }
                &fragment.node.selection_set.node
            }
            Selection::InlineFragment(inline) => {
                let condition = inline.node.type_condition.as_ref().map(|c| &c.node.on.node);
                if !applies(ctx, type_name, condition) {
                    return None;
                }
                &inline.node.selection_set.node
            }
        };
        collect(ctx, set, type_name, out)?;
    }
    Some(())
}

/// Whether a fragment with `condition` applies to objects of `type_name` (its own name
/// or an interface it implements).
fn applies(ctx: &ContextSelectionSet<'_>, type_name: &str, condition: Option<&Name>) -> bool {
    condition.is_none_or(|c| {
        c.as_str() == type_name
            || ctx
                .schema_env
                .registry
                .implements
                .get(type_name)
                .is_some_and(|interfaces| interfaces.contains(c.as_str()))
    })
}

/// The Rust name of a GraphQL field name (`asOf` → `as_of`), as async-graphql names
/// fields after their resolvers.
pub fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::snake_case;

    #[test]
    fn graphql_names_map_to_resolver_names() {
        assert_eq!(snake_case("asOf"), "as_of");
        assert_eq!(snake_case("reportedBySub"), "reported_by_sub");
        assert_eq!(snake_case("id"), "id");
    }
}
