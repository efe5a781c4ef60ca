//! Exports (issue 15, "Out"): fields that name the download URLs of the reports, plans,
//! coverage matrices and the import templates, so a UI can link to them. The files
//! themselves are served by `GET /exports/…` (`crate::exports_http`) with the same bearer
//! token; the URLs are relative to the server's root (prefix them with the address the
//! client reached `/graphql` at). Each field checks what it names exists, so a link it
//! gives works.

use async_graphql::{Context, ID, InputType, Object, SimpleObject};

use super::reports::{CoverageDimension, CoverageMeasure};
use crate::exports_http::url;
use crate::graphql::prelude::*;

/// The files of a tertial follow-up report: URLs relative to the server's root, each
/// fetched with `GET` and the bearer token (`Authorization: Bearer …`).
#[derive(SimpleObject, Debug, Clone)]
pub struct FollowUpReportFiles {
    /// The report as an Excel workbook (XLSX): the documents' columns, plus an `ID`
    /// column (the activities' IDs) so an edited file can be imported back.
    pub xlsx: String,
    /// The report as a Word document (DOCX, landscape A4): the document a board receives,
    /// in the documents' columns.
    pub docx: String,
    /// The report as CSV (UTF-8 with BOM, `;`-separated, as Excel in Swedish settings
    /// opens it), with the `ID` column as the XLSX.
    pub csv: String,
}

/// The files of an action plan: URLs relative to the server's root.
#[derive(SimpleObject, Debug, Clone)]
pub struct ActionPlanFiles {
    /// The plan as XLSX: the plans' columns, plus `ID` and `Version` (what the import
    /// matches rows by).
    pub xlsx: String,
    /// The plan as DOCX, in the plans' columns.
    pub docx: String,
}

/// The files of a coverage matrix: URLs relative to the server's root.
#[derive(SimpleObject, Debug, Clone)]
pub struct CoverageFiles {
    /// The matrix as XLSX: a row per district ("Kommun", "Stadsdelsområde"), a column per
    /// key, "Totalt" for the row sums and a last row of column sums.
    pub xlsx: String,
    /// The same as CSV.
    pub csv: String,
}

/// The blank import template: a URL relative to the server's root.
#[derive(SimpleObject, Debug, Clone)]
pub struct ImportTemplateFiles {
    /// The template as XLSX: the plan columns the import reads, with the catalogue's
    /// priority areas, focus areas and organizations as validation lists (a warning, not
    /// a refusal, for other text).
    pub xlsx: String,
}

/// The template of the follow-up import: a URL relative to the server's root.
#[derive(SimpleObject, Debug, Clone)]
pub struct FollowUpTemplateFiles {
    /// The template as XLSX: "Metoder och arbetssätt | Status … | Effekter och resultat"
    /// (the columns `importFollowUps` reads), the statuses (Planerad, Pågår, Klart,
    /// Pausad, Avbruten) as the status column's validation list; for a plan, a row per
    /// activity of the period with its `ID` and `Version`, filled in with the period's
    /// follow-up where one was reported.
    pub xlsx: String,
}

/// The exports' URLs.
#[derive(Debug, Default)]
pub struct ExportsQuery;

/// The exports' URLs.
#[Object]
impl ExportsQuery {
    /// The tertial follow-up report of a district (every plan of the district) or of an
    /// organization (the plans it owns) for a period, in the follow-up documents' layout:
    /// rows grouped by priority area, every activity expected to report in the period
    /// (an empty status where none came in). Name exactly one of `district` and
    /// `organization`. `NOT_FOUND` when it does not exist.
    async fn follow_up_report(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The district (a District ID).")] district: Option<ID>,
        #[graphql(desc = "Or the organization (an Organization ID).")] organization: Option<ID>,
        #[graphql(desc = "The reporting period.")] period: ReportingPeriodInput,
    ) -> async_graphql::Result<FollowUpReportFiles> {
        crate::services::write::year("period.year", period.year)?;
        let owner = match (district, organization) {
            (Some(d), None) => {
                let id = decode_as(&d, NodeType::District, "district")?;
                load(ctx, DistrictId(id))
                    .await?
                    .ok_or_else(|| AppError::not_found("district", "no such district"))?;
                ("district", d)
            }
            (None, Some(o)) => {
                let id = decode_as(&o, NodeType::Organization, "organization")?;
                load(ctx, OrganizationId(id))
                    .await?
                    .ok_or_else(|| AppError::not_found("organization", "no such organization"))?;
                ("organization", o)
            }
            _ => {
                return Err(AppError::bad_input(
                    "district",
                    "name either district or organization",
                )
                .into());
            }
        };
        let params = [
            (owner.0, owner.1.to_string()),
            ("year", period.year.to_string()),
            ("term", term_name(period.term).to_owned()),
        ];
        Ok(FollowUpReportFiles {
            xlsx: url("follow-up-report.xlsx", &params),
            docx: url("follow-up-report.docx", &params),
            csv: url("follow-up-report.csv", &params),
        })
    }

    /// The files of an action plan. `NOT_FOUND` when it does not exist.
    async fn action_plan_files(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The plan (an ActionPlan ID).")] id: ID,
    ) -> async_graphql::Result<ActionPlanFiles> {
        let plan = decode_as(&id, NodeType::ActionPlan, "id")?;
        load(ctx, ActionPlanId(plan))
            .await?
            .ok_or_else(|| AppError::not_found("id", "no such action plan"))?;
        let params = [("id", id.to_string())];
        Ok(ActionPlanFiles {
            xlsx: url("action-plan.xlsx", &params),
            docx: url("action-plan.docx", &params),
        })
    }

    /// The files of a coverage matrix: the numbers the `coverage` query answers for the
    /// same arguments (every district of every municipality unless `municipality` is
    /// given — the national matrix).
    #[allow(clippy::too_many_arguments)]
    async fn coverage_files(
        &self,
        #[graphql(desc = "What the columns are.")] dimension: CoverageDimension,
        #[graphql(desc = "What the cells count (default: as `coverage`).")] measure: Option<
            CoverageMeasure,
        >,
        #[graphql(desc = "Only the districts of this municipality (a Municipality ID).")]
        municipality: Option<ID>,
        #[graphql(desc = "Only the priority or focus areas of this strategy (a Strategy ID).")]
        strategy: Option<ID>,
        #[graphql(desc = "Only organizations of this kind (dimension ORGANIZATION).")]
        organization_kind: Option<OrganizationKind>,
        #[graphql(desc = "As `coverage`'s `followLineage` (null counts as false).")]
        follow_lineage: Option<bool>,
    ) -> async_graphql::Result<CoverageFiles> {
        if let Some(m) = &municipality {
            decode_as(m, NodeType::Municipality, "municipality")?;
        }
        if let Some(s) = &strategy {
            decode_as(s, NodeType::Strategy, "strategy")?;
        }
        let name = |v: async_graphql::Value| match v {
            async_graphql::Value::Enum(n) => n.to_string(),
            other => other.to_string(),
        };
        let mut params = vec![("dimension", name(InputType::to_value(&dimension)))];
        if let Some(m) = measure {
            params.push(("measure", name(InputType::to_value(&m))));
        }
        if let Some(m) = municipality {
            params.push(("municipality", m.to_string()));
        }
        if let Some(s) = strategy {
            params.push(("strategy", s.to_string()));
        }
        if let Some(k) = organization_kind {
            params.push(("organizationKind", name(InputType::to_value(&k))));
        }
        if follow_lineage == Some(true) {
            params.push(("followLineage", "true".to_owned()));
        }
        Ok(CoverageFiles {
            xlsx: url("coverage.xlsx", &params),
            csv: url("coverage.csv", &params),
        })
    }

    /// The blank XLSX template of the action-plan import (`importActionPlan`); for the
    /// follow-up import's, see `followUpTemplate`.
    async fn import_template(
        &self,
        #[graphql(
            desc = "Only the priority and focus areas of this strategy (a Strategy ID; default: every strategy's)."
        )]
        strategy: Option<ID>,
    ) -> async_graphql::Result<ImportTemplateFiles> {
        let params = match strategy {
            Some(s) => {
                decode_as(&s, NodeType::Strategy, "strategy")?;
                vec![("strategy", s.to_string())]
            }
            None => Vec::new(),
        };
        Ok(ImportTemplateFiles {
            xlsx: url("template.xlsx", &params),
        })
    }

    /// The XLSX template of the follow-up import (`importFollowUps`): blank, or — with
    /// `actionPlan` and `period` — the plan's activities the period's follow-up lists (as
    /// `followUpReport` does), each with its ID, for a coordinator to fill in the status
    /// and effects and import back (the file's first line is the plan's title, so the
    /// import finds the plan without `actionPlan`). `NOT_FOUND` for an unknown plan;
    /// `BAD_USER_INPUT` for `actionPlan` without `period`.
    async fn follow_up_template(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The plan whose rows to fill in (an ActionPlan ID; needs `period`). Default: a blank template."
        )]
        action_plan: Option<ID>,
        #[graphql(
            desc = "The period: the status heading names it (\"Status 31/8 2021\"), and a plan's rows are those of its follow-up. Default: a heading \"Status\" (the import's `period` says which)."
        )]
        period: Option<ReportingPeriodInput>,
    ) -> async_graphql::Result<FollowUpTemplateFiles> {
        let mut params = Vec::new();
        if let Some(p) = &period {
            crate::services::write::year("period.year", p.year)?;
            params.push(("year", p.year.to_string()));
            params.push(("term", term_name(p.term).to_owned()));
        }
        if let Some(id) = action_plan {
            if period.is_none() {
                return Err(AppError::bad_input(
                    "period",
                    "a template of a plan's rows is of a period: give `period`",
                )
                .into());
            }
            let plan = decode_as(&id, NodeType::ActionPlan, "actionPlan")?;
            load(ctx, ActionPlanId(plan))
                .await?
                .ok_or_else(|| AppError::not_found("actionPlan", "no such action plan"))?;
            params.push(("plan", id.to_string()));
        }
        Ok(FollowUpTemplateFiles {
            xlsx: url("follow-up-template.xlsx", &params),
        })
    }
}

/// A term as the exports' URLs write it.
fn term_name(term: Term) -> &'static str {
    match term {
        Term::T1 => "T1",
        Term::T2 => "T2",
        Term::Annual => "ANNUAL",
    }
}
