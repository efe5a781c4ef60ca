//! A property test: lists answered by plain fields (`api/src/graphql/engine/plain/`:
//! an activity's follow-ups and methods, a page of activities with their areas, methods,
//! follow-ups and responsibilities, a page of commitments with their organizations and
//! groups, groups' seats with their organizations and groups, a coverage matrix's rows,
//! cells and gaps) answer byte for byte what the ordinary execution answers, for generated selections —
//! fragments (named, inline, on the type, on `Node`, without a type), aliases, the same
//! key asked for twice, objects merged, the list itself asked for twice (its answers
//! merged), `@skip`/`@include` with literals, variables and variables' defaults,
//! `__typename`.
//!
//! Each case is sent to two servers on the same database: the test's own, and a second
//! one started with `plain_lists = false` (`SAMVERKAN_PLAIN_LISTS=false`), which answers
//! every list by the ordinary execution. Both answers must be the same bytes — the same
//! keys, in the same order, with the same values — read with as many SQL statements.
//! The cases are drawn by proptest from a fixed seed, so a failure names a selection
//! that fails again.

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::json;

use crate::helpers::spawn_app_with;

/// A field of a type a plan serves: a leaf, or an object with its own leaves.
#[derive(Debug, Clone, Copy)]
enum Shape {
    Leaf(&'static str),
    Object(&'static str, &'static [&'static str]),
}

/// A type a plan serves, with the fields it knows and whether it implements `Node`.
struct PlanType {
    name: &'static str,
    fields: &'static [Shape],
    node: bool,
}

const FOLLOW_UP: PlanType = PlanType {
    name: "FollowUp",
    fields: &[
        Shape::Leaf("__typename"),
        Shape::Leaf("id"),
        Shape::Leaf("status"),
        Shape::Leaf("effects"),
        Shape::Leaf("asOf"),
        Shape::Leaf("locked"),
        Shape::Leaf("version"),
        Shape::Leaf("updatedAt"),
        Shape::Leaf("reportedBySub"),
        Shape::Object("period", &["year", "term", "__typename"]),
    ],
    node: true,
};

const METHOD: PlanType = PlanType {
    name: "Method",
    fields: &[
        Shape::Leaf("__typename"),
        Shape::Leaf("id"),
        Shape::Leaf("slug"),
        Shape::Leaf("name"),
        Shape::Leaf("abbreviation"),
        Shape::Leaf("description"),
    ],
    node: true,
};

const COVERAGE_ROW: PlanType = PlanType {
    name: "CoverageRow",
    fields: &[
        Shape::Leaf("__typename"),
        Shape::Leaf("total"),
        Shape::Object("district", &["id", "slug", "name", "__typename"]),
        Shape::Object("cells", &["key", "count", "__typename"]),
    ],
    node: false,
};

const COVERAGE_GAP: PlanType = PlanType {
    name: "CoverageGap",
    fields: &[
        Shape::Leaf("__typename"),
        Shape::Leaf("key"),
        Shape::Object("district", &["id", "slug", "name", "__typename"]),
    ],
    node: false,
};

/// A page's activities, with relations whose rows come by the request's loader: the
/// priority and focus areas, methods and follow-ups, and the responsibilities with their
/// organizations (a relation of a relation) — the district dashboard's selection.
const ACTIVITY: PlanType = PlanType {
    name: "Activity",
    fields: &[
        Shape::Leaf("__typename"),
        Shape::Leaf("id"),
        Shape::Leaf("goal"),
        Shape::Leaf("description"),
        Shape::Leaf("position"),
        Shape::Leaf("version"),
        Shape::Object("priorityArea", &["id", "name", "position", "__typename"]),
        Shape::Object("focusArea", &["id", "slug", "name", "__typename"]),
        Shape::Object("methods", &["id", "name", "abbreviation", "__typename"]),
        Shape::Object(
            "responsibilities",
            &[
                "id",
                "role",
                "organization { id name kind __typename }",
                "__typename",
            ],
        ),
        Shape::Object(
            "followUps",
            &["id", "status", "effects", "asOf", "period { year term }"],
        ),
    ],
    node: true,
};

/// A page's commitments, with relations whose rows come by the request's loader: the
/// organization, and the group with its district (a relation of a relation).
const COMMITMENT: PlanType = PlanType {
    name: "Commitment",
    fields: &[
        Shape::Leaf("__typename"),
        Shape::Leaf("id"),
        Shape::Leaf("text"),
        Shape::Leaf("version"),
        Shape::Leaf("createdAt"),
        Shape::Leaf("updatedBy"),
        Shape::Object(
            "organization",
            &["id", "slug", "name", "kind", "__typename"],
        ),
        Shape::Object(
            "group",
            &[
                "id",
                "name",
                "kind",
                "district { id name __typename }",
                "archivedAt",
            ],
        ),
    ],
    node: true,
};

/// A group's seats, with relations whose rows come by the request's loader: the
/// organization, and the group with its district (a relation of a relation) — the
/// district dashboard's other branch.
const PARTICIPATION: PlanType = PlanType {
    name: "Participation",
    fields: &[
        Shape::Leaf("__typename"),
        Shape::Leaf("id"),
        Shape::Leaf("contactRole"),
        Shape::Leaf("otherParticipants"),
        Shape::Leaf("isConvener"),
        Shape::Leaf("attendance"),
        Shape::Leaf("version"),
        Shape::Object("organization", &["id", "name", "kind", "__typename"]),
        Shape::Object(
            "group",
            &["id", "name", "kind", "district { id name __typename }"],
        ),
    ],
    node: true,
};

/// The directives a selection may carry: literals, variables sent, and variables left
/// out whose defaults decide (`$dt` defaults to true, `$df` to false).
const DIRECTIVES: &[&str] = &[
    "",
    "",
    "",
    " @skip(if: true)",
    " @skip(if: false)",
    " @include(if: true)",
    " @include(if: $t)",
    " @include(if: $f)",
    " @skip(if: $dt)",
    " @include(if: $dt)",
    " @skip(if: $df)",
];

/// One generated selection.
#[derive(Debug, Clone)]
enum Item {
    /// A field by its index in the type's fields, with an alias (0: none) and, for an
    /// object, the indexes of the leaves asked for.
    Field {
        field: usize,
        alias: usize,
        leaves: Vec<usize>,
        directive: usize,
    },
    /// `... on Type { … }`, `... on Node { … }` or `... { … }`.
    Inline {
        on: usize,
        items: Vec<Item>,
        directive: usize,
    },
    /// `...Fn`, a named fragment of the case.
    Spread { fragment: usize, directive: usize },
}

fn field_item(t: &'static PlanType) -> impl Strategy<Value = Item> {
    (
        0..t.fields.len(),
        0..3usize,
        prop::collection::vec(0..5usize, 1..4),
        0..DIRECTIVES.len(),
    )
        .prop_map(|(field, alias, leaves, directive)| Item::Field {
            field,
            alias,
            leaves,
            directive,
        })
}

fn items(t: &'static PlanType, fragments: usize) -> impl Strategy<Value = Vec<Item>> {
    let leaf = field_item(t);
    let item = leaf.prop_recursive(2, 12, 4, move |inner| {
        prop_oneof![
            4 => field_item(t),
            1 => (0..3usize, prop::collection::vec(inner, 1..4), 0..DIRECTIVES.len())
                .prop_map(|(on, items, directive)| Item::Inline { on, items, directive }),
        ]
    });
    let spread =
        (0..fragments.max(1), 0..DIRECTIVES.len()).prop_map(|(fragment, directive)| Item::Spread {
            fragment,
            directive,
        });
    let any = prop_oneof![6 => item, 1 => spread];
    prop::collection::vec(any, 1..7)
}

/// A case: per list, its selection, the bodies of two named fragments of its type and,
/// sometimes, a second selection under the list's key (async-graphql merges the two
/// answers, so the list cannot go out as JSON text: `engine/raw.rs`).
#[derive(Debug, Clone)]
struct Case {
    lists: Vec<ListCase>,
}

/// One list of a case: its selection, its fragments' bodies, its second selection.
type ListCase = (Vec<Item>, Vec<Vec<Item>>, Option<Vec<Item>>);

fn case(types: &'static [&'static PlanType]) -> impl Strategy<Value = Case> {
    let per_type = |t: &'static PlanType| {
        (
            items(t, 2),
            prop::collection::vec(prop::collection::vec(field_item(t), 1..4), 2..=2),
            prop::option::weighted(0.25, items(t, 2)),
        )
    };
    types
        .iter()
        .map(|t| per_type(t))
        .collect::<Vec<_>>()
        .prop_map(|lists| Case { lists })
}

/// The text of `items` on type `t`; `prefix` names the case's fragments of the type.
fn write(t: &PlanType, items: &[Item], prefix: &str, out: &mut String) {
    for item in items {
        match item {
            Item::Field {
                field,
                alias,
                leaves,
                directive,
            } => {
                let shape = t.fields[*field];
                let name = match shape {
                    Shape::Leaf(n) | Shape::Object(n, _) => n,
                };
                // An alias always names the same field, so repeats are merges, never
                // conflicts.
                if *alias > 0 {
                    out.push_str(&format!("k{alias}_{} : ", name.trim_start_matches('_')));
                }
                out.push_str(name);
                out.push_str(DIRECTIVES[*directive]);
                if let Shape::Object(_, sub) = shape {
                    out.push_str(" { ");
                    for l in leaves {
                        out.push_str(sub[l % sub.len()]);
                        out.push(' ');
                    }
                    out.push('}');
                }
                out.push(' ');
            }
            Item::Inline {
                on,
                items,
                directive,
            } => {
                let condition = match on {
                    0 => format!(" on {}", t.name),
                    1 if t.node => " on Node".to_string(),
                    _ => String::new(),
                };
                out.push_str(&format!("...{condition}{} {{ ", DIRECTIVES[*directive]));
                // Under `on Node`, only Node's field (and __typename) may be asked for.
                if *on == 1 && t.node {
                    out.push_str("id __typename ");
                } else {
                    write(t, items, prefix, out);
                }
                out.push_str("} ");
            }
            Item::Spread {
                fragment,
                directive,
            } => {
                out.push_str(&format!("...{prefix}{fragment}{} ", DIRECTIVES[*directive]));
            }
        }
    }
}

/// The selections of `lists` (field names, in order, of `types`) and their fragments.
fn selections(case: &Case, types: &[&PlanType], lists: &[&str]) -> (String, String) {
    let mut body = String::new();
    let mut fragments = String::new();
    for (i, (t, (items, bodies, again))) in types.iter().zip(&case.lists).enumerate() {
        let prefix = format!("F{}_", t.name);
        body.push_str(lists[i]);
        body.push_str(" { ");
        write(t, items, &prefix, &mut body);
        // Every fragment of the case is spread (a fragment never used is invalid).
        for n in 0..bodies.len() {
            body.push_str(&format!(" ...{prefix}{n} @skip(if: true)"));
        }
        body.push_str(" } ");
        if let Some(again) = again {
            body.push_str(lists[i]);
            body.push_str(" { ");
            write(t, again, &prefix, &mut body);
            body.push_str(" } ");
        }
        for (n, fragment) in bodies.iter().enumerate() {
            fragments.push_str(&format!("fragment {prefix}{n} on {} {{ ", t.name));
            write(t, fragment, &prefix, &mut fragments);
            fragments.push_str("} ");
        }
    }
    (body, fragments)
}

const VARIABLES: &str = "$t: Boolean!, $f: Boolean!, $dt: Boolean = true, $df: Boolean = false";

/// An activity's follow-ups and methods.
fn activities_document(case: &Case) -> String {
    let (body, fragments) = selections(case, &[&FOLLOW_UP, &METHOD], &["followUps", "methods"]);
    format!(
        "query({VARIABLES}) {{
           activities(first: 100) {{ nodes {{ {body}
             vt: __typename @include(if: $t) vf: __typename @include(if: $f)
             vdt: __typename @include(if: $dt) vdf: __typename @include(if: $df) }} }}
         }} {fragments}"
    )
}

/// A coverage matrix's rows (with their cells) and gaps.
fn coverage_document(case: &Case) -> String {
    let (body, fragments) = selections(case, &[&COVERAGE_ROW, &COVERAGE_GAP], &["rows", "gaps"]);
    format!(
        "query({VARIABLES}) {{
           coverage(dimension: GROUP_KIND) {{ keys {body}
             vt: __typename @include(if: $t) vf: __typename @include(if: $f)
             vdt: __typename @include(if: $dt) vdf: __typename @include(if: $df) }}
         }} {fragments}"
    )
}

/// A page of activities.
fn activity_page_document(case: &Case) -> String {
    let (body, fragments) = selections(case, &[&ACTIVITY], &["nodes"]);
    format!(
        "query({VARIABLES}) {{
           activities(first: 100) {{ totalCount {body}
             vt: __typename @include(if: $t) vf: __typename @include(if: $f)
             vdt: __typename @include(if: $dt) vdf: __typename @include(if: $df) }}
         }} {fragments}"
    )
}

/// A page of commitments.
fn commitments_document(case: &Case) -> String {
    let (body, fragments) = selections(case, &[&COMMITMENT], &["nodes"]);
    format!(
        "query({VARIABLES}) {{
           commitments(first: 100) {{ totalCount {body}
             vt: __typename @include(if: $t) vf: __typename @include(if: $f)
             vdt: __typename @include(if: $dt) vdf: __typename @include(if: $df) }}
         }} {fragments}"
    )
}

/// The seats of a page of groups.
fn participations_document(case: &Case) -> String {
    let (body, fragments) = selections(case, &[&PARTICIPATION], &["participations"]);
    format!(
        "query({VARIABLES}) {{
           collaborationGroups(first: 100) {{ nodes {{ id {body}
             vt: __typename @include(if: $t) vf: __typename @include(if: $f)
             vdt: __typename @include(if: $dt) vdf: __typename @include(if: $df) }} }}
         }} {fragments}"
    )
}

/// A second server on `app`'s database that answers every list by the ordinary
/// execution: its address and its statement counter.
async fn ordinary_twin(app: &crate::helpers::TestApp) -> (String, api::db::StatementCounter) {
    let mut settings = crate::helpers::test_settings(&app.database_url);
    settings.plain_lists = false;
    settings.max_aliases = 10_000;
    settings.rate_limit_per_minute = 0;
    let twin = api::startup::Application::build(&settings)
        .await
        .unwrap_or_else(|e| panic!("the ordinary twin: {e}"));
    let address = format!("http://127.0.0.1:{}", twin.port());
    let statements = twin.statements();
    tokio::spawn(twin.run_until_stopped());
    (address, statements)
}

/// `samverkan_plain_lists_total` of the server at `address`: lists it answered by the
/// plain path.
async fn plain_lists(client: &reqwest::Client, address: &str) -> u64 {
    let text = client
        .get(format!("{address}/metrics"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("metrics of {address}: {e}"))
        .text()
        .await
        .unwrap_or_default();
    text.lines()
        .find_map(|l| l.strip_prefix("samverkan_plain_lists_total "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("samverkan_plain_lists_total missing:\n{text}"))
}

/// Run 64 cases of `types` through `document` on `app` (plain path) and on its ordinary
/// twin: the same bytes, read with the same number of SQL statements; the plain path
/// answered lists on `app` and none on the twin.
async fn compare(
    app: &crate::helpers::TestApp,
    types: &'static [&'static PlanType],
    document: fn(&Case) -> String,
) {
    let (twin, twin_statements) = ordinary_twin(app).await;
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]),
    );
    let strategy = case(types);
    let variables = json!({ "t": true, "f": false });
    let token = app.viewer_token();
    let plain_before = plain_lists(&app.client, &app.address).await;
    for n in 0..64 {
        let case = strategy
            .new_tree(&mut runner)
            .unwrap_or_else(|e| panic!("case {n}: {e}"))
            .current();
        let doc = document(&case);
        let before = app.statements.get();
        let (status, plain) = app.graphql_text(&doc, variables.clone()).await;
        let plain_statements = app.statements.get() - before;
        assert_eq!(status, 200, "case {n}: {doc}\n{plain}");
        assert!(!plain.contains("\"errors\""), "case {n}: {doc}\n{plain}");
        let before = twin_statements.get();
        let ordinary = app
            .client
            .post(format!("{twin}/graphql"))
            .bearer_auth(&token)
            .json(&json!({ "query": doc, "variables": variables }))
            .send()
            .await
            .unwrap_or_else(|e| panic!("case {n}: the twin: {e}"))
            .text()
            .await
            .unwrap_or_else(|e| panic!("case {n}: the twin's body: {e}"));
        assert_eq!(
            plain, ordinary,
            "case {n}: the plain path answers otherwise than the ordinary execution\n{doc}"
        );
        assert_eq!(
            plain_statements,
            twin_statements.get() - before,
            "case {n}: statements of the plain and the ordinary path\n{doc}"
        );
    }
    let plain = plain_lists(&app.client, &app.address).await - plain_before;
    assert!(
        plain >= 32,
        "only {plain} lists took the plain path in 64 cases"
    );
    assert_eq!(
        plain_lists(&app.client, &twin).await,
        0,
        "the twin took the plain path"
    );
}

/// A server for generated cases: they alias freely and come fast, and neither the alias
/// cap nor the rate limit is what is tested here.
async fn spawn_for_cases() -> crate::helpers::TestApp {
    spawn_app_with(|s| {
        s.max_aliases = 10_000;
        s.rate_limit_per_minute = 0;
    })
    .await
}

#[tokio::test]
async fn activity_lists_answer_byte_for_byte_as_the_ordinary_execution() {
    let app = spawn_for_cases().await;
    // One follow-up with a subject and without an as-of date, through the API.
    let activity = app
        .query(
            r#"{ district(slug: "spanga-tensta") { actionPlans(first: 1) { nodes {
                 activities(first: 1) { nodes { id } } } } } }"#,
            json!({}),
        )
        .await["district"]["actionPlans"]["nodes"][0]["activities"]["nodes"][0]["id"]
        .clone();
    let admin = app.admin_token();
    let reported = app
        .run_as(
            &admin,
            &crate::helpers::operation("ReportFollowUp"),
            json!({ "activity": activity, "year": 2026, "term": "T1", "status": "ONGOING",
                    "effects": "Arbetet pågår." }),
        )
        .await;
    assert_eq!(
        reported["reportFollowUp"]["userErrors"],
        json!([]),
        "{reported}"
    );

    compare(&app, &[&FOLLOW_UP, &METHOD], activities_document).await;
}

#[tokio::test]
async fn coverage_lists_answer_byte_for_byte_as_the_ordinary_execution() {
    let app = spawn_for_cases().await;
    compare(&app, &[&COVERAGE_ROW, &COVERAGE_GAP], coverage_document).await;
}

#[tokio::test]
async fn commitment_pages_with_relations_answer_byte_for_byte_as_the_ordinary_execution() {
    let app = spawn_for_cases().await;
    // Commitments of several organizations and groups (16 in the demo data).
    let count = app
        .query("{ commitments(first: 1) { totalCount } }", json!({}))
        .await["commitments"]["totalCount"]
        .as_u64()
        .unwrap_or(0);
    assert!(count >= 10, "the demo data holds {count} commitments");
    compare(&app, &[&COMMITMENT], commitments_document).await;
}

#[tokio::test]
async fn activity_pages_with_relations_answer_byte_for_byte_as_the_ordinary_execution() {
    let app = spawn_for_cases().await;
    compare(&app, &[&ACTIVITY], activity_page_document).await;
}

#[tokio::test]
async fn group_seats_answer_byte_for_byte_as_the_ordinary_execution() {
    let app = spawn_for_cases().await;
    compare(&app, &[&PARTICIPATION], participations_document).await;
}
