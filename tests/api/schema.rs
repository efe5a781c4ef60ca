//! The schema file is the schema the server builds, and everything in it is described.

use serde_json::json;

use crate::helpers::spawn_app;

#[test]
fn schema_file_matches_the_server() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql");
    let on_disk = std::fs::read_to_string(path).expect("schema.graphql exists");
    let built = api::graphql::sdl();
    assert!(
        on_disk == built,
        "schema.graphql is stale: run `cargo run -- export-schema` and commit it"
    );
}

const INTROSPECT: &str = r#"{
  __schema {
    types {
      name kind description
      fields { name description args { name description } }
      inputFields { name description }
      enumValues { name description }
    }
  }
}"#;

#[tokio::test]
async fn every_type_field_and_argument_is_documented() {
    let app = spawn_app().await;
    let data = app.query(INTROSPECT, json!({})).await;
    let builtin = ["String", "Int", "Float", "Boolean", "ID"];
    let mut missing = Vec::new();
    for t in data["__schema"]["types"].as_array().unwrap() {
        let name = t["name"].as_str().unwrap();
        if name.starts_with("__") || builtin.contains(&name) {
            continue;
        }
        let blank = |v: &serde_json::Value| v.as_str().is_none_or(|s| s.trim().is_empty());
        if blank(&t["description"]) {
            missing.push(format!("type {name}"));
        }
        for f in t["fields"].as_array().into_iter().flatten() {
            let field = f["name"].as_str().unwrap();
            if blank(&f["description"]) {
                missing.push(format!("field {name}.{field}"));
            }
            for a in f["args"].as_array().into_iter().flatten() {
                if blank(&a["description"]) {
                    missing.push(format!("argument {name}.{field}({})", a["name"]));
                }
            }
        }
        for f in t["inputFields"].as_array().into_iter().flatten() {
            if blank(&f["description"]) {
                missing.push(format!("input field {name}.{}", f["name"]));
            }
        }
        for v in t["enumValues"].as_array().into_iter().flatten() {
            if blank(&v["description"]) {
                missing.push(format!("enum value {name}.{}", v["name"]));
            }
        }
    }
    assert!(missing.is_empty(), "undocumented: {missing:#?}");
}

/// Every operation of `tests/operations.graphql` (the users' own, copied verbatim)
/// validates against the schema the server builds. Each is sent without its variables,
/// so a valid one is answered with variable errors (or, when its variables are
/// optional, stops at the first resolver for want of request data); one without
/// variables is a query and runs, as a viewer, without errors.
#[tokio::test]
async fn every_users_operation_validates() {
    use futures_util::StreamExt;
    let app = spawn_app().await;
    let schema = api::graphql::build_schema();
    let operations = crate::helpers::OPERATIONS;
    let names: Vec<(&str, &str)> = operations
        .lines()
        .filter_map(|l| {
            let l = l.trim_start();
            ["query ", "mutation ", "subscription "]
                .iter()
                .find_map(|k| l.strip_prefix(k).map(|rest| (*k, rest)))
        })
        .map(|(kind, rest)| (kind.trim(), rest.split(['(', ' ', '{']).next().unwrap()))
        .collect();
    assert_eq!(names.len(), 15, "{names:?}");
    for (kind, name) in names {
        if !crate::helpers::operation(name).contains('$') {
            app.query(&crate::helpers::operation(name), json!({})).await;
            continue;
        }
        let request =
            async_graphql::Request::new(crate::helpers::operation(name)).operation_name(name);
        let response = if kind == "subscription" {
            schema.execute_stream(request).next().await.unwrap()
        } else {
            schema.execute(request).await
        };
        let messages: Vec<String> = response.errors.iter().map(|e| e.message.clone()).collect();
        // Past validation, a run without request data stops at the first resolver.
        let past_validation = |m: &String| m.contains("ariable") || m.starts_with("Data `");
        assert!(
            !messages.is_empty(),
            "{name} ran without its variables or data"
        );
        assert!(
            messages.iter().all(past_validation),
            "{name} does not validate: {messages:?}"
        );
    }
}
