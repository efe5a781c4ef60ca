//! Provenance: which document a record comes from — one of the city's documents the demo
//! data was transcribed from (`data/FORMAT.md`, "provenance"), or a file imported by
//! `importActionPlan`/`importFollowUps` (`services::imports`) — and whether it is a reading
//! of the document rather than as written in it. Every type that may come from a document
//! has a `provenance` field answered by [`of`].

use async_graphql::{Context, ID, Object};
use entity::*;

use crate::graphql::prelude::*;

/// The provenance of the `record_type` row `id` (`record_type` is its GraphQL type name);
/// null when the record was made in the service (neither seeded nor imported).
pub(crate) async fn of(
    ctx: &Context<'_>,
    record_type: &'static str,
    id: i32,
) -> async_graphql::Result<Option<Provenance>> {
    Ok(load(ctx, ProvenanceOf(record_type, id))
        .await?
        .map(Provenance))
}

/// A document records come from: one of the city's plans, follow-ups or strategies the
/// demo data was transcribed from (a text file of `../shared/seeds`), or a file imported
/// by `importActionPlan` or `importFollowUps` (or `samverkan import`) — one document per
/// file content, found again by its SHA-256 when the same file is imported again.
#[derive(Debug, Clone)]
pub struct SourceDocument(pub source_document::Model);

/// A document records come from: one of the city's plans, follow-ups or strategies the
/// demo data was transcribed from (a text file of `../shared/seeds`), or a file imported
/// by `importActionPlan` or `importFollowUps` (or `samverkan import`) — one document per
/// file content, found again by its SHA-256 when the same file is imported again.
#[Object]
impl SourceDocument {
    /// The document's global ID.
    pub(crate) async fn id(&self) -> ID {
        encode(NodeType::SourceDocument, self.0.id)
    }
    /// Stable readable identifier: for a seeded document its file name without `.txt`,
    /// e.g. `skarpnack-atgardsplan-2022`; for an imported file `import-` and the first 16
    /// hex digits of the file's SHA-256, e.g. `import-9f86d081884c7d65`.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// The title as written on the document, e.g. "Bilaga 2: Åtgärdsplan för Skarpnäck 2022";
    /// for an imported file the title the import read from it (its first paragraph or
    /// title row naming a plan, else its first one, else the sheet's name), else the
    /// file's name.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// The file the record was read from: for a seeded document the text file, e.g.
    /// `skarpnack-atgardsplan-2022.txt`; for an imported file its name as uploaded (the
    /// first upload's, when the same file came again under another name), e.g.
    /// `bromma-2019-2022.docx`.
    async fn file_name(&self) -> &str {
        &self.0.file_name
    }
    /// The body the document names as its author or publisher, as written; null when it
    /// names none, and for an imported file.
    async fn publisher(&self) -> Option<&str> {
        self.0.publisher.as_deref()
    }
    /// The year the document is dated by; null when it gives none. For an imported file:
    /// the first year of the plan imported from it, or the year of the follow-ups' period.
    async fn year(&self) -> Option<i32> {
        self.0.year
    }
}

/// Where a seeded or imported record comes from: its document, and whether the record (or
/// a link or value in it) is a reading of the document rather than written in it.
#[derive(Debug, Clone)]
pub struct Provenance(pub provenance::Model);

/// Where a seeded record comes from: its document, and whether the record (or a link or
/// value in it) is a reading of the documents rather than written in them.
#[Object]
impl Provenance {
    /// The document the record comes from (a seeded document, or the imported file); null
    /// for catalogue entries no single document gives (e.g. the city's districts'
    /// administrations).
    async fn document(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<SourceDocument>> {
        match self.0.source_document_id {
            Some(id) => Ok(load(ctx, SourceDocumentId(id)).await?.map(SourceDocument)),
            None => Ok(None),
        }
    }
    /// True when the record is a reading of the document rather than as written (e.g. a
    /// seat taken from "Övriga deltagare", "polis" read as a police area — by the seed's
    /// transcription or by an import, `ORGANIZATION_INFERRED`); `note` says which part and
    /// why.
    async fn inferred(&self) -> bool {
        self.0.inferred
    }
    /// What was read and why, in English, quoting the document as written: null for a
    /// seeded record as written; for an imported record the file and row it was read from
    /// ("imported from plan.xlsx, row 5"), and what was read and how.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
}

/// The documents behind the records: the demo data's, and the imported files.
#[derive(Debug, Default)]
pub struct ProvenanceQuery;

/// The documents behind the records: the demo data's, and the imported files.
#[Object]
impl ProvenanceQuery {
    /// Every source document, in the order they came: the demo data's (the strategy, then
    /// the district documents), then the imported files, oldest first.
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
