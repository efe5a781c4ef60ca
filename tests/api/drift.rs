//! A property test: the batch loader's shortcuts never change an answer.
//!
//! One speed-up still answers by a second route: the loader of an HTTP request *caches*
//! the rows it loaded for the rest of the request and *primes* that cache with rows
//! fetched by a join (a participation, commitment or responsibility brings its
//! `organization`, an activity its `priorityArea` and `focusArea`, a district its
//! `municipality`; `api/src/graphql/relations.rs`, `api/src/graphql/engine/batch/`). The loader
//! of a WebSocket connection (`api/src/ws.rs`) neither caches nor primes: every relation
//! is loaded by its own key. So the same execution runs over HTTP by the fast route and
//! over graphql-transport-ws by the ordinary route. The engineering standard: a speed-up
//! that keeps its answers identical to the ordinary path is proven so by a property test
//! over generated selections.
//!
//! Each generated document is sent over both, as the same viewer with the same
//! variables, and the HTTP body must be the same text, byte for byte, as the `payload`
//! of the socket's `next` message as the server wrote it (taken out of the message
//! unparsed): the same keys, in the same order, with the same values. The selections
//! are drawn over the types whose relations come by join or from the cache —
//! `Participation` (`organization`, `commitments`), `Commitment` and `Responsibility`
//! (`organization`), `Activity` (`priorityArea`, `focusArea`, `methods`,
//! `responsibilities`, `followUps`), `District` (`municipality`) and `Organization`
//! (`parent`, `districts`), nested — with fragments (named, inline, on the type, on
//! `Node`, without a type condition), aliases, the same key asked for twice (objects
//! merged), `@skip`/`@include` with literals, variables and variables' defaults, and
//! `__typename`. The lists have data in the demo: Skarpnäck's groups, seats, promises and
//! plan, then every plan (Spånga-Tensta's rows have follow-ups; Skarpnäck's rows come a
//! second time), then the root page of all commitments with its `totalCount`, each with
//! its group's district (over HTTP read with the page by joins, the count as a subquery). One generated organization selection is asked for under every seat,
//! every promise, every responsibility and every follow-up's `reportedBy`, and at the
//! root, so the same organization is met at many places of one document, first from a
//! join and then from the cache; likewise each activity's areas, methods and follow-ups
//! are always asked for, with a generated selection each, besides what the activity's
//! own generated selection asks for. The cases are drawn by proptest from a fixed seed,
//! so a failure names a selection that fails again.
//!
//! That the two routes really are different routes is checked too: over HTTP, a
//! document costs fewer SQL statements than over the socket.

use std::collections::BTreeSet;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app_with, ws_connect, ws_run_text};

/// An object type of the schema as the generator knows it: the leaves it may ask for
/// and the fields that lead to other objects.
struct Type {
    name: &'static str,
    /// Its place in [`TYPES`] (which names its fragments).
    index: usize,
    /// Whether it implements `Node`.
    node: bool,
    leaves: &'static [&'static str],
    objects: &'static [(&'static str, &'static Type)],
}

static ORGANIZATION: Type = Type {
    name: "Organization",
    index: 0,
    node: true,
    leaves: &[
        "__typename",
        "id",
        "slug",
        "name",
        "kind",
        "viewerCanUpdate",
    ],
    // `parent` is an organization by id: from the cache when a join brought it.
    objects: &[("parent", &ORGANIZATION), ("districts", &DISTRICT)],
};

static MUNICIPALITY: Type = Type {
    name: "Municipality",
    index: 1,
    node: true,
    leaves: &["__typename", "id", "slug", "name"],
    objects: &[],
};

static DISTRICT: Type = Type {
    name: "District",
    index: 2,
    node: true,
    leaves: &["__typename", "id", "slug", "name"],
    objects: &[("municipality", &MUNICIPALITY)],
};

static PRIORITY_AREA: Type = Type {
    name: "PriorityArea",
    index: 3,
    node: true,
    leaves: &[
        "__typename",
        "id",
        "slug",
        "name",
        "description",
        "position",
    ],
    objects: &[],
};

static FOCUS_AREA: Type = Type {
    name: "FocusArea",
    index: 4,
    node: true,
    leaves: &[
        "__typename",
        "id",
        "slug",
        "name",
        "description",
        "position",
    ],
    objects: &[("priorityArea", &PRIORITY_AREA)],
};

static METHOD: Type = Type {
    name: "Method",
    index: 5,
    node: true,
    leaves: &[
        "__typename",
        "id",
        "slug",
        "name",
        "abbreviation",
        "description",
        "viewerCanUpdate",
    ],
    objects: &[],
};

static PERIOD: Type = Type {
    name: "ReportingPeriod",
    index: 6,
    node: false,
    leaves: &["__typename", "year", "term"],
    objects: &[],
};

static FOLLOW_UP: Type = Type {
    name: "FollowUp",
    index: 7,
    node: true,
    leaves: &[
        "__typename",
        "id",
        "status",
        "effects",
        "asOf",
        "locked",
        "version",
        "updatedAt",
        "reportedBySub",
        "viewerCanUpdate",
    ],
    objects: &[
        ("period", &PERIOD),
        ("reportedBy", &ORGANIZATION),
        ("activity", &ACTIVITY),
    ],
};

static ACTION_PLAN: Type = Type {
    name: "ActionPlan",
    index: 8,
    node: true,
    leaves: &[
        "__typename",
        "id",
        "slug",
        "title",
        "startYear",
        "endYear",
        "version",
    ],
    objects: &[("district", &DISTRICT)],
};

static GROUP: Type = Type {
    name: "CollaborationGroup",
    index: 9,
    node: true,
    leaves: &["__typename", "id", "slug", "name", "kind", "version"],
    objects: &[("district", &DISTRICT)],
};

static COMMITMENT: Type = Type {
    name: "Commitment",
    index: 10,
    node: true,
    leaves: &[
        "__typename",
        "id",
        "text",
        "version",
        "createdAt",
        "updatedAt",
        "updatedBy",
        "viewerCanUpdate",
        "viewerCanDelete",
    ],
    objects: &[("organization", &ORGANIZATION), ("group", &GROUP)],
};

static PARTICIPATION: Type = Type {
    name: "Participation",
    index: 11,
    node: true,
    leaves: &[
        "__typename",
        "id",
        "contactRole",
        "otherParticipants",
        "isConvener",
        "version",
        "viewerCanUpdate",
        "viewerCanDelete",
    ],
    objects: &[
        ("organization", &ORGANIZATION),
        ("commitments", &COMMITMENT),
        ("group", &GROUP),
    ],
};

static RESPONSIBILITY: Type = Type {
    name: "Responsibility",
    index: 12,
    node: true,
    leaves: &["__typename", "id", "role"],
    // `activity` is an activity by id, which comes with its areas.
    objects: &[("organization", &ORGANIZATION), ("activity", &ACTIVITY)],
};

static ACTIVITY: Type = Type {
    name: "Activity",
    index: 13,
    node: true,
    leaves: &[
        "__typename",
        "id",
        "position",
        "goal",
        "description",
        "responsibleText",
        "timeline",
        "startYear",
        "endYear",
        "followUpSchedule",
        "followUpTerms",
        "version",
        "updatedAt",
        "viewerCanUpdate",
        "viewerCanDelete",
        "viewerCanReportFollowUp",
    ],
    objects: &[
        ("priorityArea", &PRIORITY_AREA),
        ("focusArea", &FOCUS_AREA),
        ("methods", &METHOD),
        ("responsibilities", &RESPONSIBILITY),
        ("followUps", &FOLLOW_UP),
        ("latestFollowUp", &FOLLOW_UP),
        ("actionPlan", &ACTION_PLAN),
    ],
};

/// Every type, in the order of their `index`.
static TYPES: [&Type; 14] = [
    &ORGANIZATION,
    &MUNICIPALITY,
    &DISTRICT,
    &PRIORITY_AREA,
    &FOCUS_AREA,
    &METHOD,
    &PERIOD,
    &FOLLOW_UP,
    &ACTION_PLAN,
    &GROUP,
    &COMMITMENT,
    &PARTICIPATION,
    &RESPONSIBILITY,
    &ACTIVITY,
];

/// Named fragments per type.
const FRAGMENTS: usize = 2;

/// The directives a selection may carry: literals, variables sent, and variables left
/// out whose defaults decide (`$dt` defaults to true, `$df` to false).
const DIRECTIVES: &[&str] = &[
    "",
    "",
    "",
    "",
    " @skip(if: true)",
    " @skip(if: false)",
    " @include(if: true)",
    " @include(if: false)",
    " @include(if: $t)",
    " @include(if: $f)",
    " @skip(if: $t)",
    " @skip(if: $dt)",
    " @include(if: $dt)",
    " @skip(if: $df)",
    " @include(if: $df)",
];

/// One generated selection, read against the type it is written on (so one tree fits
/// every type: indexes are taken modulo what the type has).
#[derive(Debug, Clone)]
enum Item {
    /// A field: a leaf when `sub` is empty (or the type has no objects), else an
    /// object field with `sub` as its selection. `alias` 0: none.
    Field {
        pick: usize,
        alias: usize,
        directive: usize,
        sub: Vec<Item>,
    },
    /// `... on Type { … }` (0), `... on Node { … }` (1) or `... { … }` (2).
    Inline {
        on: usize,
        items: Vec<Item>,
        directive: usize,
    },
    /// `...F<Type>_<n>`, a named fragment of the case.
    Spread { fragment: usize, directive: usize },
}

fn leaf() -> impl Strategy<Value = Item> {
    (0..64usize, 0..3usize, 0..DIRECTIVES.len()).prop_map(|(pick, alias, directive)| Item::Field {
        pick,
        alias,
        directive,
        sub: Vec::new(),
    })
}

fn items() -> impl Strategy<Value = Vec<Item>> {
    let item = leaf().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            3 => leaf(),
            3 => (0..64usize, 0..3usize, 0..DIRECTIVES.len(), prop::collection::vec(inner.clone(), 1..4))
                .prop_map(|(pick, alias, directive, sub)| Item::Field { pick, alias, directive, sub }),
            1 => (0..3usize, prop::collection::vec(inner, 1..4), 0..DIRECTIVES.len())
                .prop_map(|(on, items, directive)| Item::Inline { on, items, directive }),
            1 => (0..FRAGMENTS, 0..DIRECTIVES.len())
                .prop_map(|(fragment, directive)| Item::Spread { fragment, directive }),
        ]
    });
    prop::collection::vec(item, 1..7)
}

/// A case: the selection of each list of the document; one selection of each type a
/// join brings (or the cache keeps), asked for at every place it comes from; and the
/// bodies of the named fragments (`FRAGMENTS` per type, in the order of [`TYPES`]).
#[derive(Debug, Clone)]
struct Case {
    district: Vec<Item>,
    participation: Vec<Item>,
    commitment: Vec<Item>,
    activity: Vec<Item>,
    organization: Vec<Item>,
    priority_area: Vec<Item>,
    focus_area: Vec<Item>,
    method: Vec<Item>,
    follow_up: Vec<Item>,
    fragments: Vec<Vec<Item>>,
}

fn case() -> impl Strategy<Value = Case> {
    (
        (items(), items(), items(), items()),
        (items(), items(), items(), items(), items()),
        prop::collection::vec(items(), TYPES.len() * FRAGMENTS),
    )
        .prop_map(
            |(
                (district, participation, commitment, activity),
                (organization, priority_area, focus_area, method, follow_up),
                fragments,
            )| Case {
                district,
                participation,
                commitment,
                activity,
                organization,
                priority_area,
                focus_area,
                method,
                follow_up,
                fragments,
            },
        )
}

/// Writes a case's document, noting the named fragments it spreads.
struct Writer<'c> {
    case: &'c Case,
    used: BTreeSet<(usize, usize)>,
    /// Inside a fragment's body a spread is written as `__typename` (no cycles).
    in_fragment: bool,
}

impl Writer<'_> {
    /// The text of `items` on type `t`.
    fn write(&mut self, t: &Type, items: &[Item], out: &mut String) {
        for item in items {
            match item {
                Item::Field {
                    pick,
                    alias,
                    directive,
                    sub,
                } => {
                    let object = (!sub.is_empty() && !t.objects.is_empty())
                        .then(|| t.objects[pick % t.objects.len()]);
                    let name = match object {
                        Some((name, _)) => name,
                        None => t.leaves[pick % t.leaves.len()],
                    };
                    // An alias always names the same field, so repeats are merges,
                    // never conflicts.
                    if *alias > 0 {
                        out.push_str(&format!("k{alias}_{}: ", name.trim_start_matches('_')));
                    }
                    out.push_str(name);
                    out.push_str(DIRECTIVES[*directive]);
                    if let Some((_, u)) = object {
                        out.push_str(" { ");
                        self.write(u, sub, out);
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
                        self.write(t, items, out);
                    }
                    out.push_str("} ");
                }
                Item::Spread {
                    fragment,
                    directive,
                } => {
                    if self.in_fragment {
                        out.push_str("__typename ");
                    } else {
                        self.used.insert((t.index, *fragment));
                        out.push_str(&format!(
                            "...F{}_{fragment}{} ",
                            t.name, DIRECTIVES[*directive]
                        ));
                    }
                }
            }
        }
    }

    /// The text of `items` on type `t`, as a new string.
    fn text(&mut self, t: &Type, items: &[Item]) -> String {
        let mut out = String::new();
        self.write(t, items, &mut out);
        out
    }

    /// The document of the case.
    fn document(mut self) -> String {
        let case = self.case;
        let org = self.text(&ORGANIZATION, &case.organization);
        let district = self.text(&DISTRICT, &case.district);
        let participation = self.text(&PARTICIPATION, &case.participation);
        let commitment = self.text(&COMMITMENT, &case.commitment);
        let activity = self.text(&ACTIVITY, &case.activity);
        let priority_area = self.text(&PRIORITY_AREA, &case.priority_area);
        let focus_area = self.text(&FOCUS_AREA, &case.focus_area);
        let method = self.text(&METHOD, &case.method);
        let follow_up = self.text(&FOLLOW_UP, &case.follow_up);
        // Every relation of an activity, whatever the generated selection asks for.
        let activity = format!(
            "{activity}
        o: responsibilities {{ id o: organization {{ {org}}} }}
        p: priorityArea {{ {priority_area}}} f: focusArea {{ {focus_area}}}
        m: methods {{ {method}}} u: followUps {{ {follow_up} r: reportedBy {{ {org}}} }}"
        );
        // Only the fragments spread are defined (an unused fragment is invalid).
        self.in_fragment = true;
        let mut fragments = String::new();
        for (index, n) in std::mem::take(&mut self.used) {
            let t = TYPES[index];
            fragments.push_str(&format!("fragment F{}_{n} on {} {{ ", t.name, t.name));
            self.write(t, &case.fragments[index * FRAGMENTS + n], &mut fragments);
            fragments.push_str("}\n");
        }
        // Skarpnäck's groups, seats, promises and plan; then every plan (Spånga-Tensta's
        // rows have follow-ups), Skarpnäck's again among them; the first page of all
        // commitments with their count, groups and districts (read by joins over HTTP);
        // then an organization met under the seats, promises and responsibilities.
        format!(
            r#"query Drift($t: Boolean!, $f: Boolean!, $dt: Boolean = true, $df: Boolean = false) {{
  district(slug: "skarpnack") {{ {district}
    vt: __typename @include(if: $t) vf: __typename @include(if: $f)
    vdt: __typename @include(if: $dt) vdf: __typename @include(if: $df)
    collaborationGroups(first: 50) {{ nodes {{ id
      participations {{ {participation} o: organization {{ {org}}} }}
      commitments(first: 100) {{ nodes {{ {commitment} o: organization {{ {org}}} }} }}
    }} }}
    actionPlans(first: 10) {{ nodes {{ id activities(first: 100) {{ nodes {{ {activity} }} }} }} }}
  }}
  actionPlans(first: 10) {{ nodes {{ id activities(first: 100) {{ nodes {{ {activity} }} }} }} }}
  commitments(first: 100) {{ totalCount nodes {{ {commitment} g: group {{ id d: district {{ {district}}} }} }} }}
  organization(slug: "skarpnack-sdf") {{ {org}}}
}}
{fragments}"#
        )
    }
}

/// Generated selections ask for many fields, aliases and levels, and the cases come
/// fast: none of the request limits is what is tested here.
async fn spawn_unlimited() -> TestApp {
    spawn_app_with(|s| {
        s.max_aliases = 10_000;
        s.max_depth = 64;
        s.max_fields = 100_000;
        s.max_complexity = 100_000_000;
        s.max_directives = 64;
        s.rate_limit_per_minute = 0;
    })
    .await
}

/// `document` sent over HTTP and over the socket: both answers' texts and the SQL
/// statements each cost.
async fn both_routes(
    app: &TestApp,
    socket: &mut crate::helpers::WsSocket,
    id: &str,
    document: &str,
    variables: &Value,
) -> ((String, u64), (String, u64)) {
    let before = app.statements.get();
    let (status, http) = app.graphql_text(document, variables.clone()).await;
    let http_statements = app.statements.get() - before;
    assert_eq!(status, 200, "{document}\n{http}");
    let before = app.statements.get();
    let ws = ws_run_text(socket, id, document, variables.clone()).await;
    let ws_statements = app.statements.get() - before;
    ((http, http_statements), (ws, ws_statements))
}

#[tokio::test]
async fn the_cached_and_primed_route_answers_byte_for_byte_as_the_socket() {
    let app = spawn_unlimited().await;
    // A follow-up reported through the API (by an organization, with a subject): the
    // follow-ups' `reportedBy` is then an organization met elsewhere in the document.
    let admin = app.admin_token();
    let activity = app
        .id_of(
            r#"{ district(slug: "skarpnack") { actionPlans(first: 1) { nodes {
                 activities(first: 1) { nodes { id } } } } } }"#,
            "/district/actionPlans/nodes/0/activities/nodes/0/id",
        )
        .await;
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

    let mut socket = ws_connect(&app, &app.viewer_token()).await;
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]),
    );
    let strategy = case();
    let variables = json!({ "t": true, "f": false });
    let (mut fewer, mut http_total, mut ws_total) = (0, 0, 0);
    for n in 0..64 {
        let case = strategy
            .new_tree(&mut runner)
            .unwrap_or_else(|e| panic!("case {n}: {e}"))
            .current();
        let document = Writer {
            case: &case,
            used: BTreeSet::new(),
            in_fragment: false,
        }
        .document();
        let ((http, http_statements), (ws, ws_statements)) =
            both_routes(&app, &mut socket, &n.to_string(), &document, &variables).await;
        assert!(
            http.starts_with(r#"{"data":{"district":{"#) && !http.contains(r#""errors""#),
            "case {n}: {document}\n{http}"
        );
        assert_eq!(
            http, ws,
            "case {n}: the HTTP route answers otherwise than the socket\n{document}"
        );
        if http_statements < ws_statements {
            fewer += 1;
        }
        http_total += http_statements;
        ws_total += ws_statements;
    }
    // The cases went by two routes: the cache and the joins saved statements.
    assert!(
        fewer > 0 && http_total < ws_total,
        "{fewer} cases cheaper over HTTP; {http_total} statements over HTTP, {ws_total} over the socket"
    );
}

#[tokio::test]
async fn http_answers_from_joins_and_cache_with_fewer_statements_than_the_socket() {
    let app = spawn_unlimited().await;
    let mut socket = ws_connect(&app, &app.viewer_token()).await;
    // The district's municipality, each seat's organization and each commitment's come
    // by join over HTTP; the socket loads each by its own key.
    let document = r#"{ district(slug: "skarpnack") { name municipality { name }
        collaborationGroups(first: 50) { nodes { participations { organization { slug }
          commitments { organization { slug } } } } } } }"#;
    let ((http, http_statements), (ws, ws_statements)) =
        both_routes(&app, &mut socket, "1", document, &json!({})).await;
    let data: Value = serde_json::from_str(&http).unwrap();
    let seats = data["data"]["district"]["collaborationGroups"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["participations"].as_array().unwrap().len())
        .sum::<usize>();
    assert!(seats > 1, "{http}");
    assert_eq!(http, ws);
    assert!(
        http_statements < ws_statements,
        "{http_statements} statements over HTTP, {ws_statements} over the socket"
    );
}
