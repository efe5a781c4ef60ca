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
//! brings its organization, an activity its priority and focus area, a district its
//! municipality. The `organization { name }` under them then costs no statement.
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
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Select};

use super::engine::{LoadError, Reader};

impl Reader {
    /// The rows of `select` with the organizations they point at (one join); the
    /// organizations prime [`OrganizationId`].
    async fn with_organizations<E>(&self, select: Select<E>) -> Result<Vec<E::Model>, LoadError>
    where
        E: EntityTrait + sea_orm::Related<organization::Entity>,
    {
        let rows = select
            .find_also_related(organization::Entity)
            .all(&self.db)
            .await
            .map_err(Arc::new)?;
        Ok(rows
            .into_iter()
            .map(|(row, org)| {
                if let Some(org) = org {
                    self.primer.prime(OrganizationId(org.id), org);
                }
                row
            })
            .collect())
    }

    /// The activities of `select` with their priority and focus areas (one statement),
    /// which prime [`PriorityAreaId`] and [`FocusAreaId`].
    async fn with_areas(
        &self,
        select: Select<activity::Entity>,
    ) -> Result<Vec<activity::Model>, LoadError> {
        let rows = select
            .find_also_related(priority_area::Entity)
            .find_also_related(focus_area::Entity)
            .all(&self.db)
            .await
            .map_err(Arc::new)?;
        Ok(rows
            .into_iter()
            .map(|(row, priority, focus)| {
                if let Some(p) = priority {
                    self.primer.prime(PriorityAreaId(p.id), p);
                }
                if let Some(f) = focus {
                    self.primer.prime(FocusAreaId(f.id), f);
                }
                row
            })
            .collect())
    }

    /// The districts of `select` with their municipalities (one statement), which prime
    /// [`MunicipalityId`].
    async fn with_municipality(
        &self,
        select: Select<district::Entity>,
    ) -> Result<Vec<district::Model>, LoadError> {
        let rows = select
            .find_also_related(municipality::Entity)
            .all(&self.db)
            .await
            .map_err(Arc::new)?;
        Ok(rows
            .into_iter()
            .map(|(row, m)| {
                if let Some(m) = m {
                    self.primer.prime(MunicipalityId(m.id), m);
                }
                row
            })
            .collect())
    }
}

/// The rows of a select, alone or `with` what is joined to them (see the `with_*`
/// methods of [`Reader`] here).
macro_rules! fetch {
    ($loader:ident, $select:ident) => {
        $loader.rows($select).await?
    };
    ($loader:ident, $select:ident, organization) => {
        $loader.with_organizations($select).await?
    };
    ($loader:ident, $select:ident, areas) => {
        $loader.with_areas($select).await?
    };
    ($loader:ident, $select:ident, municipality) => {
        $loader.with_municipality($select).await?
    };
}

/// A row by id. `, with X`: fetched with what is joined to it (see [`fetch!`]).
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
                let select = $module::Entity::find().filter($module::Column::Id.is_in(ids));
                let loader = self;
                let rows = fetch!(loader, select $(, $also)?);
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
/// by id. `, with X`: the children come with what is joined to them (see [`fetch!`]).
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
                let select = $module::Entity::find()
                    .filter($module::Column::$column.is_in(ids))
                    .order_by_asc($module::Column::Id);
                let loader = self;
                let rows = fetch!(loader, select $(, $also)?);
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
by_id!(/// An action plan by id.
    ActionPlanId => action_plan);
by_id!(/// An activity by id (with its areas).
    ActivityId => activity, with areas);
by_id!(/// A district by id (with its municipality).
    DistrictId => district, with municipality);
by_id!(/// A responsibility by id.
    ResponsibilityId => responsibility);
by_id!(/// A follow-up by id.
    FollowUpId => follow_up);
by_id!(/// A collaboration area by id.
    CollaborationAreaId => collaboration_area);
by_id!(/// A collaboration group by id.
    CollaborationGroupId => collaboration_group);
by_id!(/// A participation by id.
    ParticipationId => participation);
by_id!(/// A commitment by id.
    CommitmentId => commitment);

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

/// An organization by slug (the `org` claim of a token).
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
        let rows = self
            .rows(organization::Entity::find().filter(organization::Column::Slug.is_in(slugs)))
            .await?;
        Ok(rows
            .into_iter()
            .map(|m| (OrganizationSlug(m.slug.clone()), m))
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
            .with_municipality(district::Entity::find().filter(district::Column::Slug.is_in(slugs)))
            .await?;
        Ok(rows
            .into_iter()
            .map(|m| (DistrictSlug(m.slug.clone()), m))
            .collect())
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
        let select = commitment::Entity::find()
            .filter(commitment::Column::GroupId.is_in(groups))
            .order_by_asc(commitment::Column::Id);
        // Every commitment of the groups: the seats not asked about get theirs too.
        let rows = self.with_organizations(select).await?;
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

// --- The city's cycle (issue 14): lineage, obligations, situation pictures ------------

has_many!(/// The strategies that succeed a strategy (whose predecessor it is).
    SuccessorsOfStrategy => strategy by PredecessorId, |m| m.predecessor_id);
has_many!(/// The priority areas that continue a predecessor's priority area.
    PriorityAreasContinuing => priority_area by ContinuesId, |m| m.continues_id);
has_many!(/// The focus areas that continue a predecessor's focus area.
    FocusAreasContinuing => focus_area by ContinuesId, |m| m.continues_id);

by_id!(/// An obligation by id.
    ObligationId => obligation);
by_id!(/// A situation picture by id.
    SituationPictureId => situation_picture);
by_id!(/// A finding by id.
    FindingId => finding);
by_id!(/// A cause analysis by id.
    CauseAnalysisId => cause_analysis);

has_many!(/// The obligations a strategy sets.
    ObligationsOfStrategy => obligation by StrategyId, |m| Some(m.strategy_id));
has_many!(/// The obligations an organization owes.
    ObligationsOfOrganization => obligation by OrganizationId, |m| Some(m.organization_id));
has_many!(/// The situation pictures an organization made.
    SituationPicturesOfOrganization => situation_picture by OrganizationId, |m| Some(m.organization_id));
has_many!(/// The sources of a situation picture.
    SourcesOfSituationPicture => situation_source by SituationPictureId, |m| Some(m.situation_picture_id));
has_many!(/// The findings of a situation picture.
    FindingsOfSituationPicture => finding by SituationPictureId, |m| Some(m.situation_picture_id));
has_many!(/// The cause analysis of a situation picture (at most one).
    CauseAnalysesOfSituationPicture => cause_analysis by SituationPictureId, |m| Some(m.situation_picture_id));
has_many!(/// The causes of a cause analysis.
    CausesOfAnalysis => cause by CauseAnalysisId, |m| Some(m.cause_analysis_id));
has_many!(/// The action plans resting on a situation picture.
    ActionPlansOfSituationPicture => action_plan by SituationPictureId, |m| m.situation_picture_id);

/// Rows reached through a link table without an id of its own: the links of the batch's
/// parents, then their targets (two statements), ordered by the target's id.
macro_rules! linked {
    ($(#[$doc:meta])* $key:ident => $target:ident via $link:ident . $from:ident / $from_field:ident -> $to_field:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $key(pub i32);

        impl Loader<$key> for Reader {
            type Value = Vec<$target::Model>;
            type Error = LoadError;

            async fn load(&self, keys: &[$key]) -> Result<HashMap<$key, Self::Value>, Self::Error> {
                let ids: Vec<i32> = keys.iter().map(|k| k.0).collect();
                let links = self
                    .rows($link::Entity::find().filter($link::Column::$from.is_in(ids)))
                    .await?;
                let mut wanted: Vec<i32> = links.iter().map(|l| l.$to_field).collect();
                wanted.sort_unstable();
                wanted.dedup();
                let targets: HashMap<i32, $target::Model> = if wanted.is_empty() {
                    HashMap::new()
                } else {
                    self.rows(
                        $target::Entity::find()
                            .filter($target::Column::Id.is_in(wanted))
                            .order_by_asc($target::Column::Id),
                    )
                    .await?
                    .into_iter()
                    .map(|t| (t.id, t))
                    .collect()
                };
                let mut out: HashMap<$key, Self::Value> =
                    keys.iter().map(|k| (*k, Vec::new())).collect();
                for link in links {
                    if let Some(t) = targets.get(&link.$to_field) {
                        out.entry($key(link.$from_field)).or_default().push(t.clone());
                    }
                }
                for rows in out.values_mut() {
                    rows.sort_by_key(|t| t.id);
                }
                Ok(out)
            }
        }
    };
}

linked!(/// The districts a situation picture covers.
    DistrictsOfSituationPicture => district via situation_picture_district.SituationPictureId / situation_picture_id -> district_id);
linked!(/// The situation pictures that cover a district (city-wide ones not included).
    SituationPicturesOfDistrict => situation_picture via situation_picture_district.DistrictId / district_id -> situation_picture_id);
linked!(/// The findings a cause points to.
    FindingsOfCause => finding via cause_finding.CauseId / cause_id -> finding_id);

/// Every city-wide situation picture (one key for the whole request).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CityWideSituationPictures;

impl Loader<CityWideSituationPictures> for Reader {
    type Value = Vec<situation_picture::Model>;
    type Error = LoadError;

    async fn load(
        &self,
        _: &[CityWideSituationPictures],
    ) -> Result<HashMap<CityWideSituationPictures, Self::Value>, Self::Error> {
        let rows = self
            .rows(
                situation_picture::Entity::find()
                    .filter(situation_picture::Column::CityWide.eq(true))
                    .order_by_asc(situation_picture::Column::Id),
            )
            .await?;
        Ok(HashMap::from([(CityWideSituationPictures, rows)]))
    }
}

/// What an organization has delivered that an obligation may count: its situation
/// pictures, their cause analyses, the action plans it owns and — when `follow_ups` —
/// those plans' activities and follow-ups. At most five statements per batch, whatever
/// the number of organizations (see `services::obligations`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DeliveriesOfOrganization {
    /// The organization.
    pub organization_id: i32,
    /// Whether the plans' activities and follow-ups are wanted (FOLLOW_UP obligations).
    pub follow_ups: bool,
}

impl Loader<DeliveriesOfOrganization> for Reader {
    type Value = crate::services::obligations::Deliveries;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[DeliveriesOfOrganization],
    ) -> Result<HashMap<DeliveriesOfOrganization, Self::Value>, Self::Error> {
        use crate::services::obligations::Deliveries;
        let orgs: Vec<i32> = keys.iter().map(|k| k.organization_id).collect();
        let pictures = self
            .rows(
                situation_picture::Entity::find()
                    .filter(situation_picture::Column::OrganizationId.is_in(orgs.clone()))
                    .order_by_asc(situation_picture::Column::Id),
            )
            .await?;
        let picture_ids: Vec<i32> = pictures.iter().map(|p| p.id).collect();
        let analyses = if picture_ids.is_empty() {
            Vec::new()
        } else {
            self.rows(
                cause_analysis::Entity::find()
                    .filter(cause_analysis::Column::SituationPictureId.is_in(picture_ids))
                    .order_by_asc(cause_analysis::Column::Id),
            )
            .await?
        };
        let plans = self
            .rows(
                action_plan::Entity::find()
                    .filter(action_plan::Column::OrganizationId.is_in(orgs))
                    .order_by_asc(action_plan::Column::Id),
            )
            .await?;
        let with_follow_ups: Vec<i32> = keys
            .iter()
            .filter(|k| k.follow_ups)
            .map(|k| k.organization_id)
            .collect();
        let plan_ids: Vec<i32> = plans
            .iter()
            .filter(|p| {
                p.organization_id
                    .is_some_and(|o| with_follow_ups.contains(&o))
            })
            .map(|p| p.id)
            .collect();
        let (activities, follow_ups) = if plan_ids.is_empty() {
            (Vec::new(), Vec::new())
        } else {
            let activities = self
                .rows(
                    activity::Entity::find()
                        .filter(activity::Column::ActionPlanId.is_in(plan_ids))
                        .order_by_asc(activity::Column::Id),
                )
                .await?;
            let ids: Vec<i32> = activities.iter().map(|a| a.id).collect();
            let follow_ups = if ids.is_empty() {
                Vec::new()
            } else {
                self.rows(
                    follow_up::Entity::find()
                        .filter(follow_up::Column::ActivityId.is_in(ids))
                        .order_by_asc(follow_up::Column::Id),
                )
                .await?
            };
            (activities, follow_ups)
        };
        // Grouped once: each organization's pictures and plans, each picture's analyses,
        // each plan's activities, each activity's follow-ups.
        let mut analyses_of: HashMap<i32, Vec<cause_analysis::Model>> = HashMap::new();
        for a in analyses {
            analyses_of
                .entry(a.situation_picture_id)
                .or_default()
                .push(a);
        }
        let mut follow_ups_of: HashMap<i32, Vec<follow_up::Model>> = HashMap::new();
        for f in follow_ups {
            follow_ups_of.entry(f.activity_id).or_default().push(f);
        }
        let mut activities_of: HashMap<i32, Vec<activity::Model>> = HashMap::new();
        for a in activities {
            activities_of.entry(a.action_plan_id).or_default().push(a);
        }
        let mut by_org: HashMap<i32, Deliveries> = HashMap::new();
        for p in pictures {
            let d = by_org.entry(p.organization_id).or_default();
            d.analyses
                .extend(analyses_of.remove(&p.id).unwrap_or_default());
            d.pictures.push(p);
        }
        for p in plans {
            let Some(org) = p.organization_id else {
                continue;
            };
            let d = by_org.entry(org).or_default();
            for a in activities_of.remove(&p.id).unwrap_or_default() {
                d.follow_ups
                    .extend(follow_ups_of.remove(&a.id).unwrap_or_default());
                d.activities.push(a);
            }
            d.plans.push(p);
        }
        Ok(keys
            .iter()
            .map(|k| {
                let mut d = by_org.get(&k.organization_id).cloned().unwrap_or_default();
                if !k.follow_ups {
                    d.activities.clear();
                    d.follow_ups.clear();
                }
                (*k, d)
            })
            .collect())
    }
}

// ---- Provenance (issue 14) -------------------------------------------------------------

by_id!(/// A source document by id.
    SourceDocumentId => source_document);

/// The provenance row of one record (GraphQL type name and row id); absent for records
/// not seeded. All records of a page in one statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ProvenanceOf(pub &'static str, pub i32);

impl Loader<ProvenanceOf> for Reader {
    type Value = entity::provenance::Model;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[ProvenanceOf],
    ) -> Result<HashMap<ProvenanceOf, Self::Value>, Self::Error> {
        use entity::provenance;
        let mut ids: Vec<i32> = keys.iter().map(|k| k.1).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut types: Vec<&str> = keys.iter().map(|k| k.0).collect();
        types.sort_unstable();
        types.dedup();
        let select = provenance::Entity::find()
            .filter(provenance::Column::RecordType.is_in(types))
            .filter(provenance::Column::RecordId.is_in(ids));
        let rows = self.rows(select).await?;
        // Only the pairs asked for (the statement may match a type with another's id).
        let wanted: HashMap<(&str, i32), ProvenanceOf> =
            keys.iter().map(|k| ((k.0, k.1), *k)).collect();
        Ok(rows
            .into_iter()
            .filter_map(|row| {
                let key = *wanted.get(&(row.record_type.as_str(), row.record_id))?;
                Some((key, row))
            })
            .collect())
    }
}

// --- Issue 14: indicators, targets, measurements, target groups (helper `targets`) -------

by_id!(/// An indicator by id.
    IndicatorId => indicator);
by_id!(/// A target by id.
    TargetId => target);
by_id!(/// A measurement by id.
    MeasurementId => measurement);
has_many!(/// The targets set on an indicator.
    TargetsOfIndicator => target by IndicatorId, |m| Some(m.indicator_id));
has_many!(/// The targets an action plan sets itself (not its activities').
    TargetsOfPlan => target by ActionPlanId, |m| m.action_plan_id);
has_many!(/// The targets an activity sets.
    TargetsOfActivity => target by ActivityId, |m| m.activity_id);
has_many!(/// The measurements of an indicator (every district and the city).
    MeasurementsOfIndicator => measurement by IndicatorId, |m| Some(m.indicator_id));
has_many!(/// The target groups of an activity (sorted by position where shown).
    TargetGroupsOfActivity => target_group by ActivityId, |m| Some(m.activity_id));
// --- Groups everywhere (issue 14, item 5): a group's kinds, the activities it carries,
// its follow-ups.

many_to_many!(/// The collaboration groups that carry an activity.
    GroupsOfActivity => collaboration_group via activity_group.ActivityId / activity_id);
many_to_many!(/// The activities a collaboration group carries.
    ActivitiesOfGroup => activity via activity_group.CollaborationGroupId / collaboration_group_id);

/// Every kind a group is of, as written (position order). May be empty for a group
/// written without its kinds; `CollaborationGroup.kinds` then falls back on its `kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KindsOfGroup(pub i32);

impl Loader<KindsOfGroup> for Reader {
    type Value = Vec<entity::enums::GroupKind>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[KindsOfGroup],
    ) -> Result<HashMap<KindsOfGroup, Self::Value>, Self::Error> {
        let ids: Vec<i32> = keys.iter().map(|k| k.0).collect();
        let select = collaboration_group_kind::Entity::find()
            .filter(collaboration_group_kind::Column::CollaborationGroupId.is_in(ids))
            .order_by_asc(collaboration_group_kind::Column::CollaborationGroupId)
            .order_by_asc(collaboration_group_kind::Column::Position);
        let rows = self.rows(select).await?;
        let grouped = group_by_parent(keys, rows, |r| Some(KindsOfGroup(r.collaboration_group_id)));
        Ok(grouped
            .into_iter()
            .map(|(k, rows)| (k, rows.into_iter().map(|r| r.kind).collect()))
            .collect())
    }
}

by_id!(/// A group follow-up by id.
    GroupFollowUpId => group_follow_up);
has_many!(/// The follow-ups of a collaboration group.
    GroupFollowUpsOfGroup => group_follow_up by CollaborationGroupId, |m| Some(m.collaboration_group_id));

/// A group's follow-up of one reporting period (at most one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GroupFollowUpOfPeriod {
    /// The group.
    pub group_id: i32,
    /// The year.
    pub year: i32,
    /// The term.
    pub term: entity::enums::Term,
}

impl Loader<GroupFollowUpOfPeriod> for Reader {
    type Value = group_follow_up::Model;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[GroupFollowUpOfPeriod],
    ) -> Result<HashMap<GroupFollowUpOfPeriod, Self::Value>, Self::Error> {
        let groups: Vec<i32> = keys.iter().map(|k| k.group_id).collect();
        let years: Vec<i32> = keys.iter().map(|k| k.year).collect();
        let select = group_follow_up::Entity::find()
            .filter(group_follow_up::Column::CollaborationGroupId.is_in(groups))
            .filter(group_follow_up::Column::Year.is_in(years));
        let rows = self.rows(select).await?;
        Ok(rows
            .into_iter()
            .map(|m| {
                (
                    GroupFollowUpOfPeriod {
                        group_id: m.collaboration_group_id,
                        year: m.year,
                        term: m.term,
                    },
                    m,
                )
            })
            .filter(|(k, _)| keys.contains(k))
            .collect())
    }
}
