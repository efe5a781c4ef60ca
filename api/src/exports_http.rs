//! `GET /exports/{file}`: the exports of issue 15 as downloads (the reports are built by
//! [`crate::services::exports`], written by [`crate::files`]).
//!
//! | file | query parameters |
//! |---|---|
//! | `follow-up-report.xlsx`, `.docx`, `.csv` | `district` or `organization` (an ID or a slug), `year`, `term` (`T1`, `T2`, `ANNUAL`) |
//! | `action-plan.xlsx`, `.docx` | `id` (an ActionPlan ID or a plan's slug) |
//! | `coverage.xlsx`, `.csv` | `dimension` (as the `coverage` query: `GROUP_KIND`, `PRIORITY_AREA`, …), optional `measure`, `strategy`, `municipality` (IDs or slugs), `organizationKind`, `followLineage` (`true`) |
//! | `template.xlsx` | optional `strategy` (an ID or a slug: its priority areas only) |
//! | `follow-up-template.xlsx` | optional `year` and `term` (the period: the status heading names it), and with them optional `plan` (an ActionPlan ID or a slug: its rows of the period filled in) |
//!
//! The same bearer token as `/graphql` (401 without a valid one, with
//! `WWW-Authenticate: Bearer`), the same per-token rate limit (429 with `Retry-After`).
//! Refusals are JSON in the GraphQL error shape with `extensions.code`: 400
//! `BAD_USER_INPUT` (a parameter missing or wrong), 404 `NOT_FOUND` (an unknown file name
//! or record). A file is answered with its media type, `Content-Disposition: attachment`
//! with an ASCII `filename` and the exact name as RFC 5987 `filename*=UTF-8''…` (RFC 6266),
//! `Cache-Control: no-store` and `X-Content-Type-Options: nosniff`. Reading is open to every
//! authenticated caller, as the GraphQL reads are.
//!
//! The GraphQL fields that name these URLs (`followUpReport`, `actionPlanFiles`,
//! `coverageFiles`, `importTemplate`, `followUpTemplate`) build them with [`url`], relative
//! to the server's root.
//!
//! Every export is made inside the server's gate (`crate::gate`, shared with the
//! `coverage` query; `SAMVERKAN_COVERAGE_CONCURRENCY`): at most its size are computed and
//! written at once, the others wait their turn.

use std::time::Instant;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use entity::enums::{OrganizationKind, Term};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::error::AppError;
use crate::files::{self, Report, Template};
use crate::gate::Gate;
use crate::graphql::ids::{self, NodeType};
use crate::http::{AppState, authenticate, error_response, rate_limited, refuse_caller, status_of};
use crate::services::coverage::{CoverageQuery, Dimension, Measure};
use crate::services::exports::{self, Owner};
use crate::transport::MediaType;

/// The first part of every export's path.
pub const PREFIX: &str = "/exports";

/// What RFC 5987's `attr-char` leaves as it is; everything else is percent-encoded.
const ATTR_CHAR: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// What a query parameter's value may keep unencoded in a URL built by [`url`].
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The URL of an export, relative to the server's root: `/exports/{file}?k=v&…`, the
/// values percent-encoded.
pub fn url(file: &str, params: &[(&str, String)]) -> String {
    let mut out = format!("{PREFIX}/{file}");
    for (i, (k, v)) in params.iter().enumerate() {
        out.push(if i == 0 { '?' } else { '&' });
        out.push_str(k);
        out.push('=');
        out.push_str(&utf8_percent_encode(v, QUERY_VALUE).to_string());
    }
    out
}

/// The value of `Content-Disposition` for a download named `name`: an ASCII fallback in
/// `filename` (other characters as `_`) and the name itself in `filename*` (RFC 6266,
/// RFC 5987).
pub fn content_disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        utf8_percent_encode(name, ATTR_CHAR)
    )
}

/// The formats written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Xlsx,
    Docx,
    Csv,
}

impl Kind {
    fn media_type(self) -> &'static str {
        match self {
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Self::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Self::Csv => "text/csv; charset=utf-8",
        }
    }

    fn ext(self) -> &'static str {
        match self {
            Self::Xlsx => "xlsx",
            Self::Docx => "docx",
            Self::Csv => "csv",
        }
    }

    fn write(self, report: &Report) -> Result<Vec<u8>, files::FileError> {
        match self {
            Self::Xlsx => files::write_xlsx(report),
            Self::Docx => files::write_docx(report),
            Self::Csv => files::write_csv(report),
        }
    }
}

/// The query parameters any export may take.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Params {
    district: Option<String>,
    organization: Option<String>,
    year: Option<String>,
    term: Option<String>,
    id: Option<String>,
    dimension: Option<String>,
    measure: Option<String>,
    strategy: Option<String>,
    plan: Option<String>,
    municipality: Option<String>,
    organization_kind: Option<String>,
    follow_lineage: Option<String>,
}

fn required<'a>(value: &'a Option<String>, name: &str) -> Result<&'a str, AppError> {
    value
        .as_deref()
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| AppError::bad_input(name, format!("the parameter `{name}` is required")))
}

/// A record named by its global ID or its slug.
async fn id_or_slug<E>(
    db: &DatabaseConnection,
    value: &str,
    kind: NodeType,
    slug: E::Column,
    name: &str,
) -> Result<i32, AppError>
where
    E: EntityTrait,
    E::Model: HasId,
{
    if let Some(row) = E::find().filter(slug.eq(value)).one(db).await? {
        return Ok(row.id());
    }
    match ids::decode(&async_graphql::ID(value.to_owned())) {
        Ok((k, id)) if k == kind => Ok(id),
        _ => Err(AppError::not_found(
            name,
            format!("no {} has the ID or slug \"{value}\"", kind.name()),
        )),
    }
}

/// The row id of a model found by slug.
trait HasId {
    fn id(&self) -> i32;
}

macro_rules! has_id {
    ($($m:ident),*) => {$(
        impl HasId for entity::$m::Model {
            fn id(&self) -> i32 { self.id }
        }
    )*};
}
has_id!(district, organization, action_plan, strategy, municipality);

fn term(value: &str) -> Result<Term, AppError> {
    match value {
        "T1" => Ok(Term::T1),
        "T2" => Ok(Term::T2),
        "ANNUAL" => Ok(Term::Annual),
        other => Err(AppError::bad_input(
            "term",
            format!("\"{other}\" is not a term: T1, T2 or ANNUAL"),
        )),
    }
}

fn year(value: &str) -> Result<i32, AppError> {
    value
        .trim()
        .parse()
        .map_err(|_| AppError::bad_input("year", format!("\"{value}\" is not a year")))
}

fn dimension(value: &str) -> Result<Dimension, AppError> {
    Ok(match value {
        "GROUP_KIND" => Dimension::GroupKind,
        "PRIORITY_AREA" => Dimension::PriorityArea,
        "FOCUS_AREA" => Dimension::FocusArea,
        "METHOD" => Dimension::Method,
        "ORGANIZATION_KIND" => Dimension::OrganizationKind,
        "ORGANIZATION" => Dimension::Organization,
        "TARGET_GROUP" => Dimension::TargetGroup,
        other => {
            return Err(AppError::bad_input(
                "dimension",
                format!(
                    "\"{other}\" is not a dimension: GROUP_KIND, PRIORITY_AREA, FOCUS_AREA, METHOD, ORGANIZATION_KIND, ORGANIZATION or TARGET_GROUP"
                ),
            ));
        }
    })
}

fn measure(value: &str) -> Result<Measure, AppError> {
    Ok(match value {
        "GROUPS" => Measure::Groups,
        "ACTIVITIES" => Measure::Activities,
        "PARTICIPATIONS" => Measure::Participations,
        "COMMITMENTS" => Measure::Commitments,
        other => {
            return Err(AppError::bad_input(
                "measure",
                format!(
                    "\"{other}\" is not a measure: GROUPS, ACTIVITIES, PARTICIPATIONS or COMMITMENTS"
                ),
            ));
        }
    })
}

fn organization_kind(value: &str) -> Result<OrganizationKind, AppError> {
    use sea_orm::ActiveEnum;
    OrganizationKind::try_from_value(&value.to_owned()).map_err(|_| {
        AppError::bad_input(
            "organizationKind",
            format!("\"{value}\" is not an organization kind"),
        )
    })
}

/// An activity's global ID, as the `ID` column writes it.
fn activity_id(id: i32) -> String {
    ids::encode(NodeType::Activity, id).to_string()
}

/// Build the report `name` asks for, and the stem of its file name.
async fn build(
    db: &DatabaseConnection,
    name: &str,
    kind: Kind,
    p: &Params,
) -> Result<(Report, String), AppError> {
    let now = Utc::now();
    // The ID column (for importing a file back) in spreadsheets, not in the board's DOCX.
    let with_ids = (kind != Kind::Docx).then_some(activity_id as exports::Ids);
    match (name, kind) {
        ("follow-up-report", _) => {
            let owner = match (&p.district, &p.organization) {
                (Some(d), None) => Owner::District(
                    id_or_slug::<entity::district::Entity>(
                        db,
                        d,
                        NodeType::District,
                        entity::district::Column::Slug,
                        "district",
                    )
                    .await?,
                ),
                (None, Some(o)) => Owner::Organization(
                    id_or_slug::<entity::organization::Entity>(
                        db,
                        o,
                        NodeType::Organization,
                        entity::organization::Column::Slug,
                        "organization",
                    )
                    .await?,
                ),
                _ => {
                    return Err(AppError::bad_input(
                        "district",
                        "name either `district` or `organization`",
                    ));
                }
            };
            let y = year(required(&p.year, "year")?)?;
            let t = term(required(&p.term, "term")?)?;
            let report = exports::follow_up_report(db, owner, y, t, now, with_ids).await?;
            let stem = exports::follow_up_report_stem(db, owner, y, t).await?;
            Ok((report, stem))
        }
        ("action-plan", Kind::Xlsx | Kind::Docx) => {
            let id = id_or_slug::<entity::action_plan::Entity>(
                db,
                required(&p.id, "id")?,
                NodeType::ActionPlan,
                entity::action_plan::Column::Slug,
                "id",
            )
            .await?;
            let report = exports::action_plan(db, id, now, with_ids).await?;
            let stem = format!("handlingsplan-{}", report.title);
            Ok((report, stem))
        }
        ("coverage", Kind::Xlsx | Kind::Csv) => {
            let q = coverage_query(db, p).await?;
            let report = exports::coverage(db, &q, now).await?;
            let stem = format!("tackning-{}", required(&p.dimension, "dimension")?)
                .to_lowercase()
                .replace('_', "-");
            Ok((report, stem))
        }
        _ => Err(AppError::not_found(
            "file",
            format!("there is no export {name}.{}", kind.ext()),
        )),
    }
}

async fn coverage_query(db: &DatabaseConnection, p: &Params) -> Result<CoverageQuery, AppError> {
    Ok(CoverageQuery {
        dimension: dimension(required(&p.dimension, "dimension")?)?,
        measure: p.measure.as_deref().map(measure).transpose()?,
        districts: None,
        municipality: match &p.municipality {
            Some(m) => Some(
                id_or_slug::<entity::municipality::Entity>(
                    db,
                    m,
                    NodeType::Municipality,
                    entity::municipality::Column::Slug,
                    "municipality",
                )
                .await?,
            ),
            None => None,
        },
        strategy: strategy_of(db, p).await?,
        organization_kind: p
            .organization_kind
            .as_deref()
            .map(organization_kind)
            .transpose()?,
        follow_lineage: p.follow_lineage.as_deref() == Some("true"),
        with_items: false,
    })
}

async fn strategy_of(db: &DatabaseConnection, p: &Params) -> Result<Option<i32>, AppError> {
    match &p.strategy {
        Some(s) => Ok(Some(
            id_or_slug::<entity::strategy::Entity>(
                db,
                s,
                NodeType::Strategy,
                entity::strategy::Column::Slug,
                "strategy",
            )
            .await?,
        )),
        None => Ok(None),
    }
}

fn refuse(err: AppError) -> Response {
    if matches!(err, AppError::Database(_) | AppError::Internal(_)) {
        tracing::error!(error = %err, "export failed");
    }
    error_response(status_of(&err), err)
}

/// `GET /exports/{file}`: authenticate, rate-limit, build the report, write it, answer it
/// as a download.
pub(crate) async fn export(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let started = Instant::now();
    let caller = match authenticate(&state, &headers).await {
        Ok(caller) => caller,
        Err(err) => {
            tracing::info!(reason = %err, "unauthenticated export refused");
            return refuse_caller(&state, err, MediaType::Json);
        }
    };
    if let Err(wait) = state.limiter.check(&caller.sub) {
        let mut response = refuse(rate_limited(wait));
        if let Ok(v) = HeaderValue::from_str(&wait.as_secs().to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return response;
    }
    let Some((name, ext)) = file.rsplit_once('.') else {
        return refuse(AppError::not_found(
            "file",
            format!("there is no export {file}"),
        ));
    };
    let kind = match ext {
        "xlsx" => Kind::Xlsx,
        "docx" => Kind::Docx,
        "csv" => Kind::Csv,
        _ => {
            return refuse(AppError::not_found(
                "file",
                format!("there is no export {file}"),
            ));
        }
    };
    let params = match axum::extract::Query::<Params>::try_from_uri(&uri) {
        Ok(q) => q.0,
        Err(err) => {
            return refuse(AppError::bad_input(
                "query",
                format!("the query parameters cannot be read: {err}"),
            ));
        }
    };
    let (bytes, stem) = match produce(&state.db, &state.gate, name, kind, &params).await {
        Ok(w) => w,
        Err(err) => {
            state.metrics.request(&file, "error", started.elapsed());
            return refuse(err);
        }
    };
    state.metrics.request(&file, "ok", started.elapsed());
    tracing::info!(
        file = %file,
        sub = %caller.sub,
        bytes = bytes.len(),
        duration_ms = started.elapsed().as_millis() as u64,
        "export"
    );
    download(bytes, kind, &exports::file_name(&stem, kind.ext()))
}

/// Build and write the file `name.kind` (a template, or a report) inside `gate`: every
/// export holds a pass from computing its report to the last byte of its file (the
/// writing is CPU work — a national matrix: about a second — done off the runtime, and
/// the pass goes with it). Coverage matrices take their memory there; the other files are
/// small and quick, and share the gate so that no mix of exports lays out more than the
/// gate's size at once.
async fn produce(
    db: &DatabaseConnection,
    gate: &Gate,
    name: &str,
    kind: Kind,
    params: &Params,
) -> Result<(Vec<u8>, String), AppError> {
    let pass = gate.enter().await;
    let (content, stem) = if kind == Kind::Xlsx && name == "template" {
        let template = plan_template(db, params).await?;
        (Content::Template(template), "mall-handlingsplan".to_owned())
    } else if kind == Kind::Xlsx && name == "follow-up-template" {
        let (template, stem) = follow_up_template(db, params).await?;
        (Content::Template(template), stem)
    } else {
        let (report, stem) = build(db, name, kind, params).await?;
        (Content::Report(report), stem)
    };
    let bytes = pass
        .run_blocking(move || match content {
            Content::Report(report) => kind.write(&report),
            Content::Template(template) => files::write_template(&template),
        })
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("export writer: {e}")))?;
    Ok((written(bytes)?, stem))
}

/// What a file is made from.
enum Content {
    Report(Report),
    Template(Template),
}

/// The file an export names (`follow-up-report.docx`, …) with the query parameters of its
/// URL given as pairs (`("district", "spanga-tensta")`, …): its bytes and file name.
/// What `GET /exports/{file}` answers, without HTTP — the CLI's `samverkan export`.
///
/// # Errors
/// As the endpoint: `BAD_USER_INPUT` for a missing or wrong parameter, `NOT_FOUND` for an
/// unknown file or record; internal errors when writing fails.
pub async fn export_file(
    db: &DatabaseConnection,
    file: &str,
    params: &[(&str, String)],
) -> Result<(Vec<u8>, String), AppError> {
    let not_found = || AppError::not_found("file", format!("there is no export {file}"));
    let (name, ext) = file.rsplit_once('.').ok_or_else(not_found)?;
    let kind = match ext {
        "xlsx" => Kind::Xlsx,
        "docx" => Kind::Docx,
        "csv" => Kind::Csv,
        _ => return Err(not_found()),
    };
    let query = url(file, params);
    let uri: Uri = query
        .parse()
        .map_err(|e| AppError::bad_input("query", format!("{e}")))?;
    let params = axum::extract::Query::<Params>::try_from_uri(&uri)
        .map_err(|e| AppError::bad_input("query", format!("{e}")))?
        .0;
    // One export at a time: the command writes one file.
    let (bytes, stem) = produce(db, &Gate::new(1), name, kind, &params).await?;
    Ok((bytes, exports::file_name(&stem, kind.ext())))
}

fn written(bytes: Result<Vec<u8>, files::FileError>) -> Result<Vec<u8>, AppError> {
    bytes.map_err(|e| AppError::Internal(anyhow::anyhow!("the export could not be written: {e}")))
}

/// The plan import's template (`template.xlsx`).
async fn plan_template(db: &DatabaseConnection, p: &Params) -> Result<Template, AppError> {
    let strategy = strategy_of(db, p).await?;
    exports::import_template(db, strategy).await
}

/// The follow-up import's template (`follow-up-template.xlsx`): blank (the status
/// heading naming the period when `year` and `term` are given), or with `plan` (an ID or
/// a slug) the plan's rows of the period; and the stem of its file name.
async fn follow_up_template(
    db: &DatabaseConnection,
    p: &Params,
) -> Result<(Template, String), AppError> {
    let period = match (&p.year, &p.term) {
        (None, None) => None,
        _ => Some((
            year(required(&p.year, "year")?)?,
            term(required(&p.term, "term")?)?,
        )),
    };
    let plan = match &p.plan {
        Some(plan) => Some(
            id_or_slug::<entity::action_plan::Entity>(
                db,
                plan,
                NodeType::ActionPlan,
                entity::action_plan::Column::Slug,
                "plan",
            )
            .await?,
        ),
        None => None,
    };
    exports::follow_up_template(db, plan, period, activity_id).await
}

fn download(bytes: Vec<u8>, kind: Kind, name: &str) -> Response {
    let mut response = (StatusCode::OK, bytes).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(kind.media_type()),
    );
    if let Ok(v) = HeaderValue::from_str(&content_disposition(name)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_urls() {
        assert_eq!(
            content_disposition("uppfoljning-Spånga-Tensta-2021-T2.docx"),
            "attachment; filename=\"uppfoljning-Sp_nga-Tensta-2021-T2.docx\"; filename*=UTF-8''uppfoljning-Sp%C3%A5nga-Tensta-2021-T2.docx"
        );
        assert_eq!(
            url(
                "follow-up-report.xlsx",
                &[("district", "RGlzdHJpY3Q6MQ".into()), ("term", "T2".into())]
            ),
            "/exports/follow-up-report.xlsx?district=RGlzdHJpY3Q6MQ&term=T2"
        );
        assert_eq!(
            url("x.csv", &[("a", "å b&c".into())]),
            "/exports/x.csv?a=%C3%A5%20b%26c"
        );
    }
}
