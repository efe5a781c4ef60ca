//! The GraphQL specification's execution rules, as a client sees them: variable
//! defaults in `@skip`/`@include`, empty selections, field errors and nulls, `nodes`
//! item by item, fields asked for twice, the order of keys, error codes, text input
//! (NUL, NFC), introspection at the default limits, and Relay connections. Each case
//! failed before the fix that made it hold (async-graphql 7.2.1 as published; see
//! `vendor/async-graphql/PATCHES.md`), in the ordinary execution and in the fast paths.

use serde_json::{Value, json};

use crate::helpers::{error_codes, spawn_app};

/// The codes of a body's errors, each with its path, for messages.
fn errors(body: &Value) -> String {
    body["errors"].to_string()
}

#[tokio::test]
async fn variable_defaults_count_in_skip_and_include() {
    let app = spawn_app().await;
    let query = "query($show: Boolean = true, $hide: Boolean = true) {
        viewer { sub @include(if: $show) organizationSlug @skip(if: $hide) roles }
    }";
    let data = app.query(query, json!({})).await;
    assert!(data["viewer"]["sub"].is_string(), "{data}");
    assert!(data["viewer"].get("organizationSlug").is_none(), "{data}");
    // A variable that is sent wins over its default.
    let data = app
        .query(query, json!({ "show": false, "hide": false }))
        .await;
    assert!(data["viewer"].get("sub").is_none(), "{data}");
    assert!(data["viewer"]["organizationSlug"].is_string(), "{data}");

    // The same in the fast paths: an activity's follow-ups and the coverage lists.
    let follow_ups = app
        .query(
            r#"query($show: Boolean = true) { district(slug: "spanga-tensta") {
                actionPlans(first: 1) { nodes { activities(first: 1) { nodes {
                    followUps { status asOf @include(if: $show) }
                } } } } } }"#,
            json!({}),
        )
        .await;
    let first = &follow_ups["district"]["actionPlans"]["nodes"][0]["activities"]["nodes"][0]["followUps"]
        [0];
    assert_eq!(first["asOf"], "2021-08-31", "{follow_ups}");
    let coverage = app
        .query(
            "query($show: Boolean = true) { coverage(dimension: METHOD) {
                rows { total @include(if: $show) } } }",
            json!({}),
        )
        .await;
    assert!(
        coverage["coverage"]["rows"][0]["total"].is_number(),
        "{coverage}"
    );
}

#[tokio::test]
async fn a_selection_left_empty_is_an_empty_object() {
    let app = spawn_app().await;
    let data = app
        .query("{ viewer { sub @skip(if: true) } }", json!({}))
        .await;
    assert_eq!(data["viewer"], json!({}), "{data}");
    let data = app
        .query(
            r#"query($no: Boolean = false) { district(slug: "skarpnack") {
                municipality { name @include(if: $no) } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(data["district"]["municipality"], json!({}), "{data}");
}

#[tokio::test]
async fn an_error_nulls_its_field_or_its_nearest_nullable_parent() {
    let app = spawn_app().await;
    let token = app.viewer_token();
    // A nullable field: null at its key, the error at its path, the rest answered.
    let (_, body) = app
        .graphql_with(
            Some(&token),
            r#"{ a: node(id: "garbage") { id } b: viewer { sub } }"#,
            json!({}),
        )
        .await;
    assert!(body["data"].get("a").is_some_and(Value::is_null), "{body}");
    assert!(body["data"]["b"]["sub"].is_string(), "{body}");
    assert_eq!(body["errors"][0]["path"], json!(["a"]), "{body}");
    assert_eq!(error_codes(&body), ["BAD_USER_INPUT"]);

    // A non-null field (a connection) in a nullable parent: the parent is null.
    let (_, body) = app
        .graphql_with(
            Some(&token),
            r#"{ district(slug: "skarpnack") { name actionPlans(first: 101) { totalCount } }
                 viewer { sub } }"#,
            json!({}),
        )
        .await;
    assert!(body["data"]["district"].is_null(), "{body}");
    assert!(body["data"]["viewer"]["sub"].is_string(), "{body}");
    assert_eq!(
        body["errors"][0]["path"],
        json!(["district", "actionPlans"]),
        "{body}"
    );

    // A non-null root field: `data` is null.
    let (_, body) = app
        .graphql_with(
            Some(&token),
            "{ viewer { sub } districts(first: 101) { totalCount } }",
            json!({}),
        )
        .await;
    assert!(body["data"].is_null(), "{body}");
    assert_eq!(body["errors"][0]["path"], json!(["districts"]), "{body}");
}

#[tokio::test]
async fn nodes_answers_item_by_item() {
    let app = spawn_app().await;
    let skarpnack = app
        .query(r#"{ district(slug: "skarpnack") { id } }"#, json!({}))
        .await["district"]["id"]
        .clone();
    // A District ID that names nothing: the right kind, an id no row has.
    let unknown = {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("District:999999")
    };
    let token = app.viewer_token();
    let (_, body) = app
        .graphql_with(
            Some(&token),
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            json!({ "ids": [skarpnack, "garbage", unknown] }),
        )
        .await;
    let nodes = &body["data"]["nodes"];
    assert_eq!(nodes[0]["id"], skarpnack, "{body}");
    assert!(nodes[1].is_null() && nodes[2].is_null(), "{body}");
    let paths: Vec<&Value> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["path"])
        .collect();
    assert_eq!(
        paths,
        [&json!(["nodes", 1]), &json!(["nodes", 2])],
        "{body}"
    );
    assert_eq!(
        error_codes(&body),
        ["BAD_USER_INPUT", "NOT_FOUND"],
        "{body}"
    );
    let fields: Vec<&Value> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["extensions"]["field"])
        .collect();
    assert_eq!(fields, [&json!("ids.1"), &json!("ids.2")], "{body}");
}

#[tokio::test]
async fn fields_asked_for_twice_under_one_key_are_merged() {
    let app = spawn_app().await;
    // Named fragments, inline fragments and a repeated key, over the ordinary
    // execution (plans, activities) and the fast paths (follow-ups, methods,
    // responsibilities, coverage rows).
    let query = r#"
        query { district(slug: "spanga-tensta") { ...Plans ... on District { ...More } } }
        fragment Plans on District {
            actionPlans(first: 1) { nodes { id activities(first: 2) { nodes {
                id followUps { status } methods { name } responsibilities { role }
            } } } }
        }
        fragment More on District {
            actionPlans(first: 1) { nodes { title activities(first: 2) { nodes {
                goal
                followUps { asOf ... on FollowUp { effects } }
                methods { abbreviation }
                responsibilities { organization { name } }
            } } } }
        }"#;
    let data = app.query(query, json!({})).await;
    let plan = &data["district"]["actionPlans"]["nodes"][0];
    assert!(
        plan["id"].is_string() && plan["title"].is_string(),
        "{plan}"
    );
    for activity in plan["activities"]["nodes"].as_array().unwrap() {
        assert!(
            activity["id"].is_string() && activity.get("goal").is_some(),
            "{activity}"
        );
        for f in activity["followUps"].as_array().unwrap() {
            let keys: Vec<&str> = f.as_object().unwrap().keys().map(String::as_str).collect();
            assert_eq!(keys.len(), 3, "{f}");
            assert!(f.get("status").is_some() && f.get("asOf").is_some(), "{f}");
            assert!(f.get("effects").is_some(), "{f}");
        }
        for m in activity["methods"].as_array().unwrap() {
            assert!(
                m.get("name").is_some() && m.get("abbreviation").is_some(),
                "{m}"
            );
        }
        for r in activity["responsibilities"].as_array().unwrap() {
            assert!(r.get("role").is_some(), "{r}");
            assert!(r["organization"]["name"].is_string(), "{r}");
        }
    }
    // The same key twice with other sub-fields, and an alias repeated.
    let data = app
        .query(
            "{ c: coverage(dimension: METHOD) { rows { total } }
               c: coverage(dimension: METHOD) { rows { district { name } } } }",
            json!({}),
        )
        .await;
    let row = &data["c"]["rows"][0];
    assert!(
        row["total"].is_number() && row["district"]["name"].is_string(),
        "{row}"
    );
}

#[tokio::test]
async fn response_keys_are_in_the_order_of_the_query() {
    let app = spawn_app().await;
    let (status, text) = app
        .graphql_text(
            "{ districts(first: 1) { totalCount } viewer { roles sub } b: __typename a: __typename }",
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{text}");
    let at = |key: &str| text.find(key).unwrap_or_else(|| panic!("{key} in {text}"));
    assert!(at("\"districts\"") < at("\"viewer\""), "{text}");
    assert!(at("\"roles\"") < at("\"sub\""), "{text}");
    assert!(at("\"b\"") < at("\"a\""), "{text}");
    // Keys first asked for in a fragment keep that place when asked again later.
    let (_, text) = app
        .graphql_text(
            "{ ...F viewer { sub } districts(first: 1) { totalCount } } \
             fragment F on Query { districts(first: 1) { nodes { name } } }",
            json!({}),
        )
        .await;
    assert!(
        at_in(&text, "\"districts\"") < at_in(&text, "\"viewer\""),
        "{text}"
    );
    assert!(
        at_in(&text, "\"nodes\"") < at_in(&text, "\"totalCount\""),
        "{text}"
    );
    // `data` before `errors`, as the spec's response format recommends nothing else
    // on, and errors answer in a fixed order of members.
    let (_, text) = app
        .graphql_text(r#"{ node(id: "x") { id } }"#, json!({}))
        .await;
    assert!(
        at_in(&text, "\"data\"") < at_in(&text, "\"errors\""),
        "{text}"
    );
}

fn at_in(text: &str, key: &str) -> usize {
    text.find(key).unwrap_or_else(|| panic!("{key} in {text}"))
}

#[tokio::test]
async fn every_error_carries_a_code() {
    let app = spawn_app().await;
    let token = app.viewer_token();
    let cases: &[(&str, Value, &str)] = &[
        ("{ districts {", json!({}), "GRAPHQL_PARSE_FAILED"),
        (
            "{ districtz { totalCount } }",
            json!({}),
            "GRAPHQL_VALIDATION_FAILED",
        ),
        (
            "query($n: Int) { viewer { sub } }",
            json!({}),
            "GRAPHQL_VALIDATION_FAILED",
        ),
        (
            "query($slug: String!) { district(slug: $slug) { name } }",
            json!({}),
            "BAD_USER_INPUT",
        ),
        (
            "query($slug: String!) { district(slug: $slug) { name } }",
            json!({ "slug": 12 }),
            "BAD_USER_INPUT",
        ),
        (
            r#"{ reportingPeriods(year: 2021, today: "2021-13-45") { dueOn } }"#,
            json!({}),
            "BAD_USER_INPUT",
        ),
        (
            "query($d: Date) { reportingPeriods(year: 2021, today: $d) { dueOn } }",
            json!({ "d": "31/8 2021" }),
            "BAD_USER_INPUT",
        ),
        (
            "{ districts(first: 1000) { totalCount } }",
            json!({}),
            "BAD_USER_INPUT",
        ),
    ];
    for (query, variables, code) in cases {
        let (_, body) = app
            .graphql_with(Some(&token), query, variables.clone())
            .await;
        let codes = error_codes(&body);
        assert!(!codes.is_empty(), "{query}: {body}");
        assert_eq!(codes[0], *code, "{query}: {}", errors(&body));
        assert!(codes.iter().all(|c| !c.is_empty()), "{query}: {body}");
    }
    // A value that does not fit its argument names the argument.
    let (_, body) = app
        .graphql_with(
            Some(&token),
            r#"{ reportingPeriods(year: 2021, today: "2021-13-45") { dueOn } }"#,
            json!({}),
        )
        .await;
    assert_eq!(body["errors"][0]["extensions"]["field"], "today", "{body}");
    // An operation name that picks nothing.
    let (_, body) = app
        .graphql_op(
            Some(&token),
            "query A { viewer { sub } }",
            Some("B"),
            json!({}),
        )
        .await;
    assert_eq!(
        error_codes(&body),
        ["OPERATION_RESOLUTION_FAILURE"],
        "{body}"
    );
    let (_, body) = app
        .graphql_op(
            Some(&token),
            "query A { viewer { sub } } query B { viewer { roles } }",
            None,
            json!({}),
        )
        .await;
    assert_eq!(
        error_codes(&body),
        ["OPERATION_RESOLUTION_FAILURE"],
        "{body}"
    );
}

#[tokio::test]
async fn nul_characters_are_refused_on_every_database() {
    let app = spawn_app().await;
    let token = app.viewer_token();
    // A lookup with NUL in a literal and in a variable.
    let (status, body) = app
        .graphql_with(
            Some(&token),
            r#"{ district(slug: "\u0000") { id } }"#,
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(error_codes(&body), ["BAD_USER_INPUT"], "{body}");
    assert_eq!(body["errors"][0]["extensions"]["field"], "slug", "{body}");
    let (_, body) = app
        .graphql_with(
            Some(&token),
            "query($f: DistrictFilterInput) { districts(filter: $f) { totalCount } }",
            json!({ "f": { "municipality": "a\u{0}b" } }),
        )
        .await;
    assert_eq!(error_codes(&body), ["BAD_USER_INPUT"], "{body}");
    assert_eq!(body["errors"][0]["extensions"]["field"], "$f.municipality");

    // A commitment's text with NUL: refused, nothing written.
    let commitment = app.sspf_commitment_of("lpo-farsta").await;
    let before = app.fingerprint().await;
    let police = app.token("lpo-farsta", api::auth::Role::OrgEditor);
    let (_, body) = app
        .graphql_with(
            Some(&police),
            "mutation($input: UpdateCommitmentInput!) { updateCommitment(input: $input) {
                commitment { text } userErrors { field code } } }",
            json!({ "input": {
                "id": commitment["id"],
                "expectedVersion": commitment["version"],
                "text": "Kommunpolis deltar\u{0}"
            } }),
        )
        .await;
    assert_eq!(error_codes(&body), ["BAD_USER_INPUT"], "{body}");
    assert_eq!(
        body["errors"][0]["extensions"]["field"], "$input.text",
        "{body}"
    );
    assert_eq!(app.fingerprint().await, before, "a refused edit wrote");
}

#[tokio::test]
async fn text_is_one_text_however_it_was_composed() {
    let app = spawn_app().await;
    let admin = app.admin_token();
    let municipality =
        app.query("{ municipalities { id } }", json!({})).await["municipalities"][0]["id"].clone();
    let create = |name: &'static str| {
        let admin = admin.clone();
        let municipality = municipality.clone();
        let app = &app;
        async move {
            app.run_as(
                &admin,
                "mutation($input: CreateDistrictInput!) { createDistrict(input: $input) {
                    district { slug name } userErrors { field code message } } }",
                json!({ "input": { "municipality": municipality, "name": name } }),
            )
            .await
        }
    };
    // "Årsta" typed as "A" + COMBINING RING ABOVE: stored composed (NFC).
    let decomposed = create("A\u{030A}rsta").await;
    let district = &decomposed["createDistrict"]["district"];
    assert_eq!(district["name"], "\u{00C5}rsta", "{decomposed}");
    assert_eq!(district["slug"], "arsta", "{decomposed}");
    // The same name typed composed is the same district: its slug is taken.
    let composed = create("\u{00C5}rsta").await;
    assert!(
        composed["createDistrict"]["district"].is_null(),
        "{composed}"
    );
    assert_eq!(
        composed["createDistrict"]["userErrors"][0]["code"], "BAD_USER_INPUT",
        "{composed}"
    );
}

#[tokio::test]
async fn the_standard_introspection_queries_are_answered_at_the_default_limits() {
    let app = spawn_app().await;
    for (client, query) in [
        (
            "graphql-js",
            include_str!("../fixtures/introspection/graphql-js.graphql"),
        ),
        (
            "graphql-js, every option",
            include_str!("../fixtures/introspection/graphql-js-all-options.graphql"),
        ),
        (
            "graphql-core",
            include_str!("../fixtures/introspection/graphql-core.graphql"),
        ),
        (
            "graphql-core, every option",
            include_str!("../fixtures/introspection/graphql-core-all-options.graphql"),
        ),
    ] {
        let token = app.viewer_token();
        let (status, body) = app
            .graphql_op(Some(&token), query, Some("IntrospectionQuery"), json!({}))
            .await;
        assert_eq!(status, 200, "{client}: {body}");
        assert!(body.get("errors").is_none(), "{client}: {body}");
        let schema = &body["data"]["__schema"];
        assert_eq!(schema["queryType"]["name"], "Query", "{client}");
        assert_eq!(schema["mutationType"]["name"], "Mutation", "{client}");
        assert_eq!(
            schema["subscriptionType"]["name"], "Subscription",
            "{client}"
        );
        // The schema has no description of its own (not the `__Schema` type's).
        assert!(
            schema["description"].is_null(),
            "{client}: {}",
            schema["description"]
        );
        let types = schema["types"].as_array().unwrap();
        assert!(types.iter().any(|t| t["name"] == "Date"), "{client}");
        assert!(!types.iter().any(|t| t["name"] == "NaiveDate"), "{client}");
    }
}

#[tokio::test]
async fn relay_pages_say_where_items_are_and_cursors_keep_to_their_list() {
    let app = spawn_app().await;
    let page = |args: &str| {
        format!(
            "{{ districts({args}) {{ edges {{ cursor node {{ name }} }}
                pageInfo {{ hasPreviousPage hasNextPage startCursor endCursor }} }} }}"
        )
    };
    // 13 districts: the first three, then the three after them, then the last ones.
    let first = app.query(&page("first: 3"), json!({})).await;
    let info = &first["districts"]["pageInfo"];
    assert_eq!(info["hasPreviousPage"], false, "{first}");
    assert_eq!(info["hasNextPage"], true, "{first}");
    let end = info["endCursor"].as_str().unwrap().to_owned();
    let second = app
        .query(&page(&format!("first: 3, after: \"{end}\"")), json!({}))
        .await;
    assert_eq!(
        second["districts"]["pageInfo"]["hasPreviousPage"], true,
        "{second}"
    );
    let last = app
        .query(&page(&format!("first: 100, after: \"{end}\"")), json!({}))
        .await;
    assert_eq!(
        last["districts"]["pageInfo"]["hasNextPage"], false,
        "{last}"
    );
    assert_eq!(last["districts"]["edges"].as_array().unwrap().len(), 10);
    // Backwards from the end of the first page: nothing before the first item.
    let start = second["districts"]["pageInfo"]["startCursor"]
        .as_str()
        .unwrap()
        .to_owned();
    let back = app
        .query(&page(&format!("last: 3, before: \"{start}\"")), json!({}))
        .await;
    let info = &back["districts"]["pageInfo"];
    assert_eq!(info["hasPreviousPage"], false, "{back}");
    assert_eq!(info["hasNextPage"], true, "{back}");
    // After the very last item: an empty page with nothing after it.
    let very_last = last["districts"]["pageInfo"]["endCursor"]
        .as_str()
        .unwrap()
        .to_owned();
    let beyond = app
        .query(
            &page(&format!("first: 3, after: \"{very_last}\"")),
            json!({}),
        )
        .await;
    assert_eq!(
        beyond["districts"]["pageInfo"]["hasNextPage"], false,
        "{beyond}"
    );
    assert_eq!(
        beyond["districts"]["pageInfo"]["hasPreviousPage"], true,
        "{beyond}"
    );

    // A cursor of the districts given to the organizations, and a cursor of one
    // plan's activities given to another plan's: refused, not an empty page.
    let token = app.viewer_token();
    let (_, body) = app
        .graphql_with(
            Some(&token),
            &format!("{{ organizations(first: 3, after: \"{end}\") {{ totalCount }} }}"),
            json!({}),
        )
        .await;
    assert_eq!(error_codes(&body), ["BAD_USER_INPUT"], "{body}");
    assert_eq!(body["errors"][0]["extensions"]["field"], "after", "{body}");
    let plans = app
        .query(
            "{ actionPlans(first: 2) { nodes { activities(first: 1) {
                pageInfo { endCursor hasPreviousPage hasNextPage } } } } }",
            json!({}),
        )
        .await;
    let nodes = plans["actionPlans"]["nodes"].as_array().unwrap();
    let cursor = nodes[0]["activities"]["pageInfo"]["endCursor"]
        .as_str()
        .unwrap();
    assert_eq!(nodes[0]["activities"]["pageInfo"]["hasPreviousPage"], false);
    let (_, body) = app
        .graphql_with(
            Some(&token),
            &format!(
                "{{ actionPlans(first: 2) {{ nodes {{ activities(first: 1, after: \"{cursor}\") {{
                    nodes {{ id }} pageInfo {{ hasPreviousPage }} }} }} }} }}"
            ),
            json!({}),
        )
        .await;
    // The first plan's own cursor is its; the second plan refuses it.
    assert_eq!(error_codes(&body), ["BAD_USER_INPUT"], "{body}");
    assert_eq!(
        body["errors"][0]["path"],
        json!(["actionPlans", "nodes", 1, "activities"]),
        "{body}"
    );
}
