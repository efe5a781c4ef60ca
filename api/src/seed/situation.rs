//! Situation pictures (lägesbild): the districts they cover, their sources, findings and
//! cause analysis (orsaksanalys) with causes pointing at findings. A picture loaded
//! before is left as it is; only its provenance is completed.

use std::collections::HashMap;

use entity::*;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};

use super::format::{CauseAnalysisSeed, SituationPictureSeed};
use super::{Loader, lookup, lookup_opt};

impl<C: ConnectionTrait> Loader<'_, C> {
    pub(super) async fn situation_picture(
        &mut self,
        p: &SituationPictureSeed,
    ) -> anyhow::Result<()> {
        if let Some(existing) = situation_picture::Entity::find()
            .filter(situation_picture::Column::Slug.eq(&p.slug))
            .one(self.db)
            .await?
        {
            self.pictures.insert(p.slug.clone(), existing.id);
            return self.situation_provenance(existing.id, p).await;
        }
        let organization_id = lookup(&self.organizations, "organization", &p.organization)?;
        let strategy_id = lookup_opt(&self.strategies, "strategy", p.strategy.as_ref())?;
        self.report.add("situation pictures");
        let picture_id = situation_picture::ActiveModel {
            slug: Set(p.slug.clone()),
            organization_id: Set(organization_id),
            strategy_id: Set(strategy_id),
            title: Set(p.title.clone()),
            as_of: Set(p.as_of),
            summary: Set(p.summary.clone()),
            city_wide: Set(p.city_wide),
            version: Set(1),
            created_at: Set(self.now),
            updated_at: Set(self.now),
            ..Default::default()
        }
        .insert(self.db)
        .await?
        .id;
        self.pictures.insert(p.slug.clone(), picture_id);
        self.mark("SituationPicture", picture_id, p.provenance.as_ref())?;
        for d in &p.districts {
            self.report.add("situation picture districts");
            situation_picture_district::ActiveModel {
                situation_picture_id: Set(picture_id),
                district_id: Set(lookup(&self.districts, "district", d)?),
            }
            .insert(self.db)
            .await?;
        }
        for (i, s) in p.sources.iter().enumerate() {
            self.report.add("situation sources");
            situation_source::ActiveModel {
                situation_picture_id: Set(picture_id),
                kind: Set(s.kind.into()),
                name: Set(s.name.clone()),
                year: Set(s.year),
                position: Set(i as i32 + 1),
                ..Default::default()
            }
            .insert(self.db)
            .await?;
        }
        let mut findings = HashMap::new();
        for (i, f) in p.findings.iter().enumerate() {
            self.report.add("findings");
            let id = finding::ActiveModel {
                situation_picture_id: Set(picture_id),
                text: Set(f.text.clone()),
                priority_area_id: Set(lookup_opt(
                    &self.priority_areas,
                    "priority area",
                    f.priority_area.as_ref(),
                )?),
                focus_area_id: Set(lookup_opt(
                    &self.focus_areas,
                    "focus area",
                    f.focus_area.as_ref(),
                )?),
                position: Set(i as i32 + 1),
                ..Default::default()
            }
            .insert(self.db)
            .await?
            .id;
            findings.insert(f.key.clone(), id);
            self.mark("Finding", id, f.provenance.as_ref())?;
        }
        if let Some(analysis) = &p.cause_analysis {
            self.cause_analysis(picture_id, analysis, &findings).await?;
        }
        Ok(())
    }

    async fn cause_analysis(
        &mut self,
        picture_id: i32,
        a: &CauseAnalysisSeed,
        findings: &HashMap<String, i32>,
    ) -> anyhow::Result<()> {
        self.report.add("cause analyses");
        let analysis_id = cause_analysis::ActiveModel {
            situation_picture_id: Set(picture_id),
            as_of: Set(a.as_of),
            summary: Set(a.summary.clone()),
            version: Set(1),
            created_at: Set(self.now),
            updated_at: Set(self.now),
            ..Default::default()
        }
        .insert(self.db)
        .await?
        .id;
        self.mark("CauseAnalysis", analysis_id, a.provenance.as_ref())?;
        for (i, c) in a.causes.iter().enumerate() {
            self.report.add("causes");
            let cause_id = cause::ActiveModel {
                cause_analysis_id: Set(analysis_id),
                text: Set(c.text.clone()),
                position: Set(i as i32 + 1),
                ..Default::default()
            }
            .insert(self.db)
            .await?
            .id;
            let mut seen = std::collections::HashSet::new();
            for key in c.findings.iter().filter(|k| seen.insert(*k)) {
                self.report.add("cause findings");
                cause_finding::ActiveModel {
                    cause_id: Set(cause_id),
                    finding_id: Set(lookup(findings, "finding key", key)?),
                }
                .insert(self.db)
                .await?;
            }
        }
        Ok(())
    }

    /// Provenance of a picture loaded before, its findings (by position) and analysis.
    async fn situation_provenance(
        &mut self,
        picture_id: i32,
        p: &SituationPictureSeed,
    ) -> anyhow::Result<()> {
        self.mark("SituationPicture", picture_id, p.provenance.as_ref())?;
        let rows = finding::Entity::find()
            .filter(finding::Column::SituationPictureId.eq(picture_id))
            .order_by_asc(finding::Column::Id)
            .all(self.db)
            .await?;
        for (i, f) in p.findings.iter().enumerate() {
            if let Some(row) = rows.iter().find(|r| r.position == i as i32 + 1) {
                self.mark("Finding", row.id, f.provenance.as_ref())?;
            }
        }
        if let Some(a) = &p.cause_analysis
            && let Some(row) = cause_analysis::Entity::find()
                .filter(cause_analysis::Column::SituationPictureId.eq(picture_id))
                .one(self.db)
                .await?
        {
            self.mark("CauseAnalysis", row.id, a.provenance.as_ref())?;
        }
        Ok(())
    }
}
