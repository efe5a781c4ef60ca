//! The catalogue: source documents, the municipality and its districts, organizations,
//! methods, strategies with their areas and lineage, the obligations a strategy puts on
//! each body, indicators and their measurements.

use std::collections::HashSet;

use entity::*;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use super::format::{
    AreaOfStrategySeed, MethodSeed, ObligationSeed, OrganizationSeed, SeedFile, StrategySeed,
};
use super::{Loader, lookup, lookup_opt};

impl<C: ConnectionTrait> Loader<'_, C> {
    /// What a file holds of the catalogue (the catalogue file; a plan file's own
    /// organizations and methods).
    pub(super) async fn catalogue(&mut self, file: &SeedFile) -> anyhow::Result<()> {
        self.documents(file).await?;
        if let Some(m) = &file.municipality {
            let id = match municipality::Entity::find()
                .filter(municipality::Column::Slug.eq(&m.slug))
                .one(self.db)
                .await?
            {
                Some(existing) => existing.id,
                None => {
                    self.report.add("municipalities");
                    municipality::ActiveModel {
                        slug: Set(m.slug.clone()),
                        name: Set(m.name.clone()),
                        ..Default::default()
                    }
                    .insert(self.db)
                    .await?
                    .id
                }
            };
            self.municipality = Some(id);
        }
        if !file.districts.is_empty() {
            let municipality_id = self
                .municipality
                .ok_or_else(|| anyhow::anyhow!("districts need a municipality"))?;
            self.districts = district::Entity::find()
                .all(self.db)
                .await?
                .into_iter()
                .map(|d| (d.slug, d.id))
                .collect();
            for d in &file.districts {
                if self.districts.contains_key(&d.slug) {
                    continue;
                }
                self.report.add("districts");
                let id = district::ActiveModel {
                    municipality_id: Set(municipality_id),
                    slug: Set(d.slug.clone()),
                    name: Set(d.name.clone()),
                    ..Default::default()
                }
                .insert(self.db)
                .await?
                .id;
                self.districts.insert(d.slug.clone(), id);
            }
        }
        self.organizations(&file.organizations).await?;
        self.methods(&file.methods).await?;
        for s in &file.strategies {
            self.strategy(s).await?;
        }
        Ok(())
    }

    /// What the city's cycle adds to the catalogue, once every strategy, area and body is
    /// known: lineage, indicators, measurements, obligations.
    pub(super) async fn cycle_catalogue(&mut self, file: &SeedFile) -> anyhow::Result<()> {
        for s in &file.strategies {
            self.lineage(s).await?;
        }
        self.indicators(file).await?;
        self.measurements(file).await?;
        self.obligations(&file.obligations).await
    }

    async fn documents(&mut self, file: &SeedFile) -> anyhow::Result<()> {
        if self.documents.is_empty() {
            for d in source_document::Entity::find().all(self.db).await? {
                self.document_files.insert(d.file_name.clone(), d.id);
                self.documents.insert(d.slug, d.id);
            }
        }
        for d in &file.documents {
            if self.documents.contains_key(&d.slug) {
                continue;
            }
            self.report.add("source documents");
            let id = source_document::ActiveModel {
                slug: Set(d.slug.clone()),
                title: Set(d.title.clone()),
                file_name: Set(d.file.clone()),
                publisher: Set(d.publisher.clone()),
                year: Set(d.year),
                ..Default::default()
            }
            .insert(self.db)
            .await?
            .id;
            self.documents.insert(d.slug.clone(), id);
            self.document_files.insert(d.file.clone(), id);
        }
        Ok(())
    }

    async fn organizations(&mut self, orgs: &[OrganizationSeed]) -> anyhow::Result<()> {
        if orgs.is_empty() {
            return Ok(());
        }
        if self.organizations.is_empty() {
            self.organizations = organization::Entity::find()
                .all(self.db)
                .await?
                .into_iter()
                .map(|o| (o.slug, o.id))
                .collect();
        }
        // Parents may come later in the file: insert without parents first.
        let mut new = HashSet::new();
        for o in orgs {
            if let Some(id) = self.organizations.get(&o.slug).copied() {
                self.mark("Organization", id, o.provenance.as_ref())?;
                continue;
            }
            self.report.add("organizations");
            let id = organization::ActiveModel {
                slug: Set(o.slug.clone()),
                name: Set(o.name.clone()),
                kind: Set(o.kind.into()),
                parent_id: Set(None),
                ..Default::default()
            }
            .insert(self.db)
            .await?
            .id;
            self.organizations.insert(o.slug.clone(), id);
            self.mark("Organization", id, o.provenance.as_ref())?;
            new.insert(o.slug.clone());
        }
        for o in orgs.iter().filter(|o| new.contains(&o.slug)) {
            let id = lookup(&self.organizations, "organization", &o.slug)?;
            if let Some(parent) = &o.parent {
                let parent_id = lookup(&self.organizations, "organization", parent)?;
                organization::ActiveModel {
                    id: Set(id),
                    parent_id: Set(Some(parent_id)),
                    ..Default::default()
                }
                .update(self.db)
                .await?;
            }
            for d in &o.districts {
                let district_id = lookup(&self.districts, "district", d)?;
                self.report.add("organization districts");
                organization_district::ActiveModel {
                    organization_id: Set(id),
                    district_id: Set(district_id),
                }
                .insert(self.db)
                .await?;
            }
        }
        Ok(())
    }

    async fn methods(&mut self, methods: &[MethodSeed]) -> anyhow::Result<()> {
        if methods.is_empty() {
            return Ok(());
        }
        if self.methods.is_empty() {
            self.methods = method::Entity::find()
                .all(self.db)
                .await?
                .into_iter()
                .map(|m| (m.slug, m.id))
                .collect();
        }
        for m in methods {
            let id = match self.methods.get(&m.slug) {
                Some(id) => *id,
                None => {
                    self.report.add("methods");
                    let id = method::ActiveModel {
                        slug: Set(m.slug.clone()),
                        name: Set(m.name.clone()),
                        abbreviation: Set(m.abbreviation.clone()),
                        description: Set(m.description.clone()),
                        ..Default::default()
                    }
                    .insert(self.db)
                    .await?
                    .id;
                    self.methods.insert(m.slug.clone(), id);
                    id
                }
            };
            self.mark("Method", id, m.provenance.as_ref())?;
        }
        Ok(())
    }

    async fn strategy(&mut self, s: &StrategySeed) -> anyhow::Result<()> {
        let municipality_id = self
            .municipality
            .ok_or_else(|| anyhow::anyhow!("strategies need a municipality"))?;
        let strategy_id = match strategy::Entity::find()
            .filter(strategy::Column::Slug.eq(&s.slug))
            .one(self.db)
            .await?
        {
            Some(existing) => existing.id,
            None => {
                self.report.add("strategies");
                strategy::ActiveModel {
                    municipality_id: Set(municipality_id),
                    slug: Set(s.slug.clone()),
                    name: Set(s.name.clone()),
                    description: Set(s.description.clone()),
                    start_year: Set(s.start_year),
                    end_year: Set(s.end_year),
                    predecessor_id: Set(None),
                    ..Default::default()
                }
                .insert(self.db)
                .await?
                .id
            }
        };
        self.strategies.insert(s.slug.clone(), strategy_id);
        self.mark("Strategy", strategy_id, s.provenance.as_ref())?;
        for pa in &s.priority_areas {
            let pa_id = match priority_area::Entity::find()
                .filter(priority_area::Column::Slug.eq(&pa.slug))
                .one(self.db)
                .await?
            {
                Some(existing) => existing.id,
                None => {
                    self.report.add("priority areas");
                    priority_area::ActiveModel {
                        strategy_id: Set(strategy_id),
                        slug: Set(pa.slug.clone()),
                        name: Set(pa.name.clone()),
                        description: Set(pa.description.clone()),
                        position: Set(pa.position),
                        continues_id: Set(None),
                        ..Default::default()
                    }
                    .insert(self.db)
                    .await?
                    .id
                }
            };
            self.priority_areas.insert(pa.slug.clone(), pa_id);
            self.mark("PriorityArea", pa_id, pa.provenance.as_ref())?;
            for fa in &pa.focus_areas {
                let fa_id = match focus_area::Entity::find()
                    .filter(focus_area::Column::Slug.eq(&fa.slug))
                    .one(self.db)
                    .await?
                {
                    Some(existing) => existing.id,
                    None => {
                        self.report.add("focus areas");
                        focus_area::ActiveModel {
                            priority_area_id: Set(pa_id),
                            slug: Set(fa.slug.clone()),
                            name: Set(fa.name.clone()),
                            description: Set(fa.description.clone()),
                            position: Set(fa.position),
                            continues_id: Set(None),
                            ..Default::default()
                        }
                        .insert(self.db)
                        .await?
                        .id
                    }
                };
                self.focus_areas.insert(fa.slug.clone(), fa_id);
                self.mark("FocusArea", fa_id, fa.provenance.as_ref())?;
            }
        }
        Ok(())
    }

    /// A strategy's predecessor and its areas' `continues`, set while still empty.
    async fn lineage(&mut self, s: &StrategySeed) -> anyhow::Result<()> {
        if let Some(predecessor) = &s.predecessor {
            let predecessor_id = lookup(&self.strategies, "strategy", predecessor)?;
            let id = lookup(&self.strategies, "strategy", &s.slug)?;
            let row = strategy::Entity::find_by_id(id).one(self.db).await?;
            if row.is_some_and(|r| r.predecessor_id.is_none()) {
                self.report.add("strategy predecessors filled");
                strategy::ActiveModel {
                    id: Set(id),
                    predecessor_id: Set(Some(predecessor_id)),
                    ..Default::default()
                }
                .update(self.db)
                .await?;
            }
        }
        for pa in &s.priority_areas {
            self.continues_priority(pa).await?;
            for fa in &pa.focus_areas {
                self.continues_focus(fa).await?;
            }
        }
        Ok(())
    }

    async fn continues_priority(&mut self, pa: &AreaOfStrategySeed) -> anyhow::Result<()> {
        let Some(continues) = &pa.continues else {
            return Ok(());
        };
        let from = lookup(&self.priority_areas, "priority area", continues)?;
        let id = lookup(&self.priority_areas, "priority area", &pa.slug)?;
        let row = priority_area::Entity::find_by_id(id).one(self.db).await?;
        if row.is_some_and(|r| r.continues_id.is_none()) {
            self.report.add("area lineage filled");
            priority_area::ActiveModel {
                id: Set(id),
                continues_id: Set(Some(from)),
                ..Default::default()
            }
            .update(self.db)
            .await?;
        }
        Ok(())
    }

    async fn continues_focus(&mut self, fa: &AreaOfStrategySeed) -> anyhow::Result<()> {
        let Some(continues) = &fa.continues else {
            return Ok(());
        };
        let from = lookup(&self.focus_areas, "focus area", continues)?;
        let id = lookup(&self.focus_areas, "focus area", &fa.slug)?;
        let row = focus_area::Entity::find_by_id(id).one(self.db).await?;
        if row.is_some_and(|r| r.continues_id.is_none()) {
            self.report.add("area lineage filled");
            focus_area::ActiveModel {
                id: Set(id),
                continues_id: Set(Some(from)),
                ..Default::default()
            }
            .update(self.db)
            .await?;
        }
        Ok(())
    }

    async fn indicators(&mut self, file: &SeedFile) -> anyhow::Result<()> {
        if self.indicators.is_empty() {
            self.indicators = indicator::Entity::find()
                .all(self.db)
                .await?
                .into_iter()
                .map(|i| (i.slug, i.id))
                .collect();
        }
        for i in &file.indicators {
            let id = match self.indicators.get(&i.slug) {
                Some(id) => *id,
                None => {
                    self.report.add("indicators");
                    let id = indicator::ActiveModel {
                        slug: Set(i.slug.clone()),
                        name: Set(i.name.clone()),
                        unit: Set(i.unit.clone()),
                        source: Set(i.source.clone()),
                        description: Set(i.description.clone()),
                        version: Set(1),
                        created_at: Set(self.now),
                        updated_at: Set(self.now),
                        ..Default::default()
                    }
                    .insert(self.db)
                    .await?
                    .id;
                    self.indicators.insert(i.slug.clone(), id);
                    id
                }
            };
            self.mark("Indicator", id, i.provenance.as_ref())?;
        }
        Ok(())
    }

    /// Measurements, by (indicator, district, year, term).
    async fn measurements(&mut self, file: &SeedFile) -> anyhow::Result<()> {
        if file.measurements.is_empty() {
            return Ok(());
        }
        let existing = measurement::Entity::find().all(self.db).await?;
        for m in &file.measurements {
            let indicator_id = lookup(&self.indicators, "indicator", &m.indicator)?;
            let district_id = lookup_opt(&self.districts, "district", m.district.as_ref())?;
            let term = m.term.map(Into::into);
            let found = existing.iter().find(|r| {
                r.indicator_id == indicator_id
                    && r.district_id == district_id
                    && r.year == m.year
                    && r.term == term
            });
            let id = match found {
                Some(r) => r.id,
                None => {
                    self.report.add("measurements");
                    measurement::ActiveModel {
                        indicator_id: Set(indicator_id),
                        district_id: Set(district_id),
                        year: Set(m.year),
                        term: Set(term),
                        value: Set(m.value),
                        note: Set(m.note.clone()),
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
            self.mark("Measurement", id, m.provenance.as_ref())?;
        }
        Ok(())
    }

    /// Obligations, by (strategy, organization, kind, year, term).
    async fn obligations(&mut self, obligations: &[ObligationSeed]) -> anyhow::Result<()> {
        if obligations.is_empty() {
            return Ok(());
        }
        let existing = obligation::Entity::find().all(self.db).await?;
        for o in obligations {
            let strategy_id = lookup(&self.strategies, "strategy", &o.strategy)?;
            let organization_id = lookup(&self.organizations, "organization", &o.organization)?;
            let kind = o.kind.into();
            let term = o.term.map(Into::into);
            let found = existing.iter().find(|r| {
                r.strategy_id == strategy_id
                    && r.organization_id == organization_id
                    && r.kind == kind
                    && r.year == o.year
                    && r.term == term
            });
            let id = match found {
                Some(r) => r.id,
                None => {
                    self.report.add("obligations");
                    obligation::ActiveModel {
                        strategy_id: Set(strategy_id),
                        organization_id: Set(organization_id),
                        kind: Set(kind),
                        year: Set(o.year),
                        term: Set(term),
                        due_on: Set(o.due_on),
                        note: Set(o.note.clone()),
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
            self.mark("Obligation", id, o.provenance.as_ref())?;
        }
        Ok(())
    }
}
