//! Collaboration areas and groups: each group with all its kinds, validity, source plan
//! and follow-up terms, its seats (participations) and promises (commitments).
//!
//! A group loaded before keeps its rows; what it lacks from this version of the data is
//! filled in while still empty (kinds, validity, source plan, follow-up terms, a seat's
//! attendance), and its seats (by organization) and promises (by organization and text)
//! gain their provenance.

use entity::*;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set,
};

use super::format::{AreaSeed, GroupSeed, terms};
use super::{Loader, lookup};
use crate::services::terms::encode;

impl<C: ConnectionTrait> Loader<'_, C> {
    pub(super) async fn area(&mut self, area: &AreaSeed, position: i32) -> anyhow::Result<()> {
        let district_id = lookup(&self.districts, "district", &area.district)?;
        let area_id = match collaboration_area::Entity::find()
            .filter(collaboration_area::Column::Slug.eq(&area.slug))
            .one(self.db)
            .await?
        {
            Some(existing) => existing.id,
            None => {
                self.report.add("collaboration areas");
                collaboration_area::ActiveModel {
                    district_id: Set(district_id),
                    slug: Set(area.slug.clone()),
                    name: Set(area.name.clone()),
                    goal: Set(area.goal.clone()),
                    situation: Set(area.situation.clone()),
                    position: Set(position),
                    ..Default::default()
                }
                .insert(self.db)
                .await?
                .id
            }
        };
        self.mark("CollaborationArea", area_id, area.provenance.as_ref())?;
        for g in &area.groups {
            if g.district.is_some() {
                anyhow::bail!("group {:?} in an area takes the area's district", g.slug);
            }
            self.group(g, district_id, Some(area_id)).await?;
        }
        Ok(())
    }

    /// A group in `district_id` (and in an area, or not).
    pub(super) async fn group(
        &mut self,
        g: &GroupSeed,
        district_id: i32,
        area_id: Option<i32>,
    ) -> anyhow::Result<()> {
        let existing = collaboration_group::Entity::find()
            .filter(collaboration_group::Column::Slug.eq(&g.slug))
            .one(self.db)
            .await?;
        let (group_id, fresh) = match existing {
            Some(row) => {
                self.complete_group(&row, g).await?;
                (row.id, false)
            }
            None => (self.insert_group(g, district_id, area_id).await?, true),
        };
        self.groups.insert(g.slug.clone(), group_id);
        self.mark("CollaborationGroup", group_id, g.provenance.as_ref())?;
        self.participations(group_id, g, fresh).await?;
        self.commitments(group_id, g, fresh).await
    }

    async fn insert_group(
        &mut self,
        g: &GroupSeed,
        district_id: i32,
        area_id: Option<i32>,
    ) -> anyhow::Result<i32> {
        self.report.add("collaboration groups");
        let kinds = g.all_kinds();
        let group_id = collaboration_group::ActiveModel {
            district_id: Set(district_id),
            collaboration_area_id: Set(area_id),
            slug: Set(g.slug.clone()),
            name: Set(g.name.clone()),
            subtitle: Set(g.subtitle.clone()),
            kind: Set(g.kind.into()),
            purpose: Set(g.purpose.clone()),
            situation: Set(g.situation.clone()),
            term: Set(g.term.clone()),
            term_ends_on: Set(g.term_ends_on),
            meeting_cadence: Set(g.meeting_cadence.clone()),
            convener: Set(g.convener.clone()),
            financing: Set(g.financing.clone()),
            communication: Set(g.communication.clone()),
            follow_up_cadence: Set(g.follow_up_cadence.clone()),
            other_participants: Set(g.other_participants.clone()),
            valid_from: Set(g.valid_from),
            valid_until: Set(g.valid_until),
            source_plan_id: Set(None),
            follow_up_terms: Set(encode(&terms(&g.follow_up_terms))),
            archived_at: Set(None),
            version: Set(1),
            created_at: Set(self.now),
            updated_at: Set(self.now),
            ..Default::default()
        }
        .insert(self.db)
        .await?
        .id;
        self.kinds(group_id, &kinds).await?;
        if let Some(plan) = &g.source_plan {
            self.deferred.group_plans.push((group_id, plan.clone()));
        }
        Ok(group_id)
    }

    /// A group loaded before: its kinds when it has none (all the data's when its kind is
    /// still the data's first, else just its own), and its new columns while empty.
    async fn complete_group(
        &mut self,
        row: &collaboration_group::Model,
        g: &GroupSeed,
    ) -> anyhow::Result<()> {
        let has_kinds = collaboration_group_kind::Entity::find()
            .filter(collaboration_group_kind::Column::CollaborationGroupId.eq(row.id))
            .count(self.db)
            .await?
            > 0;
        if !has_kinds {
            let kinds = g.all_kinds();
            let kinds = if kinds.first() == Some(&row.kind) {
                kinds
            } else {
                vec![row.kind]
            };
            self.kinds(row.id, &kinds).await?;
        }
        let mut fill = collaboration_group::ActiveModel {
            id: Set(row.id),
            ..Default::default()
        };
        let mut filled = false;
        if row.valid_from.is_none() && g.valid_from.is_some() {
            fill.valid_from = Set(g.valid_from);
            filled = true;
        }
        if row.valid_until.is_none() && g.valid_until.is_some() {
            fill.valid_until = Set(g.valid_until);
            filled = true;
        }
        if row.follow_up_terms.is_empty() && !g.follow_up_terms.is_empty() {
            fill.follow_up_terms = Set(encode(&terms(&g.follow_up_terms)));
            filled = true;
        }
        if filled {
            self.report.add("group details filled");
            fill.update(self.db).await?;
        }
        if row.source_plan_id.is_none()
            && let Some(plan) = &g.source_plan
        {
            self.deferred.group_plans.push((row.id, plan.clone()));
        }
        Ok(())
    }

    /// A group's kinds, position 0 being the group's `kind`.
    async fn kinds(
        &mut self,
        group_id: i32,
        kinds: &[entity::enums::GroupKind],
    ) -> anyhow::Result<()> {
        for (position, kind) in kinds.iter().enumerate() {
            self.report.add("group kinds");
            collaboration_group_kind::ActiveModel {
                collaboration_group_id: Set(group_id),
                kind: Set(*kind),
                position: Set(position as i32),
            }
            .insert(self.db)
            .await?;
        }
        Ok(())
    }

    /// Seats: all of them in a new group; in a group loaded before, the seats still there
    /// (by organization) gain provenance and their attendance while it is empty.
    async fn participations(
        &mut self,
        group_id: i32,
        g: &GroupSeed,
        fresh: bool,
    ) -> anyhow::Result<()> {
        let existing = if fresh {
            Vec::new()
        } else {
            participation::Entity::find()
                .filter(participation::Column::GroupId.eq(group_id))
                .all(self.db)
                .await?
        };
        for p in &g.participations {
            let organization_id = lookup(&self.organizations, "organization", &p.organization)?;
            let id = match existing
                .iter()
                .find(|r| r.organization_id == organization_id)
            {
                Some(row) => {
                    if row.attendance.is_none() && p.attendance.is_some() {
                        self.report.add("seat attendance filled");
                        participation::ActiveModel {
                            id: Set(row.id),
                            attendance: Set(p.attendance.clone()),
                            ..Default::default()
                        }
                        .update(self.db)
                        .await?;
                    }
                    row.id
                }
                None if fresh => {
                    self.report.add("participations");
                    participation::ActiveModel {
                        group_id: Set(group_id),
                        organization_id: Set(organization_id),
                        contact_role: Set(p.contact_role.clone()),
                        other_participants: Set(p.other_participants.clone()),
                        is_convener: Set(p.is_convener),
                        attendance: Set(p.attendance.clone()),
                        version: Set(1),
                        created_at: Set(self.now),
                        updated_at: Set(self.now),
                        ..Default::default()
                    }
                    .insert(self.db)
                    .await?
                    .id
                }
                // Left the group since it was loaded.
                None => continue,
            };
            self.mark("Participation", id, p.provenance.as_ref())?;
        }
        Ok(())
    }

    /// Promises: all of them in a new group; in a group loaded before, those still as
    /// written (by organization and text) gain provenance.
    async fn commitments(
        &mut self,
        group_id: i32,
        g: &GroupSeed,
        fresh: bool,
    ) -> anyhow::Result<()> {
        let existing = if fresh {
            Vec::new()
        } else {
            commitment::Entity::find()
                .filter(commitment::Column::GroupId.eq(group_id))
                .all(self.db)
                .await?
        };
        for c in &g.commitments {
            let organization_id = lookup(&self.organizations, "organization", &c.organization)?;
            let found = existing
                .iter()
                .find(|r| r.organization_id == organization_id && r.text == c.text);
            let id = match found {
                Some(row) => row.id,
                None if fresh => {
                    self.report.add("commitments");
                    commitment::ActiveModel {
                        group_id: Set(group_id),
                        organization_id: Set(organization_id),
                        text: Set(c.text.clone()),
                        version: Set(1),
                        created_at: Set(self.now),
                        updated_at: Set(self.now),
                        created_by: Set(Some("seed".into())),
                        updated_by: Set(Some("seed".into())),
                        ..Default::default()
                    }
                    .insert(self.db)
                    .await?
                    .id
                }
                None => continue,
            };
            self.mark("Commitment", id, c.provenance.as_ref())?;
        }
        Ok(())
    }

    /// Each group's source plan, once every plan is loaded.
    pub(super) async fn group_plans(&mut self) -> anyhow::Result<()> {
        for (group_id, slug) in std::mem::take(&mut self.deferred.group_plans) {
            let plan_id = lookup(&self.plans, "action plan", &slug)?;
            self.report.add("group source plans");
            collaboration_group::ActiveModel {
                id: Set(group_id),
                source_plan_id: Set(Some(plan_id)),
                ..Default::default()
            }
            .update(self.db)
            .await?;
        }
        Ok(())
    }
}
