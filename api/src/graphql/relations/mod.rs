//! Batch loading of every relation (no N+1).
//!
//! The relations are keys the engine's [`Reader`] can load (`impl Loader<Key> for
//! Reader`); the request's [`RequestLoader`](super::engine::batch::RequestLoader)
//! batches them by wave (see [`super::engine::batch`]). Each relation has its own key
//! type; all keys of one type requested
//! while a level of the query resolves are fetched with one SQL statement. So a request
//! costs a number of statements bounded by its depth, however many rows it touches.
//!
//! Rows that are nearly always shown with the row they belong to come *with* it, by a
//! join, and prime the cache of their own key: a seat, commitment or responsibility
//! brings its organization (a commitment named by its ID also its group), an
//! activity its priority and focus area, a district its municipality. The
//! `organization { name }` under them then costs no statement.
//!
//! Three shapes of relation:
//! - *by id* (`DistrictId(7)` → the district),
//! - *has many* (`GroupsOfDistrict(7)` → all groups of district 7, ordered by id),
//! - *many to many* through a link table (`MethodsOfActivity`, `DistrictsOfOrganization`…),
//!   fetched with one join.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use entity::*;
use sea_orm::sea_query::SelectStatement;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, JoinType, QueryFilter,
    QueryOrder, QueryResult, QuerySelect, QueryTrait, RelationTrait, Select, Value,
};

use super::engine::pagination::{Fetched, total_in};
use super::engine::{LoadError, Reader, kept};

/// What comes with a relation's rows by a join, priming the cache of its own key: how
/// the statement is joined, and how its results are read.
trait Joined<E: EntityTrait> {
    /// `select` with the joins.
    fn query(select: Select<E>) -> SelectStatement;
    /// The rows of `results`; what came with them primes the request's cache.
    fn read(reader: &Reader, results: &[QueryResult]) -> Result<Vec<E::Model>, DbErr>;
}

/// The rows alone.
struct Alone;

impl<E: EntityTrait> Joined<E> for Alone {
    fn query(select: Select<E>) -> SelectStatement {
        select.into_query()
    }
    fn read(_: &Reader, results: &[QueryResult]) -> Result<Vec<E::Model>, DbErr> {
        results
            .iter()
            .map(|r| E::Model::from_query_result(r, ""))
            .collect()
    }
}

/// The rows with the organizations they point at, which prime [`OrganizationId`].
struct WithOrganization;

impl<E> Joined<E> for WithOrganization
where
    E: EntityTrait + sea_orm::Related<organization::Entity>,
{
    fn query(select: Select<E>) -> SelectStatement {
        select.find_also_related(organization::Entity).into_query()
    }
    fn read(reader: &Reader, results: &[QueryResult]) -> Result<Vec<E::Model>, DbErr> {
        let mut rows = Vec::with_capacity(results.len());
        for result in results {
            if let Some(org) = organization::Model::from_query_result_optional(result, "B_")? {
                reader.primer.prime(OrganizationId(org.id), org);
            }
            rows.push(E::Model::from_query_result(result, "A_")?);
        }
        Ok(rows)
    }
}

/// Activities with their priority and focus areas, which prime [`PriorityAreaId`] and
/// [`FocusAreaId`].
struct WithAreas;

impl Joined<activity::Entity> for WithAreas {
    fn query(select: Select<activity::Entity>) -> SelectStatement {
        select
            .find_also_related(priority_area::Entity)
            .find_also_related(focus_area::Entity)
            .into_query()
    }
    fn read(reader: &Reader, results: &[QueryResult]) -> Result<Vec<activity::Model>, DbErr> {
        let mut rows = Vec::with_capacity(results.len());
        for result in results {
            if let Some(p) = priority_area::Model::from_query_result_optional(result, "B_")? {
                reader.primer.prime(PriorityAreaId(p.id), p);
            }
            if let Some(f) = focus_area::Model::from_query_result_optional(result, "C_")? {
                reader.primer.prime(FocusAreaId(f.id), f);
            }
            rows.push(activity::Model::from_query_result(result, "A_")?);
        }
        Ok(rows)
    }
}

/// Districts with their municipalities, which prime [`MunicipalityId`].
struct WithMunicipality;

impl Joined<district::Entity> for WithMunicipality {
    fn query(select: Select<district::Entity>) -> SelectStatement {
        select.find_also_related(municipality::Entity).into_query()
    }
    fn read(reader: &Reader, results: &[QueryResult]) -> Result<Vec<district::Model>, DbErr> {
        let mut rows = Vec::with_capacity(results.len());
        for result in results {
            if let Some(m) = municipality::Model::from_query_result_optional(result, "B_")? {
                reader.primer.prime(MunicipalityId(m.id), m);
            }
            rows.push(district::Model::from_query_result(result, "A_")?);
        }
        Ok(rows)
    }
}

/// The rows with the organizations and the collaboration groups they point at, which
/// prime [`OrganizationId`] and [`CollaborationGroupId`]: a commitment is nearly always
/// shown with whose it is and in which group.
struct WithOrganizationAndGroup;

impl<E> Joined<E> for WithOrganizationAndGroup
where
    E: EntityTrait
        + sea_orm::Related<organization::Entity>
        + sea_orm::Related<collaboration_group::Entity>,
{
    fn query(select: Select<E>) -> SelectStatement {
        select
            .find_also_related(organization::Entity)
            .find_also_related(collaboration_group::Entity)
            .into_query()
    }
    fn read(reader: &Reader, results: &[QueryResult]) -> Result<Vec<E::Model>, DbErr> {
        results
            .iter()
            .map(|result| reader.read_with_organization_and_group::<E>(result, false))
            .collect()
    }
}

impl Reader {
    /// The rows `select(keys)` finds, with what `J` joins to them, in one statement. Its
    /// SQL text is built once per relation and count of keys ([`kept`]); `select` must
    /// capture nothing (checked at compile time).
    async fn keyed<E, J, V, F>(&self, keys: Vec<V>, select: F) -> Result<Vec<E::Model>, LoadError>
    where
        E: EntityTrait,
        J: Joined<E> + 'static,
        V: Into<Value> + Clone,
        F: Fn(Vec<V>) -> Select<E> + Copy + 'static,
    {
        let backend = self.db.get_database_backend();
        let statement = kept::keyed(backend, keys, move |keys| J::query(select(keys)));
        let results = self.db.query_all_raw(statement).await?;
        Ok(J::read(self, &results)?)
    }

    /// One result of a statement joined as [`WithOrganizationAndGroup`] (and, when
    /// `districts`, the groups' districts as `D_`): the row, its organization and group
    /// (and district) priming the cache.
    fn read_with_organization_and_group<E: EntityTrait>(
        &self,
        result: &QueryResult,
        districts: bool,
    ) -> Result<E::Model, DbErr> {
        if let Some(org) = organization::Model::from_query_result_optional(result, "B_")? {
            self.primer.prime(OrganizationId(org.id), org);
        }
        if let Some(group) = collaboration_group::Model::from_query_result_optional(result, "C_")? {
            self.primer.prime(CollaborationGroupId(group.id), group);
        }
        if districts && let Some(d) = district::Model::from_query_result_optional(result, "D_")? {
            self.primer.prime(DistrictId(d.id), d);
        }
        E::Model::from_query_result(result, "A_")
    }

    /// The rows of a page of a root list joined as [`WithOrganizationAndGroup`], in one
    /// statement: also the groups' districts when `districts` (priming [`DistrictId`]),
    /// and the connection's `totalCount` when the page's `SELECT` carries it
    /// ([`TOTAL_COLUMN`](super::engine::pagination::TOTAL_COLUMN), see `page_query_with`).
    pub(crate) async fn page_with_organizations_and_groups<E>(
        &self,
        select: Select<E>,
        districts: bool,
    ) -> Result<Fetched<E::Model>, LoadError>
    where
        E: EntityTrait
            + sea_orm::Related<organization::Entity>
            + sea_orm::Related<collaboration_group::Entity>,
    {
        let joined = select
            .find_also_related(organization::Entity)
            .find_also_related(collaboration_group::Entity);
        let query = if districts {
            joined
                .find_also(collaboration_group::Entity, district::Entity)
                .into_query()
        } else {
            joined.into_query()
        };
        let backend = self.db.get_database_backend();
        let results = self.db.query_all_raw(backend.build(&query)).await?;
        let rows = results
            .iter()
            .map(|result| self.read_with_organization_and_group::<E>(result, districts))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Fetched {
            total: total_in(&results, "A_"),
            rows,
        })
    }
}

/// What a relation's rows come with (see [`Joined`]): nothing, or `organization`,
/// `areas`, `municipality`, `organization_and_group`.
macro_rules! joined {
    () => {
        Alone
    };
    (organization) => {
        WithOrganization
    };
    (areas) => {
        WithAreas
    };
    (municipality) => {
        WithMunicipality
    };
    (organization_and_group) => {
        WithOrganizationAndGroup
    };
}

/// A row by id. `, with X`: fetched with what is joined to it (see [`joined!`]).
macro_rules! by_id {
    ($(#[$doc:meta])* $key:ident => $module:ident $(, with $also:ident)?) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $key(pub i32);

        impl Loader<$key> for Reader {
            type Value = $module::Model;
            type Error = LoadError;

            async fn load(&self, keys: &[$key]) -> Result<HashMap<$key, Self::Value>, Self::Error> {
                let ids: Vec<i32> = keys.iter().map(|k| k.0).collect();
                let rows = self
                    .keyed::<_, joined!($($also)?), _, _>(ids, |ids| {
                        $module::Entity::find().filter($module::Column::Id.is_in(ids))
                    })
                    .await?;
                Ok(rows.into_iter().map(|m| ($key(m.id), m)).collect())
            }
        }
    };
}

/// Rows grouped under their parents' keys; every key is there, perhaps with no rows.
fn group_by_parent<K, M>(
    keys: &[K],
    rows: impl IntoIterator<Item = M>,
    parent: impl Fn(&M) -> Option<K>,
) -> HashMap<K, Vec<M>>
where
    K: Copy + Eq + std::hash::Hash,
{
    let mut out: HashMap<K, Vec<M>> = keys.iter().map(|k| (*k, Vec::new())).collect();
    for row in rows {
        if let Some(key) = parent(&row) {
            out.entry(key).or_default().push(row);
        }
    }
    out
}

/// A has-many relation: all children of the batch's parents in one statement, ordered
/// by id. `, with X`: the children come with what is joined to them (see [`joined!`]).
macro_rules! has_many {
    ($(#[$doc:meta])* $key:ident => $module:ident by $column:ident, $fk:expr $(, with $also:ident)?) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $key(pub i32);

        impl Loader<$key> for Reader {
            type Value = Vec<$module::Model>;
            type Error = LoadError;

            async fn load(&self, keys: &[$key]) -> Result<HashMap<$key, Self::Value>, Self::Error> {
                let ids: Vec<i32> = keys.iter().map(|k| k.0).collect();
                let rows = self
                    .keyed::<_, joined!($($also)?), _, _>(ids, |ids| {
                        $module::Entity::find()
                            .filter($module::Column::$column.is_in(ids))
                            .order_by_asc($module::Column::Id)
                    })
                    .await?;
                let fk: fn(&$module::Model) -> Option<i32> = $fk;
                Ok(group_by_parent(keys, rows, |row| fk(row).map($key)))
            }
        }
    };
}

by_id!(/// A municipality by id.
    MunicipalityId => municipality);
by_id!(/// An organization by id.
    OrganizationId => organization);
by_id!(/// A strategy by id.
    StrategyId => strategy);
by_id!(/// A priority area by id.
    PriorityAreaId => priority_area);
by_id!(/// A focus area by id.
    FocusAreaId => focus_area);
by_id!(/// A method by id.
    MethodId => method);
by_id!(/// A group of the identity provider by id.
    ProviderGroupId => provider_group);
by_id!(/// An action plan by id.
    ActionPlanId => action_plan);
by_id!(/// An activity by id (with its areas).
    ActivityId => activity, with areas);
by_id!(/// A district by id (with its municipality).
    DistrictId => district, with municipality);
by_id!(/// A responsibility by id (with its organization).
    ResponsibilityId => responsibility, with organization);
by_id!(/// A follow-up by id.
    FollowUpId => follow_up);
by_id!(/// A collaboration area by id.
    CollaborationAreaId => collaboration_area);
by_id!(/// A collaboration group by id.
    CollaborationGroupId => collaboration_group);
by_id!(/// A participation by id (with its organization).
    ParticipationId => participation, with organization);
by_id!(/// A commitment by id (with its organization and group).
    CommitmentId => commitment, with organization_and_group);

has_many!(/// The districts of a municipality.
    DistrictsOfMunicipality => district by MunicipalityId, |m| Some(m.municipality_id));
has_many!(/// The strategies of a municipality.
    StrategiesOfMunicipality => strategy by MunicipalityId, |m| Some(m.municipality_id));
has_many!(/// The child organizations of an organization.
    ChildrenOfOrganization => organization by ParentId, |m| m.parent_id);
has_many!(/// The priority areas of a strategy.
    PriorityAreasOfStrategy => priority_area by StrategyId, |m| Some(m.strategy_id));
has_many!(/// The focus areas of a priority area.
    FocusAreasOfPriorityArea => focus_area by PriorityAreaId, |m| Some(m.priority_area_id));
has_many!(/// The action plans following a strategy.
    ActionPlansOfStrategy => action_plan by StrategyId, |m| m.strategy_id);
has_many!(/// The action plans of a district.
    ActionPlansOfDistrict => action_plan by DistrictId, |m| m.district_id);
has_many!(/// The action plans an organization owns.
    ActionPlansOfOrganization => action_plan by OrganizationId, |m| m.organization_id);
has_many!(/// The activities of an action plan (with their areas).
    ActivitiesOfPlan => activity by ActionPlanId, |m| Some(m.action_plan_id), with areas);
has_many!(/// The activities under a priority area.
    ActivitiesOfPriorityArea => activity by PriorityAreaId, |m| m.priority_area_id);
has_many!(/// The activities under a focus area.
    ActivitiesOfFocusArea => activity by FocusAreaId, |m| m.focus_area_id);
has_many!(/// The responsibilities of an activity.
    ResponsibilitiesOfActivity => responsibility by ActivityId, |m| Some(m.activity_id), with organization);
has_many!(/// The responsibilities an organization carries.
    ResponsibilitiesOfOrganization => responsibility by OrganizationId, |m| Some(m.organization_id));
has_many!(/// The follow-ups of an activity.
    FollowUpsOfActivity => follow_up by ActivityId, |m| Some(m.activity_id));
has_many!(/// The collaboration areas of a district.
    AreasOfDistrict => collaboration_area by DistrictId, |m| Some(m.district_id));
has_many!(/// The collaboration groups of a district.
    GroupsOfDistrict => collaboration_group by DistrictId, |m| Some(m.district_id));
has_many!(/// The collaboration groups of a collaboration area.
    GroupsOfArea => collaboration_group by CollaborationAreaId, |m| m.collaboration_area_id);
has_many!(/// The participations of a group.
    ParticipationsOfGroup => participation by GroupId, |m| Some(m.group_id), with organization);
has_many!(/// The participations of an organization.
    ParticipationsOfOrganization => participation by OrganizationId, |m| Some(m.organization_id));
has_many!(/// The commitments made in a group.
    CommitmentsOfGroup => commitment by GroupId, |m| Some(m.group_id), with organization);
has_many!(/// The commitments of an organization, in every group.
    CommitmentsOfOrganization => commitment by OrganizationId, |m| Some(m.organization_id));

/// An organization by slug (the `org` claim of a token). It comes with the districts it
/// serves (one statement, a join), which prime [`DistrictsOfOrganization`]: resolving a
/// request's actor needs both.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OrganizationSlug(pub String);

impl Loader<OrganizationSlug> for Reader {
    type Value = organization::Model;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[OrganizationSlug],
    ) -> Result<HashMap<OrganizationSlug, Self::Value>, Self::Error> {
        let slugs: Vec<String> = keys.iter().map(|k| k.0.clone()).collect();
        let rows = organization::Entity::find()
            .filter(organization::Column::Slug.is_in(slugs))
            .join(
                JoinType::LeftJoin,
                organization_district::Relation::Organization.def().rev(),
            )
            .join(
                JoinType::LeftJoin,
                organization_district::Relation::District.def(),
            )
            .select_also(district::Entity)
            .order_by_asc(district::Column::Id)
            .all(&self.db)
            .await
            .map_err(Arc::new)?;
        let mut out: HashMap<OrganizationSlug, (Self::Value, Vec<district::Model>)> =
            HashMap::new();
        for (org, served) in rows {
            let entry = out
                .entry(OrganizationSlug(org.slug.clone()))
                .or_insert_with(|| (org, Vec::new()));
            entry.1.extend(served);
        }
        Ok(out
            .into_iter()
            .map(|(key, (org, served))| {
                self.primer.prime(DistrictsOfOrganization(org.id), served);
                (key, org)
            })
            .collect())
    }
}

/// The districts (by slug) a token names.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DistrictSlug(pub String);

impl Loader<DistrictSlug> for Reader {
    type Value = district::Model;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[DistrictSlug],
    ) -> Result<HashMap<DistrictSlug, Self::Value>, Self::Error> {
        let slugs: Vec<String> = keys.iter().map(|k| k.0.clone()).collect();
        let rows = self
            .keyed::<_, WithMunicipality, _, _>(slugs, |slugs| {
                district::Entity::find().filter(district::Column::Slug.is_in(slugs))
            })
            .await?;
        Ok(rows
            .into_iter()
            .map(|m| (DistrictSlug(m.slug.clone()), m))
            .collect())
    }
}

/// A municipality by slug (the `municipalities` claim of a municipality admin's token),
/// with its districts: one statement for every slug of a batch.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MunicipalitySlug(pub String);

impl Loader<MunicipalitySlug> for Reader {
    type Value = (municipality::Model, Vec<district::Model>);
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[MunicipalitySlug],
    ) -> Result<HashMap<MunicipalitySlug, Self::Value>, Self::Error> {
        let slugs: Vec<String> = keys.iter().map(|k| k.0.clone()).collect();
        use sea_orm::{JoinType, QuerySelect, RelationTrait};
        // A left join: a municipality without districts is still found.
        let rows = municipality::Entity::find()
            .filter(municipality::Column::Slug.is_in(slugs))
            .join(
                JoinType::LeftJoin,
                district::Relation::Municipality.def().rev(),
            )
            .select_also(district::Entity)
            .order_by_asc(district::Column::Id)
            .all(&self.db)
            .await
            .map_err(Arc::new)?;
        let mut out: HashMap<MunicipalitySlug, Self::Value> = HashMap::new();
        for (m, d) in rows {
            let entry = out
                .entry(MunicipalitySlug(m.slug.clone()))
                .or_insert_with(|| (m, Vec::new()));
            entry.1.extend(d);
        }
        Ok(out)
    }
}

/// The commitments one organization made in one group (its seat's promises).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CommitmentsOfParticipation {
    /// The group.
    pub group_id: i32,
    /// The organization.
    pub organization_id: i32,
}

impl Loader<CommitmentsOfParticipation> for Reader {
    type Value = Vec<commitment::Model>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[CommitmentsOfParticipation],
    ) -> Result<HashMap<CommitmentsOfParticipation, Self::Value>, Self::Error> {
        let groups: Vec<i32> = keys.iter().map(|k| k.group_id).collect();
        // Every commitment of the groups: the seats not asked about get theirs too.
        let rows = self
            .keyed::<_, WithOrganization, _, _>(groups, |groups| {
                commitment::Entity::find()
                    .filter(commitment::Column::GroupId.is_in(groups))
                    .order_by_asc(commitment::Column::Id)
            })
            .await?;
        Ok(group_by_parent(keys, rows, |row| {
            Some(CommitmentsOfParticipation {
                group_id: row.group_id,
                organization_id: row.organization_id,
            })
        }))
    }
}

macro_rules! many_to_many {
    ($(#[$doc:meta])* $key:ident => $target:ident via $link:ident . $from:ident / $link_field:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $key(pub i32);

        impl Loader<$key> for Reader {
            type Value = Vec<$target::Model>;
            type Error = LoadError;

            async fn load(&self, keys: &[$key]) -> Result<HashMap<$key, Self::Value>, Self::Error> {
                let ids: Vec<i32> = keys.iter().map(|k| k.0).collect();
                let select = $link::Entity::find()
                    .find_also_related($target::Entity)
                    .filter($link::Column::$from.is_in(ids))
                    .order_by_asc($target::Column::Id);
                let rows = select.all(&self.db).await.map_err(Arc::new)?;
                let mut out: HashMap<$key, Self::Value> =
                    keys.iter().map(|k| (*k, Vec::new())).collect();
                for (link, target) in rows {
                    if let Some(target) = target {
                        out.entry($key(link.$link_field)).or_default().push(target);
                    }
                }
                Ok(out)
            }
        }
    };
}

many_to_many!(/// The methods an activity uses.
    MethodsOfActivity => method via activity_method.ActivityId / activity_id);
many_to_many!(/// The activities that use a method.
    ActivitiesOfMethod => activity via activity_method.MethodId / method_id);
many_to_many!(/// The districts an organization serves.
    DistrictsOfOrganization => district via organization_district.OrganizationId / organization_id);
many_to_many!(/// The organizations that serve a district.
    OrganizationsOfDistrict => organization via organization_district.DistrictId / district_id);

/// The audit events of one node (type name and row id), oldest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AuditOfNode(pub &'static str, pub i32);

impl Loader<AuditOfNode> for Reader {
    type Value = Vec<entity::audit_event::Model>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[AuditOfNode],
    ) -> Result<HashMap<AuditOfNode, Self::Value>, Self::Error> {
        use entity::audit_event;
        let ids: Vec<i32> = keys.iter().map(|k| k.1).collect();
        let types: Vec<&str> = keys.iter().map(|k| k.0).collect();
        let select = audit_event::Entity::find()
            .filter(audit_event::Column::NodeId.is_in(ids))
            .filter(audit_event::Column::NodeType.is_in(types))
            .order_by_asc(audit_event::Column::Id);
        let rows = self.rows(select).await?;
        let mut out: HashMap<AuditOfNode, Self::Value> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for row in rows {
            let key = AuditOfNode(
                keys.iter()
                    .find(|k| k.0 == row.node_type)
                    .map(|k| k.0)
                    .unwrap_or_default(),
                row.node_id,
            );
            if let Some(list) = out.get_mut(&key) {
                list.push(row);
            }
        }
        Ok(out)
    }
}

// The city's cycle (issue 14): lineage, obligations, situation pictures, provenance,
// targets and groups everywhere. After the macros above, which it uses.
mod cycle;
pub use cycle::*;
