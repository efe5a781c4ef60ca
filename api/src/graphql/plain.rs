//! The fast path for plain selections of big lists.
//!
//! async-graphql resolves every object and every field through a boxed future, the
//! extension chain and a map insert: about a microsecond per field and several per
//! object, which is most of the time of an answer with thousands of small objects (a
//! coverage matrix's cells, an activity's follow-ups). A list type that knows its items'
//! plain fields (scalars, enums, small objects of them) can instead turn the selection
//! into a *plan* once — the response keys in order, each with the field it answers —
//! and build every item's `Value` in one loop. Anything beyond a plan (an argument, a
//! directive other than `@skip`/`@include`, which are applied before execution, a
//! fragment on a type it does not know, a field that needs a resolver) makes the planner
//! answer `None`, and the list is resolved the generic way.
//!
//! The plans mirror what async-graphql does with a selection set: fragments are
//! flattened in document order, a response key asked for twice is answered once where it
//! first appears (objects asked for twice are merged), and an object whose selection is
//! left empty by `@skip`/`@include` is `{}`. No field-level extension hook runs (the
//! server registers none that look at fields). Tests compare both paths' answers.

use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{Field, Selection, SelectionSet};
use async_graphql::{ContextSelectionSet, Name, OutputType, Positioned, ServerResult, Value};

/// Implement `OutputType` for `$list`, a list of `$item` named as async-graphql names
/// a `Vec<$item>` (so the schema does not change), answered by `$list::answer`.
macro_rules! list_type {
    ($list:ty, $item:ty) => {
        impl ::async_graphql::OutputType for $list {
            fn type_name() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Owned(format!(
                    "[{}]",
                    <$item as ::async_graphql::OutputType>::qualified_type_name()
                ))
            }

            fn qualified_type_name() -> String {
                format!(
                    "[{}]!",
                    <$item as ::async_graphql::OutputType>::qualified_type_name()
                )
            }

            fn create_type_info(registry: &mut ::async_graphql::registry::Registry) -> String {
                <$item as ::async_graphql::OutputType>::create_type_info(registry);
                Self::qualified_type_name()
            }

            async fn resolve(
                &self,
                ctx: &::async_graphql::ContextSelectionSet<'_>,
                field: &::async_graphql::Positioned<::async_graphql::parser::types::Field>,
            ) -> ::async_graphql::ServerResult<::async_graphql::Value> {
                self.answer(ctx, field).await
            }
        }
    };
}
pub(crate) use list_type;

/// The generic answer of a list: every row wrapped in its GraphQL object and resolved
/// field by field (what a list type answers when its selection has no plan).
pub(crate) async fn resolve_generic<M: Clone, T: OutputType>(
    ctx: &ContextSelectionSet<'_>,
    field: &Positioned<Field>,
    rows: &[M],
    wrap: impl Fn(M) -> T,
) -> ServerResult<Value> {
    let items = rows.iter().cloned().map(wrap);
    async_graphql::resolver_utils::resolve_list(ctx, field, items, Some(rows.len())).await
}

/// `__typename` of `T`, as a shared string.
pub(crate) fn type_name_value<T: OutputType>() -> Value {
    Value::Enum(Name::new(T::type_name()))
}

/// An object with the plan's fields (`{}` when every field was skipped, as the spec
/// and the generic execution answer).
pub(crate) fn object<F>(plan: &[(Name, F)], mut value: impl FnMut(&F) -> Value) -> Value {
    let mut map = IndexMap::with_capacity(plan.len());
    for (key, f) in plan {
        map.insert(key.clone(), value(f));
    }
    Value::Object(map)
}

/// The fields `set` selects on object type `type_name`, fragments flattened, in document
/// order; `None` when the selection is beyond the fast path (a directive, an argument, a
/// fragment on another type, an unknown fragment).
fn collect<'a>(
    ctx: &ContextSelectionSet<'a>,
    set: &'a SelectionSet,
    type_name: &str,
    out: &mut Vec<&'a Field>,
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
                out.push(&f.node);
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

/// A field as the plan first sees it: leaves resolved, objects still selection sets
/// (one per occurrence of the response key, merged later).
pub(crate) enum Raw<'a, L> {
    /// A leaf the plan knows.
    Leaf(L),
    /// An object field (named by its type) and its selection sets.
    Object(&'static str, Vec<&'a SelectionSet>),
}

/// The fields of `sets` (the selections of one response key, in order) on `type_name`,
/// one per response key; `field` names a leaf, or an object (with its type name) whose
/// sub-selections are gathered. `None`: beyond the fast path.
pub(crate) fn raw_plan<'a, L>(
    ctx: &ContextSelectionSet<'a>,
    sets: impl IntoIterator<Item = &'a SelectionSet>,
    type_name: &str,
    field: impl Fn(&str) -> Option<Result<L, &'static str>>,
) -> Option<Vec<(Name, Raw<'a, L>)>> {
    let mut sets = sets.into_iter();
    let mut fields = Vec::new();
    // async-graphql answers an object whose first selection came out empty as `null`,
    // and merges nothing into it.
    match sets.next() {
        Some(first) => collect(ctx, first, type_name, &mut fields)?,
        None => return Some(Vec::new()),
    }
    if fields.is_empty() {
        return Some(Vec::new());
    }
    for set in sets {
        collect(ctx, set, type_name, &mut fields)?;
    }
    let mut plan: Vec<(Name, Raw<'a, L>)> = Vec::new();
    for f in fields {
        let raw = match field(f.name.node.as_str())? {
            Ok(leaf) => {
                if !f.selection_set.node.items.is_empty() {
                    return None;
                }
                Raw::Leaf(leaf)
            }
            Err(object) => Raw::Object(object, vec![&f.selection_set.node]),
        };
        let key = &f.response_key().node;
        match plan.iter_mut().find(|(k, _)| k == key) {
            // The first occurrence wins; later ones merge into an object.
            Some((_, Raw::Object(first, sets))) => {
                if let Raw::Object(object, more) = raw
                    && object == *first
                {
                    sets.extend(more);
                } else {
                    return None;
                }
            }
            Some((_, Raw::Leaf(_))) => {
                if matches!(raw, Raw::Object(..)) {
                    return None;
                }
            }
            None => plan.push((key.clone(), raw)),
        }
    }
    Some(plan)
}

/// The plan of an object of leaves only.
pub(crate) fn leaf_plan<'a, L>(
    ctx: &ContextSelectionSet<'a>,
    sets: impl IntoIterator<Item = &'a SelectionSet>,
    type_name: &str,
    leaf: impl Fn(&str) -> Option<L>,
) -> Option<Vec<(Name, L)>> {
    raw_plan(ctx, sets, type_name, |name| leaf(name).map(Ok))?
        .into_iter()
        .map(|(key, raw)| match raw {
            Raw::Leaf(l) => Some((key, l)),
            Raw::Object(..) => None,
        })
        .collect()
}
