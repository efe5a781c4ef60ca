//! What the domain modules of the GraphQL layer share: the engine's helpers, global IDs,
//! the relations, the write path, and each other's types (the graph links them all).

pub(crate) use super::activities::*;
pub(crate) use super::audit::*;
pub(crate) use super::catalogue::organizations::*;
pub(crate) use super::catalogue::places::*;
pub(crate) use super::catalogue::strategies::*;
pub(crate) use super::commitments::*;
pub(crate) use super::engine::pagination::{
    Page, PageArgs, fetch_page, page_args, page_query, page_query_with, page_vec, selects_of_items,
    selects_of_items_at, wants_kept_total, wants_total,
};
pub(crate) use super::engine::plain::PlainList;
pub(crate) use super::engine::{
    keep, load, load_many, load_required, own_load_error, priming_reader,
};
pub(crate) use super::follow_ups::*;
pub(crate) use super::group_follow_ups::*;
pub(crate) use super::groups::*;
pub(crate) use super::ids::{NodeType, decode, decode_as, encode};
pub(crate) use super::obligations::*;
pub(crate) use super::participations::*;
pub(crate) use super::plans::*;
pub(crate) use super::provenance::{Provenance, SourceDocument};
pub(crate) use super::relations::*;
pub(crate) use super::situations::*;
pub(crate) use super::viewer::*;
pub(crate) use super::write::*;
// Issue 14: indicators, targets, measurements, target groups.
pub(crate) use super::targets::*;
pub(crate) use super::{actor, state};
pub(crate) use crate::auth::Role;
pub(crate) use crate::error::{AppError, AppResult};
pub(crate) use crate::events::{Event, EventBus, EventKind};
pub(crate) use crate::services::authz::{self, Actor, Denied};
pub(crate) use crate::services::obligations;
pub(crate) use crate::services::plans::Patch;
pub(crate) use crate::services::{admin, commitments, follow_ups, groups, plans, queries, terms};
pub(crate) use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
