//! Provenance: which of the city's documents a seeded record comes from, and whether it
//! is a reading of the documents rather than as written in them (`data/FORMAT.md`,
//! "provenance"). Every seeded type has a `provenance` field answered by [`of`].

use async_graphql::{Context, ID, Object};
use entity::*;

use crate::graphql::prelude::*;

/// The provenance of the `record_type` row `id` (`record_type` is its GraphQL type name);
/// null when the record was not seeded (made in the service).
pub(crate) async fn of(
    ctx: &Context<'_>,
    record_type: &'static str,
    id: i32,
) -> async_graphql::Result<Option<Provenance>> {
    Ok(load(ctx, ProvenanceOf(record_type, id))
        .await?
        .map(Provenance))
}

/// A document the demo data was transcribed from (one of the city's plans, follow-ups or
/// strategies, as a text file of `../shared/seeds`).
#[derive(Debug, Clone)]
pub struct SourceDocument(pub source_document::Model);

/// A document the demo data was transcribed from (one of the city's plans, follow-ups or
/// strategies, as a text file of `../shared/seeds`).
#[Object]
impl SourceDocument {
    /// The document's global ID.
    pub(crate) async fn id(&self) -> ID {
        encode(NodeType::SourceDocument, self.0.id)
    }
    /// Stable readable identifier: the file name without `.txt`, e.g.
    /// `skarpnack-atgardsplan-2022`.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// The title as written on the document, e.g. "Bilaga 2: Åtgärdsplan för Skarpnäck 2022".
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// The file the text was read from, e.g. `skarpnack-atgardsplan-2022.txt`.
    async fn file_name(&self) -> &str {
        &self.0.file_name
    }
    /// The body the document names as its author or publisher, as written; null when it
    /// names none.
    async fn publisher(&self) -> Option<&str> {
        self.0.publisher.as_deref()
    }
    /// The year the document is dated by; null when it gives none.
    async fn year(&self) -> Option<i32> {
        self.0.year
    }
}

/// Where a seeded record comes from: its document, and whether the record (or a link or
/// value in it) is a reading of the documents rather than written in them.
#[derive(Debug, Clone)]
pub struct Provenance(pub provenance::Model);

/// Where a seeded record comes from: its document, and whether the record (or a link or
/// value in it) is a reading of the documents rather than written in them.
#[Object]
impl Provenance {
    /// The document the record comes from; null for catalogue entries no single document
    /// gives (e.g. the city's districts' administrations).
    async fn document(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<SourceDocument>> {
        match self.0.source_document_id {
            Some(id) => Ok(load(ctx, SourceDocumentId(id)).await?.map(SourceDocument)),
            None => Ok(None),
        }
    }
    /// True when the record is a reading of the documents rather than as written (e.g. a
    /// seat taken from "Övriga deltagare", "polis" read as a police area); `note` says
    /// which part and why.
    async fn inferred(&self) -> bool {
        self.0.inferred
    }
    /// What was read and why, in English, quoting the document as written; null for a
    /// record as written.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
}

/// The documents behind the demo data.
#[derive(Debug, Default)]
pub struct ProvenanceQuery;

/// The documents behind the demo data.
#[Object]
impl ProvenanceQuery {
    /// Every source document, in load order (the strategy, then the district documents).
    #[graphql(complexity = "crate::graphql::pagination::STATEMENT_COST + child_complexity")]
    async fn source_documents(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<SourceDocument>> {
        use sea_orm::QueryOrder;
        let db = &state(ctx)?.db;
        Ok(source_document::Entity::find()
            .order_by_asc(source_document::Column::Id)
            .all(db)
            .await
            .map_err(AppError::from)?
            .into_iter()
            .map(SourceDocument)
            .collect())
    }
}
