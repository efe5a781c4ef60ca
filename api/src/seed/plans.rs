//! Action plans and what hangs on them: activities with their methods, responsibilities,
//! follow-ups, target groups, targets and the groups that carry them.
//!
//! A plan loaded before keeps its rows: its activities (by position), responsibilities (by
//! position) and follow-ups (by period) gain their provenance; what is new in the data is
//! added where the record has none yet (target groups, group links), targets by
//! (indicator, baseline year, year). An activity nobody has edited (version 1) takes the
//! data's corrections (roles, methods, follow-up terms): see `complete_activity`.

use std::collections::HashSet;

use entity::enums::Term;
use entity::*;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};

use super::format::{ActionPlanSeed, ActivitySeed, TargetGroupSeed, TargetSeed, terms};
use super::{Loader, lookup, lookup_opt};
use crate::services::terms::encode;

/// What a target belongs to.
#[derive(Debug, Clone, Copy)]
enum TargetOf {
    Plan(i32),
    Activity(i32),
}

impl<C: ConnectionTrait> Loader<'_, C> {
    pub(super) async fn action_plan(&mut self, plan: &ActionPlanSeed) -> anyhow::Result<()> {
        let existing = action_plan::Entity::find()
            .filter(action_plan::Column::Slug.eq(&plan.slug))
            .one(self.db)
            .await?;
        let owner = lookup(&self.organizations, "organization", &plan.owner)?;
        let (plan_id, district_id, fresh) = match existing {
            Some(row) => {
                if row.organization_id.is_none() {
                    self.report.add("plan owners filled");
                    action_plan::ActiveModel {
                        id: Set(row.id),
                        organization_id: Set(Some(owner)),
                        ..Default::default()
                    }
                    .update(self.db)
                    .await?;
                }
                if row.situation_picture_id.is_none()
                    && let Some(picture) = &plan.based_on
                {
                    self.deferred.plan_pictures.push((row.id, picture.clone()));
                }
                (row.id, row.district_id, false)
            }
            None => {
                let district_id = lookup_opt(&self.districts, "district", plan.district.as_ref())?;
                let strategy_id = lookup_opt(&self.strategies, "strategy", plan.strategy.as_ref())?;
                self.report.add("action plans");
                let id = action_plan::ActiveModel {
                    district_id: Set(district_id),
                    organization_id: Set(Some(owner)),
                    strategy_id: Set(strategy_id),
                    situation_picture_id: Set(None),
                    slug: Set(plan.slug.clone()),
                    title: Set(plan.title.clone()),
                    description: Set(plan.description.clone()),
                    start_year: Set(plan.start_year),
                    end_year: Set(plan.end_year),
                    version: Set(1),
                    created_at: Set(self.now),
                    updated_at: Set(self.now),
                    ..Default::default()
                }
                .insert(self.db)
                .await?
                .id;
                if let Some(picture) = &plan.based_on {
                    self.deferred.plan_pictures.push((id, picture.clone()));
                }
                (id, district_id, true)
            }
        };
        self.plans.insert(plan.slug.clone(), plan_id);
        self.mark("ActionPlan", plan_id, plan.provenance.as_ref())?;
        self.targets(TargetOf::Plan(plan_id), district_id, &plan.targets)
            .await?;
        let loaded = if fresh {
            Vec::new()
        } else {
            activity::Entity::find()
                .filter(activity::Column::ActionPlanId.eq(plan_id))
                .all(self.db)
                .await?
        };
        for (i, a) in plan.activities.iter().enumerate() {
            let position = i as i32 + 1;
            let activity_id = match loaded.iter().find(|r| r.position == position) {
                Some(row) => {
                    self.complete_activity(row, a).await?;
                    row.id
                }
                None if fresh => self.insert_activity(plan_id, position, a).await?,
                // Removed since it was loaded: leave it out.
                None => continue,
            };
            self.mark("Activity", activity_id, a.provenance.as_ref())?;
            self.target_groups(activity_id, &a.target_groups).await?;
            self.targets(TargetOf::Activity(activity_id), district_id, &a.targets)
                .await?;
            if !a.groups.is_empty() {
                self.deferred
                    .activity_groups
                    .push((activity_id, a.groups.clone()));
            }
        }
        Ok(())
    }

    /// A new activity with its methods, responsibilities and follow-ups.
    async fn insert_activity(
        &mut self,
        plan_id: i32,
        position: i32,
        a: &ActivitySeed,
    ) -> anyhow::Result<i32> {
        self.report.add("activities");
        let activity_id = activity::ActiveModel {
            action_plan_id: Set(plan_id),
            priority_area_id: Set(lookup_opt(
                &self.priority_areas,
                "priority area",
                a.priority_area.as_ref(),
            )?),
            focus_area_id: Set(lookup_opt(
                &self.focus_areas,
                "focus area",
                a.focus_area.as_ref(),
            )?),
            position: Set(position),
            goal: Set(a.goal.clone()),
            description: Set(a.description.clone()),
            responsible_text: Set(a.responsible_text.clone()),
            timeline: Set(a.timeline.clone()),
            start_year: Set(a.start_year),
            end_year: Set(a.end_year),
            follow_up_schedule: Set(a.follow_up_schedule.clone()),
            follow_up_terms: Set(encode(&terms(&a.follow_up_terms))),
            version: Set(1),
            created_at: Set(self.now),
            updated_at: Set(self.now),
            ..Default::default()
        }
        .insert(self.db)
        .await?
        .id;
        let mut seen = HashSet::new();
        for m in a.methods.iter().filter(|m| seen.insert(*m)) {
            self.report.add("activity methods");
            activity_method::ActiveModel {
                activity_id: Set(activity_id),
                method_id: Set(lookup(&self.methods, "method", m)?),
            }
            .insert(self.db)
            .await?;
        }
        for (j, r) in a.responsibilities.iter().enumerate() {
            self.report.add("responsibilities");
            let id = responsibility::ActiveModel {
                activity_id: Set(activity_id),
                organization_id: Set(lookup(
                    &self.organizations,
                    "organization",
                    &r.organization,
                )?),
                role: Set(r.role.clone()),
                position: Set(j as i32 + 1),
                ..Default::default()
            }
            .insert(self.db)
            .await?
            .id;
            self.mark("Responsibility", id, r.provenance.as_ref())?;
        }
        for f in &a.follow_ups {
            self.report.add("follow-ups");
            let id = follow_up::ActiveModel {
                activity_id: Set(activity_id),
                year: Set(f.year),
                term: Set(f.term.into()),
                status: Set(f.status.into()),
                effects: Set(f.effects.clone()),
                as_of: Set(f.as_of),
                reported_by_organization_id: Set(lookup_opt(
                    &self.organizations,
                    "organization",
                    f.reported_by.as_ref(),
                )?),
                reported_by_sub: Set(None),
                locked: Set(false),
                version: Set(1),
                created_at: Set(self.now),
                updated_at: Set(self.now),
                ..Default::default()
            }
            .insert(self.db)
            .await?
            .id;
            self.mark("FollowUp", id, f.provenance.as_ref())?;
        }
        Ok(activity_id)
    }

    /// An activity loaded before. While it is unedited (version 1: an edit of its
    /// responsibilities or methods replaces them and raises the version), its rows are as
    /// an earlier version of the data left them: the data's corrections reach them (a
    /// responsibility's role — no person's name —, the methods the "Metoder och
    /// arbetssätt" cell names, the follow-up terms when it had none) and its
    /// responsibilities (by position) gain provenance. Its follow-ups (by period) gain
    /// provenance when no user has reported them.
    async fn complete_activity(
        &mut self,
        row: &activity::Model,
        a: &ActivitySeed,
    ) -> anyhow::Result<()> {
        if row.version == 1 {
            self.correct_activity(row, a).await?;
        }
        let follow_ups = follow_up::Entity::find()
            .filter(follow_up::Column::ActivityId.eq(row.id))
            .filter(follow_up::Column::ReportedBySub.is_null())
            .all(self.db)
            .await?;
        for f in &a.follow_ups {
            let term: Term = f.term.into();
            if let Some(found) = follow_ups
                .iter()
                .find(|x| x.year == f.year && x.term == term)
            {
                self.mark("FollowUp", found.id, f.provenance.as_ref())?;
            }
        }
        Ok(())
    }

    /// The data's corrections to an unedited activity, and its responsibilities'
    /// provenance.
    async fn correct_activity(
        &mut self,
        row: &activity::Model,
        a: &ActivitySeed,
    ) -> anyhow::Result<()> {
        let wanted = terms(&a.follow_up_terms);
        if row.follow_up_terms.is_empty() && !wanted.is_empty() {
            self.report.add("activity follow-up terms filled");
            activity::ActiveModel {
                id: Set(row.id),
                follow_up_terms: Set(encode(&wanted)),
                ..Default::default()
            }
            .update(self.db)
            .await?;
        }
        let responsibilities = responsibility::Entity::find()
            .filter(responsibility::Column::ActivityId.eq(row.id))
            .all(self.db)
            .await?;
        for (j, r) in a.responsibilities.iter().enumerate() {
            let organization_id = lookup(&self.organizations, "organization", &r.organization)?;
            let Some(found) = responsibilities
                .iter()
                .find(|x| x.position == j as i32 + 1 && x.organization_id == organization_id)
            else {
                continue;
            };
            if found.role != r.role {
                self.report.add("responsibility roles corrected");
                responsibility::ActiveModel {
                    id: Set(found.id),
                    role: Set(r.role.clone()),
                    ..Default::default()
                }
                .update(self.db)
                .await?;
            }
            self.mark("Responsibility", found.id, r.provenance.as_ref())?;
        }
        let methods: HashSet<i32> = a
            .methods
            .iter()
            .map(|m| lookup(&self.methods, "method", m))
            .collect::<anyhow::Result<_>>()?;
        let linked: HashSet<i32> = activity_method::Entity::find()
            .filter(activity_method::Column::ActivityId.eq(row.id))
            .all(self.db)
            .await?
            .into_iter()
            .map(|m| m.method_id)
            .collect();
        if methods != linked {
            self.report.add("activity methods corrected");
            activity_method::Entity::delete_many()
                .filter(activity_method::Column::ActivityId.eq(row.id))
                .exec(self.db)
                .await?;
            for m in &methods {
                activity_method::ActiveModel {
                    activity_id: Set(row.id),
                    method_id: Set(*m),
                }
                .insert(self.db)
                .await?;
            }
        }
        Ok(())
    }

    /// An activity's target groups, in the order of the text, when it has none yet.
    async fn target_groups(
        &mut self,
        activity_id: i32,
        groups: &[TargetGroupSeed],
    ) -> anyhow::Result<()> {
        if groups.is_empty()
            || target_group::Entity::find()
                .filter(target_group::Column::ActivityId.eq(activity_id))
                .count(self.db)
                .await?
                > 0
        {
            return Ok(());
        }
        for (i, g) in groups.iter().enumerate() {
            self.report.add("target groups");
            target_group::ActiveModel {
                activity_id: Set(activity_id),
                label: Set(g.label.clone()),
                age_from: Set(g.age_from),
                age_to: Set(g.age_to),
                position: Set(i as i32 + 1),
                ..Default::default()
            }
            .insert(self.db)
            .await?;
        }
        Ok(())
    }

    /// Targets of a plan or an activity (for the plan's district), by (indicator,
    /// baseline year, year): a target already there is left as it is.
    async fn targets(
        &mut self,
        of: TargetOf,
        district_id: Option<i32>,
        targets: &[TargetSeed],
    ) -> anyhow::Result<()> {
        if targets.is_empty() {
            return Ok(());
        }
        let (plan_id, activity_id) = match of {
            TargetOf::Plan(id) => (Some(id), None),
            TargetOf::Activity(id) => (None, Some(id)),
        };
        let existing = match of {
            TargetOf::Plan(id) => target::Entity::find()
                .filter(target::Column::ActionPlanId.eq(id))
                .filter(target::Column::ActivityId.is_null()),
            TargetOf::Activity(id) => {
                target::Entity::find().filter(target::Column::ActivityId.eq(id))
            }
        }
        .order_by_asc(target::Column::Id)
        .all(self.db)
        .await?;
        for t in targets {
            let indicator_id = lookup(&self.indicators, "indicator", &t.indicator)?;
            let found = existing.iter().find(|r| {
                r.indicator_id == indicator_id
                    && r.baseline_year == t.baseline_year
                    && r.year == t.year
            });
            let id = match found {
                Some(r) => r.id,
                None => {
                    self.report.add("targets");
                    target::ActiveModel {
                        indicator_id: Set(indicator_id),
                        action_plan_id: Set(plan_id),
                        activity_id: Set(activity_id),
                        district_id: Set(district_id),
                        baseline: Set(t.baseline),
                        baseline_year: Set(t.baseline_year),
                        value: Set(t.value),
                        year: Set(t.year),
                        text: Set(t.text.clone()),
                        version: Set(1),
                        created_at: Set(self.now),
                        updated_at: Set(self.now),
                        ..Default::default()
                    }
                    .insert(self.db)
                    .await?
                    .id
                }
            };
            self.mark("Target", id, t.provenance.as_ref())?;
        }
        Ok(())
    }

    /// Each plan's situation picture (`basedOn`), once every picture is loaded.
    pub(super) async fn plan_pictures(&mut self) -> anyhow::Result<()> {
        for (plan_id, slug) in std::mem::take(&mut self.deferred.plan_pictures) {
            let picture_id = lookup(&self.pictures, "situation picture", &slug)?;
            self.report.add("plan situation pictures");
            action_plan::ActiveModel {
                id: Set(plan_id),
                situation_picture_id: Set(Some(picture_id)),
                ..Default::default()
            }
            .update(self.db)
            .await?;
        }
        Ok(())
    }

    /// The groups that carry each activity, for activities that have none yet.
    pub(super) async fn activity_groups(&mut self) -> anyhow::Result<()> {
        for (activity_id, slugs) in std::mem::take(&mut self.deferred.activity_groups) {
            if activity_group::Entity::find()
                .filter(activity_group::Column::ActivityId.eq(activity_id))
                .count(self.db)
                .await?
                > 0
            {
                continue;
            }
            let mut seen = HashSet::new();
            for slug in slugs.iter().filter(|s| seen.insert(*s)) {
                self.report.add("activity groups");
                activity_group::ActiveModel {
                    activity_id: Set(activity_id),
                    collaboration_group_id: Set(lookup(&self.groups, "group", slug)?),
                }
                .insert(self.db)
                .await?;
            }
        }
        Ok(())
    }
}
