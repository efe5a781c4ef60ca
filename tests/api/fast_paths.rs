//! A property test: the fast paths (plans for an activity's follow-ups, methods and
//! responsibilities, `api/src/graphql/plain.rs`) answer byte for byte what the ordinary
//! execution answers, for generated selections — fragments (named, inline, on the type,
//! on `Node`, without a type), aliases, the same key asked for twice, objects merged,
//! `@skip`/`@include` with literals, variables and variables' defaults, `__typename`.
//!
//! Each case is sent twice: as generated (the fast path answers) and with one more field
//! the plans do not know appended to each list's selection (`zz: …`), which sends the
//! whole list down the ordinary path. With that member taken out of the text, both
//! answers must be the same bytes: the same keys, in the same order, with the same
//! values. The cases are drawn by proptest from a fixed seed, so a failure names a
//! selection that fails again.

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

const RESPONSIBILITY: PlanType = PlanType {
    name: "Responsibility",
    fields: &[
        Shape::Leaf("__typename"),
        Shape::Leaf("id"),
        Shape::Leaf("role"),
        Shape::Object(
            "organization",
            &["id", "slug", "name", "kind", "__typename"],
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

/// A case: the selection of each list, and the bodies of two named fragments per type.
#[derive(Debug, Clone)]
struct Case {
    lists: Vec<(Vec<Item>, Vec<Vec<Item>>)>,
}

fn case() -> impl Strategy<Value = Case> {
    let per_type = |t: &'static PlanType| {
        (
            items(t, 2),
            prop::collection::vec(prop::collection::vec(field_item(t), 1..4), 2..=2),
        )
    };
    (
        per_type(&FOLLOW_UP),
        per_type(&METHOD),
        per_type(&RESPONSIBILITY),
    )
        .prop_map(|(a, b, c)| Case {
            lists: vec![a, b, c],
        })
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

/// The document of a case, with `extra` appended to each list's selection.
fn document(case: &Case, extra: &[&str; 3]) -> String {
    let types = [&FOLLOW_UP, &METHOD, &RESPONSIBILITY];
    let lists = ["followUps", "methods", "responsibilities"];
    let mut body = String::new();
    let mut fragments = String::new();
    for (i, (t, (items, bodies))) in types.iter().zip(&case.lists).enumerate() {
        let prefix = format!("F{}_", t.name);
        body.push_str(lists[i]);
        body.push_str(" { ");
        write(t, items, &prefix, &mut body);
        body.push_str(extra[i]);
        // Every fragment of the case is spread (a fragment never used is invalid).
        for n in 0..bodies.len() {
            body.push_str(&format!(" ...{prefix}{n} @skip(if: true)"));
        }
        body.push_str(" } ");
        for (n, fragment) in bodies.iter().enumerate() {
            fragments.push_str(&format!("fragment {prefix}{n} on {} {{ ", t.name));
            write(t, fragment, &prefix, &mut fragments);
            fragments.push_str("} ");
        }
    }
    format!(
        "query($t: Boolean!, $f: Boolean!, $dt: Boolean = true, $df: Boolean = false) {{
           activities(first: 100) {{ nodes {{ {body}
             vt: __typename @include(if: $t) vf: __typename @include(if: $f)
             vdt: __typename @include(if: $dt) vdf: __typename @include(if: $df) }} }}
         }} {fragments}"
    )
}

/// What the appended fields answer, each as it stands in the text.
const ZZ: [&str; 3] = [
    r#""zz":{"__typename":"Activity"}"#,
    r#""zz":false"#,
    r#""zz":{"__typename":"Activity"}"#,
];

#[tokio::test]
async fn fast_paths_answer_byte_for_byte_as_the_ordinary_execution() {
    // Generated selections alias freely, and the cases come fast: neither the alias cap
    // nor the rate limit is what is tested here.
    let app = spawn_app_with(|s| {
        s.max_aliases = 10_000;
        s.rate_limit_per_minute = 0;
    })
    .await;
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

    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]),
    );
    let strategy = case();
    let extra = [
        "zz: activity { __typename }",
        "zz: viewerCanUpdate",
        "zz: activity { __typename }",
    ];
    let variables = json!({ "t": true, "f": false });
    for n in 0..64 {
        let case = strategy
            .new_tree(&mut runner)
            .unwrap_or_else(|e| panic!("case {n}: {e}"))
            .current();
        let fast_doc = document(&case, &["", "", ""]);
        let ordinary_doc = document(&case, &extra);
        let (status, fast) = app.graphql_text(&fast_doc, variables.clone()).await;
        assert_eq!(status, 200, "case {n}: {fast_doc}\n{fast}");
        assert!(!fast.contains("\"errors\""), "case {n}: {fast_doc}\n{fast}");
        let (_, ordinary) = app.graphql_text(&ordinary_doc, variables.clone()).await;
        assert!(
            ordinary.contains("\"zz\":"),
            "case {n}: the ordinary path did not run\n{ordinary_doc}\n{ordinary}"
        );
        let mut stripped = ordinary.clone();
        for zz in ZZ {
            stripped = stripped.replace(&format!(",{zz}"), "").replace(zz, "");
        }
        assert_eq!(
            fast, stripped,
            "case {n}: the fast path answers otherwise than the ordinary execution\n{fast_doc}"
        );
    }
}
