//! Imports (issue 15): an action plan, or a period's follow-ups, from an uploaded XLSX,
//! CSV or DOCX table (`services::imports` holds the rules; uploads arrive as GraphQL
//! multipart requests, `transport::receive_multipart`).

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject, Upload};

use crate::graphql::prelude::*;
use crate::services::imports as service;

/// The largest file an import reads, in bytes (`SAMVERKAN_MAX_UPLOAD_BYTES`): request data.
#[derive(Debug, Clone, Copy)]
pub struct UploadLimit(pub usize);

/// What kind of problem a file has. Blocking ones stop a commit (nothing is written);
/// the others are notices about how a row was read.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "crate::services::imports::ProblemCode")]
pub enum ImportProblemCode {
    /// No table with the plan's columns: the heading row must name "Metoder och
    /// arbetssätt" and another known column (blocking).
    NoTable,
    /// A column the import needs is missing, e.g. "Status" for follow-ups (blocking).
    MissingColumn,
    /// A column the import does not read; ignored (notice).
    UnknownColumn,
    /// A row lacks a value it needs, e.g. "Metoder och arbetssätt" (blocking).
    MissingValue,
    /// A value that cannot be read, e.g. a version that is not a number (blocking).
    BadValue,
    /// A text longer than the service keeps (blocking).
    TextTooLong,
    /// A priority area the plan's strategy does not have (blocking).
    UnknownPriorityArea,
    /// A focus area the plan's strategy does not have (blocking).
    UnknownFocusArea,
    /// A focus area of another priority area than the row's (blocking).
    FocusAreaMismatch,
    /// A name matched a catalogue entry only approximately; the message names it (notice).
    ApproximateMatch,
    /// An organization named in "Ansvarig" matches none; the text stays in the
    /// activity's `responsibleText` (notice).
    UnknownOrganization,
    /// An organization read rather than named ("Polis:" → the police area serving the
    /// district; a cell naming none → the plan's owner); its provenance says so (notice).
    OrganizationInferred,
    /// The row would overwrite a change made in the service since the file was made, or
    /// its `Version` is stale (blocking).
    Conflict,
    /// An `ID` that names no activity of the plan (blocking).
    NotFound,
    /// A status that is not one of Pågår, Klart, Pausad, Planerad, Avbruten (blocking).
    UnknownStatus,
    /// A follow-up of a submitted (locked) period; only an admin changes it (blocking).
    Locked,
    /// A follow-up row no activity of the plan matches (blocking).
    NoActivity,
    /// A follow-up row whose "Metoder och arbetssätt" is not its activity's (blocking).
    RowMismatch,
    /// The plan has activities the file does not; left as they are (notice).
    ExtraActivities,
    /// The file holds columns another import reads, e.g. a status in a plan (notice).
    OtherImport,
}

/// A problem of an imported file: where, what, why.
#[derive(SimpleObject, Debug, Clone)]
pub struct ImportProblem {
    /// The row as a user finds it (the sheet's row number, the CSV record, or the row
    /// counted over every table of a Word document); null for the file as a whole.
    pub row: Option<i32>,
    /// The column's heading as the file writes it; null for the whole row or file.
    pub column: Option<String>,
    /// What kind of problem.
    pub code: ImportProblemCode,
    /// What is wrong and what to do, for a person.
    pub message: String,
    /// Whether it stops a commit.
    pub blocking: bool,
}

/// What happens to a row of an imported file.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "crate::services::imports::RowAction")]
pub enum ImportRowAction {
    /// It creates an activity (or follow-up).
    Create,
    /// It changes one.
    Update,
    /// Its activity (or follow-up) is as the row says already.
    Unchanged,
    /// Not imported: a blocking problem on the row.
    Skip,
}

/// One row of an imported file and what it does.
#[derive(Debug, Clone)]
pub struct ImportRow(service::RowOutcome);

/// One row of an imported file and what it does.
#[Object]
impl ImportRow {
    /// The row as a user finds it.
    async fn row(&self) -> i32 {
        i32::try_from(self.0.row).unwrap_or(i32::MAX)
    }
    /// What it does (or, in a dry run, would do).
    async fn action(&self) -> ImportRowAction {
        self.0.action.into()
    }
    /// The fields it changes (`priorityArea`, `focusArea`, `goal`, `description`,
    /// `methods`, `responsibleText`, `responsibilities`, `timeline`, `years`,
    /// `followUpSchedule`, `followUpTerms`; for follow-ups `status`, `effects`).
    async fn changes(&self) -> Vec<&'static str> {
        self.0.changes.clone()
    }
    /// The activity the row is (or, in a dry run, would be) written to; null for a row
    /// that would create one in a dry run, and for a skipped row that matched none.
    async fn activity(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Activity>> {
        match self.0.activity_id {
            Some(id) => Ok(load(ctx, ActivityId(id)).await?.map(Activity)),
            None => Ok(None),
        }
    }
}

/// An action plan to import from an XLSX, CSV or DOCX file with the documents' columns
/// (see the README, *Importing a plan*).
#[derive(InputObject, Debug)]
pub struct ImportActionPlanInput {
    /// The file, sent as the GraphQL multipart request spec writes it.
    pub file: Upload,
    /// The district whose plan it is.
    pub district: ID,
    /// True: answer what would happen, row by row, and write nothing.
    pub dry_run: bool,
    /// The plan to import into (default: the district's plan with the file's title, else
    /// a new plan).
    pub action_plan: Option<ID>,
    /// The plan's title (default: the file's first paragraph or title row that names a
    /// plan, else its sheet's name).
    pub title: Option<String>,
    /// A new plan's first year (default: the first year its title names).
    pub start_year: Option<i32>,
    /// A new plan's last year (default: the last year its title names).
    pub end_year: Option<i32>,
    /// The strategy a new plan follows (default: the one whose years hold its first year);
    /// its priority and focus areas are those the rows are matched to.
    pub strategy: Option<ID>,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
}

/// What an import of an action plan did, or in a dry run would do.
#[derive(SimpleObject, Debug)]
pub struct ImportActionPlanPayload {
    /// The plan imported into (after a commit: as it is now); null in a dry run that
    /// would create it.
    pub action_plan: Option<ActionPlan>,
    /// Whether the plan is (or would be) created by the import.
    pub plan_created: bool,
    /// Rows that create an activity.
    pub created: i32,
    /// Rows that change an activity.
    pub updated: i32,
    /// Rows whose activity is as the row says already.
    pub unchanged: i32,
    /// Row by row.
    pub rows: Vec<ImportRow>,
    /// Every problem of the file, blocking or not, in row order.
    pub problems: Vec<ImportProblem>,
    /// Whether this was a dry run.
    pub dry_run: bool,
    /// Whether anything was written (false in a dry run, with a blocking problem, or
    /// when every row was unchanged).
    pub written: bool,
    /// Why nothing was written, when the caller can fix it (the file's blocking
    /// problems, an ID that names nothing, a missing title).
    pub user_errors: Vec<UserError>,
    /// The input's `clientMutationId`.
    pub client_mutation_id: Option<String>,
}

/// A period's follow-ups (status and effects) to import from the same kind of table.
#[derive(InputObject, Debug)]
pub struct ImportFollowUpsInput {
    /// The file, sent as the GraphQL multipart request spec writes it.
    pub file: Upload,
    /// The district whose plan it is.
    pub district: ID,
    /// The reporting period the status column describes.
    pub period: ReportingPeriodInput,
    /// True: answer what would happen, row by row, and write nothing.
    pub dry_run: bool,
    /// The plan (default: the district's plan with the file's title, else its only plan
    /// with activities whose years hold the period).
    pub action_plan: Option<ID>,
    /// Echoed back in the payload.
    pub client_mutation_id: Option<String>,
}

/// What an import of follow-ups did, or in a dry run would do.
#[derive(SimpleObject, Debug)]
pub struct ImportFollowUpsPayload {
    /// The plan whose activities' follow-ups they are.
    pub action_plan: Option<ActionPlan>,
    /// Rows that create a follow-up.
    pub created: i32,
    /// Rows that change one.
    pub updated: i32,
    /// Rows whose follow-up is as the row says already.
    pub unchanged: i32,
    /// Row by row.
    pub rows: Vec<ImportRow>,
    /// Every problem of the file, blocking or not, in row order.
    pub problems: Vec<ImportProblem>,
    /// The follow-ups written.
    pub follow_ups: Vec<FollowUp>,
    /// Whether this was a dry run.
    pub dry_run: bool,
    /// Whether anything was written.
    pub written: bool,
    /// Why nothing was written, when the caller can fix it.
    pub user_errors: Vec<UserError>,
    /// The input's `clientMutationId`.
    pub client_mutation_id: Option<String>,
}

fn count(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

fn problems(report: &service::ImportReport) -> Vec<ImportProblem> {
    report
        .problems
        .iter()
        .map(|p| ImportProblem {
            row: p.row.map(count),
            column: p.column.clone(),
            code: p.code.into(),
            message: p.message.clone(),
            blocking: p.blocking(),
        })
        .collect()
}

/// Decode the `ID` column of an exported file (an activity's global ID) to its row id.
pub fn activity_id(text: &str) -> Option<i32> {
    decode_as(&ID(text.to_owned()), NodeType::Activity, "ID").ok()
}

/// The uploaded file's name and bytes, read into a document off the async threads.
async fn read_upload(
    ctx: &Context<'_>,
    file: &Upload,
) -> async_graphql::Result<(String, String, crate::files::Document)> {
    let upload = file.value(ctx).map_err(|_| {
        AppError::bad_input(
            "input.file",
            "no file was sent for `file`: send the request as multipart/form-data (the GraphQL multipart request spec)",
        )
    })?;
    let max = ctx.data::<UploadLimit>().map_or(10 * 1024 * 1024, |l| l.0);
    let bytes = upload.content;
    let name = upload.filename;
    let (digest, doc) = tokio::task::spawn_blocking(move || {
        let limits = service::file_limits(max);
        (service::digest(&bytes), service::read_file(&bytes, &limits))
    })
    .await
    .map_err(|e| AppError::Internal(anyhow::anyhow!("reading the upload failed: {e}")))?;
    Ok((name, digest, doc?))
}

/// Imports.
#[derive(Debug, Default)]
pub struct ImportsMutation;

/// Imports.
#[Object]
impl ImportsMutation {
    /// Import (or, with `dryRun`, preview) an action plan from an XLSX, CSV or DOCX table
    /// with the documents' columns: coordinators of the district, the plan's owner's
    /// editors, admins. A commit is all or nothing; importing the same file again changes
    /// nothing; a changed row updates its activity unless that would lose an edit made in
    /// the service (then a `CONFLICT` problem). A file that cannot be read is a GraphQL
    /// error with its code (`UNSUPPORTED_FILE`, `FILE_ENCRYPTED`, …); nothing is written.
    async fn import_action_plan(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The file, the district, and whether to write.")]
        input: ImportActionPlanInput,
    ) -> async_graphql::Result<ImportActionPlanPayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let district = decode_as(&input.district, NodeType::District, "input.district")?;
        let plan = opt_id(
            input.action_plan.as_ref(),
            NodeType::ActionPlan,
            "input.actionPlan",
        )?;
        let strategy = opt_id(
            input.strategy.as_ref(),
            NodeType::Strategy,
            "input.strategy",
        )?;
        // The rule before the file is read.
        if let Err(err) = service::check_rule(&st.db, actor, district, plan).await {
            return match err {
                AppError::Forbidden(_) | AppError::Database(_) | AppError::Internal(_) => {
                    Err(err.into())
                }
                other => Ok(refused_plan(other, input.dry_run, input.client_mutation_id)),
            };
        }
        let (file_name, digest, doc) = read_upload(ctx, &input.file).await?;
        let dry_run = input.dry_run;
        let (report, user_errors) = mutate(ctx, (), async {
            service::import_plan(
                &st.db,
                actor,
                service::PlanImport {
                    district_id: district,
                    action_plan_id: plan,
                    title: input.title,
                    start_year: input.start_year,
                    end_year: input.end_year,
                    strategy_id: strategy,
                    file_name,
                    dry_run,
                },
                doc,
                &digest,
                activity_id,
            )
            .await
        })
        .await?;
        let Some(report) = report else {
            return Ok(ImportActionPlanPayload {
                user_errors,
                ..refused_plan_empty(dry_run, input.client_mutation_id)
            });
        };
        let mut user_errors = user_errors;
        if let Some(err) = report.refusal() {
            user_errors.push(UserError {
                field: err.field().map(str::to_owned),
                message: err.to_string(),
                code: UserErrorCode::BadUserInput,
            });
        }
        let action_plan = match &report.plan {
            Some(p) => load(ctx, ActionPlanId(p.id)).await?.map(ActionPlan),
            None => None,
        };
        Ok(ImportActionPlanPayload {
            action_plan,
            plan_created: report.plan_created,
            created: count(report.created),
            updated: count(report.updated),
            unchanged: count(report.unchanged),
            problems: problems(&report),
            rows: report.rows.iter().cloned().map(ImportRow).collect(),
            dry_run,
            written: report.written,
            user_errors,
            client_mutation_id: input.client_mutation_id,
        })
    }

    /// Import (or, with `dryRun`, preview) a period's follow-ups — "Status 31/8 2021" and
    /// "Effekter och resultat" — from the same kind of table, matched to the plan's
    /// activities by the `ID` column or by place (checked against "Metoder och
    /// arbetssätt"): coordinators of the district, the plan's owner's editors, admins; a
    /// locked (submitted) period only admins. A changed follow-up reported in the service
    /// since the file was made is a `CONFLICT` problem.
    async fn import_follow_ups(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The file, the district, the period, and whether to write.")]
        input: ImportFollowUpsInput,
    ) -> async_graphql::Result<ImportFollowUpsPayload> {
        let (st, actor) = (state(ctx)?, actor(ctx).await?);
        let district = decode_as(&input.district, NodeType::District, "input.district")?;
        let plan = opt_id(
            input.action_plan.as_ref(),
            NodeType::ActionPlan,
            "input.actionPlan",
        )?;
        let dry_run = input.dry_run;
        if let Err(err) = service::check_rule(&st.db, actor, district, plan).await {
            return match err {
                AppError::Forbidden(_) | AppError::Database(_) | AppError::Internal(_) => {
                    Err(err.into())
                }
                other => Ok(ImportFollowUpsPayload {
                    user_errors: vec![user_error(&other)],
                    ..empty_follow_ups(dry_run, input.client_mutation_id)
                }),
            };
        }
        let (file_name, digest, doc) = read_upload(ctx, &input.file).await?;
        let (report, user_errors) = mutate(ctx, (), async {
            service::import_follow_ups(
                &st.db,
                actor,
                service::FollowUpImport {
                    district_id: district,
                    action_plan_id: plan,
                    year: input.period.year,
                    term: input.period.term.into(),
                    file_name,
                    dry_run,
                },
                doc,
                &digest,
                activity_id,
            )
            .await
        })
        .await?;
        let Some(report) = report else {
            return Ok(ImportFollowUpsPayload {
                user_errors,
                ..empty_follow_ups(dry_run, input.client_mutation_id)
            });
        };
        announce_all(
            ctx,
            EventKind::FollowUp,
            "followUp.import",
            report.plan.as_ref().and_then(|p| p.district_id),
            report
                .follow_ups
                .iter()
                .map(|f| (f.id, f.place()))
                .collect(),
        )
        .await;
        let mut user_errors = user_errors;
        if let Some(err) = report.refusal() {
            user_errors.push(user_error(&err));
        }
        let action_plan = match &report.plan {
            Some(p) => load(ctx, ActionPlanId(p.id)).await?.map(ActionPlan),
            None => None,
        };
        Ok(ImportFollowUpsPayload {
            action_plan,
            created: count(report.created),
            updated: count(report.updated),
            unchanged: count(report.unchanged),
            problems: problems(&report),
            rows: report.rows.iter().cloned().map(ImportRow).collect(),
            follow_ups: report.follow_ups.iter().cloned().map(FollowUp).collect(),
            dry_run,
            written: report.written,
            user_errors,
            client_mutation_id: input.client_mutation_id,
        })
    }
}

fn user_error(err: &AppError) -> UserError {
    UserError {
        field: err.field().map(str::to_owned),
        message: err.to_string(),
        code: match err {
            AppError::NotFound { .. } => UserErrorCode::NotFound,
            AppError::Conflict(_) => UserErrorCode::Conflict,
            _ => UserErrorCode::BadUserInput,
        },
    }
}

fn refused_plan_empty(
    dry_run: bool,
    client_mutation_id: Option<String>,
) -> ImportActionPlanPayload {
    ImportActionPlanPayload {
        action_plan: None,
        plan_created: false,
        created: 0,
        updated: 0,
        unchanged: 0,
        rows: Vec::new(),
        problems: Vec::new(),
        dry_run,
        written: false,
        user_errors: Vec::new(),
        client_mutation_id,
    }
}

fn refused_plan(
    err: AppError,
    dry_run: bool,
    client_mutation_id: Option<String>,
) -> ImportActionPlanPayload {
    ImportActionPlanPayload {
        user_errors: vec![user_error(&err)],
        ..refused_plan_empty(dry_run, client_mutation_id)
    }
}

fn empty_follow_ups(dry_run: bool, client_mutation_id: Option<String>) -> ImportFollowUpsPayload {
    ImportFollowUpsPayload {
        action_plan: None,
        created: 0,
        updated: 0,
        unchanged: 0,
        rows: Vec::new(),
        problems: Vec::new(),
        follow_ups: Vec::new(),
        dry_run,
        written: false,
        user_errors: Vec::new(),
        client_mutation_id,
    }
}
