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

/// The operations of `tests/operations.graphql` (the users' own, copied verbatim) that
/// a later feature will make valid. Each must still be rejected by validation; when its
/// feature lands, move it out of this list and test it like the read operations.
const PENDING: &[(&str, &str)] = &[("CommitmentChanged", "issue 4: live updates")];

#[tokio::test]
async fn every_users_operation_is_valid_or_known_pending() {
    let app = spawn_app().await;
    let operations = crate::helpers::OPERATIONS;
    let names: Vec<&str> = operations
        .lines()
        .filter_map(|l| {
            let l = l.trim_start();
            ["query ", "mutation ", "subscription "]
                .iter()
                .find_map(|k| l.strip_prefix(k))
        })
        .map(|rest| rest.split(['(', ' ', '{']).next().unwrap())
        .collect();
    assert_eq!(names.len(), 9, "{names:?}");
    let token = app.viewer_token();
    for name in names {
        // Send only this operation, so validation covers it alone.
        let (_, body) = app
            .graphql_op(
                Some(&token),
                &crate::helpers::operation(name),
                Some(name),
                json!({}),
            )
            .await;
        // Variables are missing on purpose: a valid operation gets only variable errors.
        let messages: Vec<&str> = body["errors"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e["message"].as_str())
            .collect();
        let only_variable_errors = messages.iter().all(|m| m.contains("ariable"));
        if PENDING.iter().any(|(n, _)| *n == name) {
            assert!(
                !only_variable_errors,
                "{name} now validates: move it out of PENDING"
            );
        } else {
            assert!(
                only_variable_errors,
                "{name} does not validate: {messages:?}"
            );
        }
    }
}
