//! Plain fields: big lists answered in one loop, from the fields' one declaration.
//!
//! async-graphql resolves every object and every field through a boxed future, the
//! extension chain and a map insert: about a microsecond per field and several per
//! object, which is most of the time of an answer with thousands of small objects (a
//! national coverage matrix's ~33,000 cells, an activity's years of follow-ups).
//!
//! A field is *plain* when its resolver takes no argument and answers at its first poll
//! once the rows it needs are at hand — from the object itself, or from the request's
//! loader cache (a commitment's organization, a group's district). A type names its
//! plain resolvers with [`plain_fields!`](crate::plain_fields), which derives the type's
//! [`PlainObject`] table: it answers a plain field by *calling that same resolver* (and
//! polling it once). So a field is computed in one place only: a changed field answers
//! its new value on both paths, and a field not named is simply answered by the
//! ordinary execution.
//!
//! A list of such objects is returned as a [`PlainList`]. When the list's selection asks
//! only for plain fields (`__typename` included; nested plain objects and lists of
//! them too), its value is built in one loop by a *plan* made once per list: the response
//! keys in document order, fragments flattened, a key asked for twice answered once where
//! it first appears and objects asked for twice merged — as async-graphql's execution
//! does. (`@skip` and `@include` are gone by then: async-graphql applies them before
//! execution.) Anything beyond (an argument, another directive, a fragment on another
//! type, a field that is not plain) sends the whole list down the ordinary execution.
//!
//! A relation whose rows are not in the cache yet does not answer at its first poll. The
//! poll has done one thing all the same: the loader's `load_one` put the key in the
//! pending batch of its type before it waited, and the key stays there when the poll's
//! future is dropped — its wave loads it and, for a caching loader, keeps its row. So
//! the pass goes on over every item (so that all of them ask), then waits until that
//! wave has answered ([`RequestLoader::settled`]) and makes the next pass — one pass per
//! level of relations, in the same waves, with the same statements, as the ordinary
//! execution's when every row exists and every load succeeds. A pass that finds no
//! fewer fields missing than the one before (a load failed, a row is missing) leaves the
//! list to the ordinary execution, which answers with its errors; so does a loader that
//! does not cache (a WebSocket connection's). `SAMVERKAN_PLAIN_LISTS=false`
//! ([`OrdinaryOnly`]) turns the plain path off; `tests/api/plain_lists.rs` checks, on
//! generated selections, that a server with it and one without answer byte for byte
//! alike with as many statements.

use std::borrow::Cow;
use std::sync::OnceLock;

use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{Field, Selection, SelectionSet};
use async_graphql::registry::Registry;
use async_graphql::resolver_utils::resolve_list;

use super::batch::RequestLoader;
use super::raw::{RawJson, write_str};
use async_graphql::{
    Context, ContextSelectionSet, ID, Name, OutputType, Positioned, ServerResult, Value,
};

/// What a plain field answers.
pub enum Plain {
    /// A leaf, as its output type writes it.
    Leaf(Value),
    /// An object with plain fields of its own.
    Object(Box<dyn PlainDyn>),
    /// A list of such objects.
    List(Vec<Box<dyn PlainDyn>>),
}

/// The answer of one plain field of `T`.
pub type Answer<T> = for<'c> fn(&T, &Context<'c>) -> Option<Plain>;

/// An object type with plain fields, named with [`plain_fields!`](crate::plain_fields).
pub trait PlainObject: OutputType + Clone + Send + Sync + 'static {
    /// The plain fields: each resolver's Rust name and how to answer it (by calling it).
    const FIELDS: &'static [(&'static str, Answer<Self>)];
}

/// A [`PlainObject`] of any type (a nested object).
pub trait PlainDyn: Send + Sync {
    /// The GraphQL type name.
    fn type_name(&self) -> Cow<'static, str>;
    /// The plain fields' Rust names.
    fn names(&self) -> Vec<&'static str>;
    /// The answer of plain field `index` (asked for as `ctx`'s field); `None`: not at
    /// hand.
    fn answer(&self, index: usize, ctx: &Context<'_>) -> Option<Plain>;
}

impl<T: PlainObject> PlainDyn for T {
    fn type_name(&self) -> Cow<'static, str> {
        <T as OutputType>::type_name()
    }

    fn names(&self) -> Vec<&'static str> {
        T::FIELDS.iter().map(|(name, _)| *name).collect()
    }

    fn answer(&self, index: usize, ctx: &Context<'_>) -> Option<Plain> {
        T::FIELDS
            .get(index)
            .and_then(|(_, answer)| answer(self, ctx))
    }
}

/// A resolver's output, as a plain answer.
pub trait IntoPlain {
    /// `None` when the value cannot be answered plainly (an error, say).
    fn into_plain(self) -> Option<Plain>;
}

macro_rules! leaf {
    ($($t:ty => |$v:ident| $e:expr),* $(,)?) => {
        $(impl IntoPlain for $t {
            fn into_plain(self) -> Option<Plain> {
                let $v = self;
                Some(Plain::Leaf($e))
            }
        })*
    };
}

leaf! {
    i32 => |v| Value::from(v),
    u64 => |v| Value::from(v),
    f64 => |v| async_graphql::ScalarType::to_value(&v),
    usize => |v| Value::from(v),
    bool => |v| Value::Boolean(v),
    String => |v| Value::String(v),
    &str => |v| Value::String(v.to_owned()),
    ID => |v| Value::String(v.0),
    super::scalars::Date => |v| async_graphql::ScalarType::to_value(&v),
    super::scalars::DateTime => |v| async_graphql::ScalarType::to_value(&v),
}

impl<T: IntoPlain> IntoPlain for Option<T> {
    fn into_plain(self) -> Option<Plain> {
        match self {
            Some(v) => v.into_plain(),
            None => Some(Plain::Leaf(Value::Null)),
        }
    }
}

impl<T: IntoPlain, E> IntoPlain for Result<T, E> {
    fn into_plain(self) -> Option<Plain> {
        self.ok().and_then(IntoPlain::into_plain)
    }
}

impl<T: PlainObject> IntoPlain for T {
    fn into_plain(self) -> Option<Plain> {
        Some(Plain::Object(Box::new(self)))
    }
}

impl<T: PlainObject> IntoPlain for Vec<T> {
    fn into_plain(self) -> Option<Plain> {
        Some(Plain::List(
            self.into_iter()
                .map(|v| Box::new(v) as Box<dyn PlainDyn>)
                .collect(),
        ))
    }
}

impl<T: PlainObject> IntoPlain for PlainList<T> {
    fn into_plain(self) -> Option<Plain> {
        self.items.into_plain()
    }
}

/// Plain answers for enums: `plain_enums!(FollowUpStatus, Term)`.
#[macro_export]
macro_rules! plain_enums {
    ($($t:ty),* $(,)?) => {
        $(impl $crate::graphql::engine::plain::IntoPlain for $t {
            fn into_plain(self) -> Option<$crate::graphql::engine::plain::Plain> {
                Some($crate::graphql::engine::plain::Plain::Leaf(
                    async_graphql::resolver_utils::enum_value(self),
                ))
            }
        })*
    };
}

/// In a request's data: counts the lists answered by the plain path (the process's
/// `samverkan_plain_lists_total`).
#[derive(Debug, Clone, Default)]
pub struct PlainAnswers(std::sync::Arc<std::sync::atomic::AtomicU64>);

impl PlainAnswers {
    /// Lists answered by the plain path so far.
    pub fn get(&self) -> u64 {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn count(ctx: &ContextSelectionSet<'_>) {
        if let Some(answers) = ctx.data_opt::<PlainAnswers>() {
            answers.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
    }
}

/// In a request's data: every list is answered by the ordinary execution
/// (`SAMVERKAN_PLAIN_LISTS=false`).
#[derive(Debug, Clone, Copy)]
pub struct OrdinaryOnly;

/// A list of objects with plain fields (GraphQL: the list of `T`, as `Vec<T>` is).
#[derive(Debug, Clone)]
pub struct PlainList<T> {
    items: Vec<T>,
    /// Whether an HTTP answer may take the list as JSON text (see [`super::raw`]).
    as_json: bool,
}

impl<T> From<Vec<T>> for PlainList<T> {
    fn from(items: Vec<T>) -> Self {
        Self {
            items,
            as_json: false,
        }
    }
}

impl<T> AsRef<[T]> for PlainList<T> {
    fn as_ref(&self) -> &[T] {
        &self.items
    }
}

impl<T> PlainList<T> {
    /// A list whose plain answer an HTTP request writes as JSON text, spliced into the
    /// answer. Only for a list whose response key is asked for once: async-graphql merges
    /// the answers of a key asked for twice, and text cannot be merged.
    pub fn as_json(items: Vec<T>) -> Self {
        Self {
            items,
            as_json: true,
        }
    }
}

impl<T: PlainObject> OutputType for PlainList<T> {
    fn type_name() -> Cow<'static, str> {
        <Vec<T> as OutputType>::type_name()
    }

    fn qualified_type_name() -> String {
        <Vec<T> as OutputType>::qualified_type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        <Vec<T> as OutputType>::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        let names: Vec<&'static str> = T::FIELDS.iter().map(|(n, _)| *n).collect();
        let type_name = T::type_name();
        let plan = match ctx.data_opt::<OrdinaryOnly>() {
            Some(_) => None,
            None => Plan::new(ctx, [&ctx.item.node], &type_name, &names),
        };
        if let Some(plan) = plan {
            let raw = ctx.data_opt::<RawJson>().filter(|_| self.as_json);
            let loader = ctx.data_opt::<RequestLoader>().filter(|l| l.caches());
            let mut before = usize::MAX;
            for round in 1..=ROUNDS {
                let mut missing = 0;
                let items = self.items.iter().map(|i| i as &dyn PlainDyn);
                if let Some(raw) = raw {
                    let mut out = Vec::with_capacity(64 * self.items.len());
                    if plan
                        .write_list(ctx, items, &mut out, &mut missing)
                        .is_none()
                    {
                        break;
                    }
                    if missing == 0 {
                        PlainAnswers::count(ctx);
                        return Ok(raw.placeholder(out));
                    }
                } else {
                    let Some(built) = items
                        .map(|item| plan.build(ctx, item, &mut missing))
                        .collect::<Option<Vec<Value>>>()
                    else {
                        break;
                    };
                    if missing == 0 {
                        PlainAnswers::count(ctx);
                        return Ok(Value::List(built));
                    }
                }
                // Rows not yet at hand (a relation not in the request's cache): the pass
                // asked for their keys; look again when their wave has answered — unless
                // the last wave brought none of them (a load failed, a row is missing):
                // then the ordinary execution answers, with its errors.
                if missing >= before {
                    break;
                }
                before = missing;
                let waited = match loader {
                    Some(loader) if round < ROUNDS => loader.settled().await,
                    _ => false,
                };
                if !waited {
                    break;
                }
            }
        }
        resolve_list(
            ctx,
            field,
            self.items.iter().cloned(),
            Some(self.items.len()),
        )
        .await
    }
}

/// How many passes a plain list makes over its items before it leaves them to the
/// ordinary execution: one per level of relations whose rows come by a wave of the
/// request's loader (a commitment's group, the group's district: three passes).
const ROUNDS: usize = 6;

/// How one response key is answered.
enum Step<'a> {
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
struct Plan<'a> {
    type_name: String,
    steps: Vec<(Name, Step<'a>)>,
}

impl<'a> Plan<'a> {
    /// The plan of `sets` (the selections of one response key, in order) on objects of
    /// `type_name` whose plain fields are `names`; `None`: beyond plain fields.
    fn new(
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
    fn build(
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
    fn write_list<'o>(
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

/// Name the plain fields of an object type: `plain_fields!(Method: id, slug, name);`.
///
/// Each name is a resolver of the type's one `#[Object]` impl that needs nothing but the
/// object; the type's [`PlainObject`] table answers the field by calling that resolver
/// (polled once) — no second way to compute it. A name that is no resolver does not
/// compile; a field left out is answered by the ordinary execution.
#[macro_export]
macro_rules! plain_fields {
    ($ty:ty: $($f:ident),* $(,)?) => {
        impl $crate::graphql::engine::plain::PlainObject for $ty {
            const FIELDS: &'static [(&'static str, $crate::graphql::engine::plain::Answer<Self>)] = &[
                $((stringify!($f), |object: &Self, ctx: &async_graphql::Context<'_>| {
                    futures_util::FutureExt::now_or_never(object.$f(ctx))
                        .and_then($crate::graphql::engine::plain::IntoPlain::into_plain)
                })),*
            ];
        }
    };
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
