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

mod plan;

use std::borrow::Cow;

use async_graphql::parser::types::Field;
use async_graphql::registry::Registry;
use async_graphql::resolver_utils::resolve_list;

use super::batch::RequestLoader;
use super::raw::{RawJson, unmerged};
use async_graphql::{
    Context, ContextSelectionSet, ID, OutputType, Positioned, ServerResult, Value,
};
use plan::Plan;
pub use plan::snake_case;

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
}

impl<T> From<Vec<T>> for PlainList<T> {
    fn from(items: Vec<T>) -> Self {
        Self { items }
    }
}

impl<T> FromIterator<T> for PlainList<T> {
    fn from_iter<I: IntoIterator<Item = T>>(items: I) -> Self {
        Self {
            items: items.into_iter().collect(),
        }
    }
}

impl<T> AsRef<[T]> for PlainList<T> {
    fn as_ref(&self) -> &[T] {
        &self.items
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
            // Written as JSON text when no other answer is to be merged into it.
            let raw = ctx.data_opt::<RawJson>().filter(|_| unmerged(ctx));
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
