//! The `samverkan` command: serve the API, migrate, load the demo data, generate a
//! synthetic nation, mint tokens and export the schema. Settings come from environment
//! variables (see the README) or the same-named flags.

use std::path::PathBuf;

use anyhow::Context;
use api::auth::{JwtKeys, Role, parse_ttl};
use api::config::Settings;
use clap::{Parser, Subcommand};

/// The process's allocator: mimalloc instead of glibc's malloc. A profile of the large
/// district's dashboard on the national data spent ~28 % of the server's CPU in glibc's
/// malloc and free (the response's value tree is many small allocations); with mimalloc
/// the same requests took 12–30 % less server CPU (docs/benchmarks.md, issue 17). Its
/// version 2 (feature `v2`), which returns freed memory to the system after 10 ms:
/// version 3 holds it for a second, and the peak RSS of four concurrent national
/// coverage matrices went from ~47 MB (glibc) to 124 MB.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(name = "samverkan", version, about = "Samverkan GraphQL API")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the API (the default): migrate, load the demo data into an empty database,
    /// listen on SAMVERKAN_ADDR.
    Serve(#[command(flatten)] Box<Settings>),
    /// Apply pending database migrations and exit.
    Migrate(#[command(flatten)] Box<Settings>),
    /// Load the demo data (Stockholm), inserting only what is missing.
    Seed(#[command(flatten)] Box<Settings>),
    /// Print a bearer token the server accepts: HS256 tokens are signed with the server's
    /// secret (SAMVERKAN_JWT_SECRET, or on SQLite the file the server keeps beside the
    /// database of DATABASE_URL — never made here: without it the command refuses);
    /// RS256/ES256 tokens with SAMVERKAN_JWT_PRIVATE_KEY, naming SAMVERKAN_JWT_KID (the
    /// server's public key for that kid must verify them).
    Token {
        /// The token's subject: who it is for (a person or a script).
        #[arg(long)]
        sub: String,
        /// The slug of the organization the holder acts for, e.g. `lpo-farsta`.
        #[arg(long)]
        org: String,
        /// A role: VIEWER, ORG_EDITOR, DISTRICT_COORDINATOR, MUNICIPALITY_ADMIN or ADMIN
        /// (repeatable).
        #[arg(long = "role", required = true, value_parser = parse_role)]
        roles: Vec<Role>,
        /// A district slug the holder coordinates (repeatable).
        #[arg(long = "district")]
        districts: Vec<String>,
        /// Municipality slugs a MUNICIPALITY_ADMIN administers, e.g. `stockholm`
        /// (repeatable, or comma-separated).
        #[arg(long = "municipalities", alias = "municipality", value_delimiter = ',')]
        municipalities: Vec<String>,
        /// How long the token lives: e.g. 12h, 30d, or 365d for a script's service token.
        #[arg(long, default_value = "30d", value_parser = parse_ttl)]
        ttl: std::time::Duration,
        #[command(flatten)]
        settings: Box<Settings>,
    },
    /// Fill the database with a synthetic nation for benchmarks: N municipalities with
    /// their districts, organizations, groups, commitments, plans, activities and years
    /// of follow-ups, beside the demo data (loaded first if missing). Deterministic from
    /// the seed; municipalities already there are skipped.
    Generate {
        /// How many municipalities (290 gives about 3,000 districts and over a million
        /// follow-ups).
        #[arg(long)]
        municipalities: u32,
        /// The seed of the random generator: the same seed gives the same data.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Do not draw the progress bar.
        #[arg(long)]
        no_progress: bool,
        #[command(flatten)]
        settings: Box<Settings>,
    },
    /// Import an action plan, or a period's follow-ups, from an XLSX, CSV or DOCX table
    /// with the documents' columns — the same import as the `importActionPlan` and
    /// `importFollowUps` mutations, run against DATABASE_URL as an admin named by `--as`
    /// (the audit trail names it). Prints what each row does and every problem; exits
    /// with 1 when nothing could be written.
    Import {
        #[command(subcommand)]
        what: ImportCommand,
    },
    /// Export a report, a plan, a coverage matrix or an import template as a file (XLSX,
    /// DOCX or CSV) — the same files as `GET /exports/…`, read from DATABASE_URL.
    Export {
        #[command(subcommand)]
        what: ExportCommand,
    },
    /// Write the GraphQL schema (SDL) to a file, or to stdout with `-`.
    ExportSchema {
        /// Where to write it.
        #[arg(default_value = "schema.graphql")]
        path: PathBuf,
    },
}

/// What `samverkan import` imports.
#[derive(Debug, Subcommand)]
enum ImportCommand {
    /// An action plan: its rows become the plan's activities (the district's plan with
    /// the file's title, or `--plan`, or a new plan).
    ActionPlan {
        /// The district's slug, e.g. `bromma`.
        #[arg(long)]
        district: String,
        /// The XLSX, CSV or DOCX file.
        file: PathBuf,
        /// Answer what would happen, write nothing.
        #[arg(long)]
        dry_run: bool,
        /// The plan's slug (default: the district's plan with the file's title, else a new one).
        #[arg(long)]
        plan: Option<String>,
        /// The plan's title (default: the file's).
        #[arg(long)]
        title: Option<String>,
        /// Who the audit trail names.
        #[arg(long = "as", default_value = "samverkan-cli")]
        actor: String,
        #[command(flatten)]
        settings: Box<Settings>,
    },
    /// A period's follow-ups: the status column and "Effekter och resultat".
    FollowUps {
        /// The district's slug, e.g. `spanga-tensta`.
        #[arg(long)]
        district: String,
        /// The XLSX, CSV or DOCX file.
        file: PathBuf,
        /// The period's year, e.g. 2021.
        #[arg(long)]
        year: i32,
        /// The period's term: T1, T2 or ANNUAL.
        #[arg(long, value_parser = api::services::imports::cli::parse_term)]
        term: api::services::imports::cli::Term,
        /// Answer what would happen, write nothing.
        #[arg(long)]
        dry_run: bool,
        /// The plan's slug (default: the district's plan with the file's title, else its
        /// only plan with activities for the year).
        #[arg(long)]
        plan: Option<String>,
        /// Who the audit trail names.
        #[arg(long = "as", default_value = "samverkan-cli")]
        actor: String,
        #[command(flatten)]
        settings: Box<Settings>,
    },
}

/// Run `samverkan import …`.
async fn import(what: ImportCommand) -> anyhow::Result<()> {
    use api::services::imports::cli::{CliImport, render, run};
    let (settings, job) = match what {
        ImportCommand::ActionPlan {
            district,
            file,
            dry_run,
            plan,
            title,
            actor,
            settings,
        } => (
            settings,
            CliImport {
                district,
                plan,
                title,
                period: None,
                file,
                dry_run,
                actor,
                max_bytes: 0,
            },
        ),
        ImportCommand::FollowUps {
            district,
            file,
            year,
            term,
            dry_run,
            plan,
            actor,
            settings,
        } => (
            settings,
            CliImport {
                district,
                plan,
                title: None,
                period: Some((year, term)),
                file,
                dry_run,
                actor,
                max_bytes: 0,
            },
        ),
    };
    let job = CliImport {
        max_bytes: settings.max_upload_bytes,
        ..job
    };
    api::db::prepare(&settings.database_url, false).await?;
    let db = api::db::connect(&settings, 2, api::db::StatementCounter::default()).await?;
    let outcome = run(&db, job, api::graphql::imports::activity_id).await;
    db.close().await?;
    match outcome {
        Ok(report) => {
            print!("{}", render(&report));
            if report.refusal().is_some() {
                std::process::exit(1);
            }
            Ok(())
        }
        Err(err) => {
            eprintln!("{}: {}", err.code().as_str(), err.public_message());
            std::process::exit(1);
        }
    }
}

/// What `samverkan export` writes (issue 15, "Out").
#[derive(Debug, Subcommand)]
enum ExportCommand {
    /// The tertial follow-up report of a district (or of an organization's own plans).
    FollowUpReport {
        /// The district's slug (or ID), e.g. `spanga-tensta`.
        #[arg(
            long,
            conflicts_with = "organization",
            required_unless_present = "organization"
        )]
        district: Option<String>,
        /// Or the organization's slug (or ID).
        #[arg(long)]
        organization: Option<String>,
        /// The period's year, e.g. 2021.
        #[arg(long)]
        year: i32,
        /// The period's term: T1, T2 or ANNUAL.
        #[arg(long)]
        term: String,
        /// xlsx, docx or csv (default: from the output's extension, else xlsx).
        #[arg(long)]
        format: Option<String>,
        /// Where to write it (default: the file's own name, in the current directory).
        #[arg(short, long)]
        output: Option<PathBuf>,
        #[command(flatten)]
        settings: Box<Settings>,
    },
    /// An action plan.
    ActionPlan {
        /// The plan's slug (or ID).
        #[arg(long)]
        plan: String,
        /// xlsx or docx (default: from the output's extension, else xlsx).
        #[arg(long)]
        format: Option<String>,
        /// Where to write it (default: the file's own name, in the current directory).
        #[arg(short, long)]
        output: Option<PathBuf>,
        #[command(flatten)]
        settings: Box<Settings>,
    },
    /// A coverage matrix (every district of every municipality unless --municipality).
    Coverage {
        /// GROUP_KIND, PRIORITY_AREA, FOCUS_AREA, METHOD, ORGANIZATION_KIND, ORGANIZATION
        /// or TARGET_GROUP.
        #[arg(long, default_value = "PRIORITY_AREA")]
        dimension: String,
        /// GROUPS, ACTIVITIES, PARTICIPATIONS or COMMITMENTS (default: by dimension).
        #[arg(long)]
        measure: Option<String>,
        /// Only the areas of this strategy (a slug or ID).
        #[arg(long)]
        strategy: Option<String>,
        /// Only the districts of this municipality (a slug or ID).
        #[arg(long)]
        municipality: Option<String>,
        /// xlsx or csv (default: from the output's extension, else xlsx).
        #[arg(long)]
        format: Option<String>,
        /// Where to write it (default: the file's own name, in the current directory).
        #[arg(short, long)]
        output: Option<PathBuf>,
        #[command(flatten)]
        settings: Box<Settings>,
    },
    /// The XLSX template of the follow-up import: blank, or a plan's rows of a period to
    /// fill in (--plan with --year and --term).
    FollowUpTemplate {
        /// The plan whose rows to fill in (a slug or ID; needs --year and --term).
        #[arg(long, requires_all = ["year", "term"])]
        plan: Option<String>,
        /// The period's year, e.g. 2021 (the status heading names the period).
        #[arg(long, requires = "term")]
        year: Option<i32>,
        /// The period's term: T1, T2 or ANNUAL.
        #[arg(long, requires = "year")]
        term: Option<String>,
        /// Where to write it (default: the file's own name, in the current directory).
        #[arg(short, long)]
        output: Option<PathBuf>,
        #[command(flatten)]
        settings: Box<Settings>,
    },
    /// The blank XLSX template of the action-plan import.
    Template {
        /// Only the priority and focus areas of this strategy (a slug or ID).
        #[arg(long)]
        strategy: Option<String>,
        /// Where to write it (default: mall-handlingsplan.xlsx).
        #[arg(short, long)]
        output: Option<PathBuf>,
        #[command(flatten)]
        settings: Box<Settings>,
    },
}

/// Run `samverkan export …`: the same files as `GET /exports/…`.
async fn export(what: ExportCommand) -> anyhow::Result<()> {
    fn format(format: Option<String>, output: &Option<PathBuf>) -> String {
        format
            .or_else(|| {
                output
                    .as_ref()
                    .and_then(|p| p.extension())
                    .map(|e| e.to_string_lossy().to_lowercase())
            })
            .unwrap_or_else(|| "xlsx".into())
    }
    let mut params: Vec<(&str, String)> = Vec::new();
    let mut put = |k: &'static str, v: Option<String>| {
        if let Some(v) = v {
            params.push((k, v));
        }
    };
    let (file, output, settings) = match what {
        ExportCommand::FollowUpReport {
            district,
            organization,
            year,
            term,
            format: f,
            output,
            settings,
        } => {
            put("district", district);
            put("organization", organization);
            put("year", Some(year.to_string()));
            put("term", Some(term.to_uppercase()));
            let f = format(f, &output);
            (format!("follow-up-report.{f}"), output, settings)
        }
        ExportCommand::ActionPlan {
            plan,
            format: f,
            output,
            settings,
        } => {
            put("id", Some(plan));
            let f = format(f, &output);
            (format!("action-plan.{f}"), output, settings)
        }
        ExportCommand::Coverage {
            dimension,
            measure,
            strategy,
            municipality,
            format: f,
            output,
            settings,
        } => {
            put("dimension", Some(dimension.to_uppercase()));
            put("measure", measure.map(|m| m.to_uppercase()));
            put("strategy", strategy);
            put("municipality", municipality);
            let f = format(f, &output);
            (format!("coverage.{f}"), output, settings)
        }
        ExportCommand::FollowUpTemplate {
            plan,
            year,
            term,
            output,
            settings,
        } => {
            put("plan", plan);
            put("year", year.map(|y| y.to_string()));
            put("term", term.map(|t| t.to_uppercase()));
            ("follow-up-template.xlsx".to_owned(), output, settings)
        }
        ExportCommand::Template {
            strategy,
            output,
            settings,
        } => {
            put("strategy", strategy);
            ("template.xlsx".to_owned(), output, settings)
        }
    };
    let db = api::db::connect(&settings, 2, api::db::StatementCounter::default()).await?;
    let result = api::exports_http::export_file(&db, &file, &params).await;
    db.close().await?;
    let (bytes, name) = result.map_err(|e| anyhow::anyhow!("{}", e.public_message()))?;
    let path = output.unwrap_or_else(|| PathBuf::from(name));
    std::fs::write(&path, &bytes).with_context(|| format!("cannot write {}", path.display()))?;
    eprintln!("wrote {} ({} bytes)", path.display(), bytes.len());
    Ok(())
}

/// Settings read from the environment alone.
#[derive(Debug, Parser)]
struct EnvSettings {
    #[command(flatten)]
    settings: Settings,
}

fn parse_role(s: &str) -> Result<Role, String> {
    s.parse()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    api::telemetry::init();
    let cli = Cli::parse();
    match cli.command {
        None => {
            // `samverkan` alone = `samverkan serve` with settings from the environment.
            let settings = EnvSettings::try_parse_from(["samverkan"])?.settings;
            serve(&settings).await
        }
        Some(Command::Serve(settings)) => serve(&settings).await,
        Some(Command::Migrate(settings)) => {
            api::db::prepare(&settings.database_url, false)
                .await
                .context("migration failed")?;
            eprintln!("migrations applied");
            Ok(())
        }
        Some(Command::Seed(settings)) => {
            api::db::prepare(&settings.database_url, false).await?;
            let db = api::db::connect(&settings, 2, api::db::StatementCounter::default()).await?;
            let report = api::seed::load(&db).await?;
            eprintln!("{report}");
            Ok(())
        }
        Some(Command::Generate {
            municipalities,
            seed,
            no_progress,
            settings,
        }) => {
            api::db::prepare(&settings.database_url, false).await?;
            let db = api::db::connect(&settings, 2, api::db::StatementCounter::default()).await?;
            let seeded = api::seed::load(&db).await?;
            if seeded.total() > 0 {
                eprintln!("demo data: {seeded}");
            }
            let options = api::generate::Options {
                municipalities,
                seed,
                progress: !no_progress,
            };
            let report = api::generate::generate(&db, &options).await?;
            eprint!("{report}");
            db.close().await?;
            Ok(())
        }
        Some(Command::Token {
            sub,
            org,
            roles,
            districts,
            municipalities,
            ttl,
            settings,
        }) => {
            // The server's keys, never new ones: a secret made here would sign tokens
            // the server refuses.
            let keys = JwtKeys::from_existing_settings(&settings)?;
            let districts = (!districts.is_empty()).then_some(districts);
            let municipalities = (!municipalities.is_empty()).then_some(municipalities);
            let token = keys.mint_scoped(&sub, &org, roles, districts, municipalities, ttl)?;
            println!("{token}");
            Ok(())
        }
        Some(Command::Import { what }) => import(what).await,
        Some(Command::Export { what }) => export(what).await,
        Some(Command::ExportSchema { path }) => {
            let sdl = api::graphql::sdl();
            if path.as_os_str() == "-" {
                print!("{sdl}");
            } else {
                std::fs::write(&path, sdl)
                    .with_context(|| format!("cannot write {}", path.display()))?;
                eprintln!("wrote {}", path.display());
            }
            Ok(())
        }
    }
}

async fn serve(settings: &Settings) -> anyhow::Result<()> {
    let app = api::startup::Application::build(settings).await?;
    // Scripts wait for this line (bench/run.sh, examples/python/run-in-ci.sh).
    let what = if settings.graphiql_enabled() {
        "GraphiQL"
    } else {
        "GraphQL"
    };
    api::telemetry::announce(&format!(
        "Samverkan is up: {what} at http://{}:{}/graphql",
        settings.addr.ip(),
        app.port()
    ));
    app.run_until_stopped().await?;
    Ok(())
}
