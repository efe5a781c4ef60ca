//! One `provenance` row per seeded record: the document it comes from and whether it is a
//! reading rather than as written. Rows are collected while loading and written at the
//! end, only for records that have none yet (a row is never changed).

use std::collections::HashSet;

use entity::provenance;
use sea_orm::{ConnectionTrait, EntityTrait, QuerySelect, Set};

use super::format::ProvenanceSeed;
use super::{Loader, lookup};

/// Provenance rows to write, and the records that have one already.
#[derive(Debug, Default)]
pub(super) struct Pending {
    existing: HashSet<(String, i32)>,
    rows: Vec<provenance::ActiveModel>,
}

impl Pending {
    /// The records that have provenance already.
    pub(super) async fn load(db: &impl ConnectionTrait) -> anyhow::Result<Self> {
        let existing = provenance::Entity::find()
            .select_only()
            .column(provenance::Column::RecordType)
            .column(provenance::Column::RecordId)
            .into_tuple::<(String, i32)>()
            .all(db)
            .await?
            .into_iter()
            .collect();
        Ok(Self {
            existing,
            rows: Vec::new(),
        })
    }
}

impl<C: ConnectionTrait> Loader<'_, C> {
    /// Record where the `record_type` row `id` comes from (`record_type` is its GraphQL
    /// type name): the document `seed` names, else the file's `source` document; not
    /// inferred unless `seed` says so. Nothing when the record has a row already.
    pub(super) fn mark(
        &mut self,
        record_type: &'static str,
        id: i32,
        seed: Option<&ProvenanceSeed>,
    ) -> anyhow::Result<()> {
        if !self
            .provenance
            .existing
            .insert((record_type.to_string(), id))
        {
            return Ok(());
        }
        let document = match seed.and_then(|p| p.document.as_ref()) {
            Some(slug) => Some(lookup(&self.documents, "document", slug)?),
            None => self.file_document,
        };
        self.provenance.rows.push(provenance::ActiveModel {
            record_type: Set(record_type.to_string()),
            record_id: Set(id),
            source_document_id: Set(document),
            inferred: Set(seed.is_some_and(|p| p.inferred)),
            note: Set(seed.and_then(|p| p.note.clone())),
            ..Default::default()
        });
        Ok(())
    }

    /// Write the collected rows (in chunks, well under either database's parameter limit).
    pub(super) async fn flush_provenance(&mut self) -> anyhow::Result<()> {
        let rows = std::mem::take(&mut self.provenance.rows);
        self.report.add_n("provenance", rows.len());
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            let chunk: Vec<_> = rows.by_ref().take(200).collect();
            provenance::Entity::insert_many(chunk)
                .exec_without_returning(self.db)
                .await?;
        }
        Ok(())
    }
}
