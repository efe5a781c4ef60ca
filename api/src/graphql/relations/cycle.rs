//! The keys of the city's cycle (issue 14): strategy lineage, obligations and their
//! deliveries, situation pictures, provenance, indicators and targets, a group's kinds,
//! activities and follow-ups. The macros are the parent module's.

use super::*;

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
/// made in the service (neither seeded nor imported). All records of a page in one
/// statement.
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
