//! Nobody loses an edit: concurrent edits of one version, exactly one wins.

use api::auth::Role;
use serde_json::json;

use crate::helpers::{operation, spawn_app};

#[tokio::test]
async fn of_32_concurrent_edits_of_one_version_exactly_one_wins() {
    let app = spawn_app().await;
    let data = app
        .query(
            r#"{ organization(slug: "lpo-farsta") { commitments(first: 1) { nodes { id version } } } }"#,
            json!({}),
        )
        .await;
    let commitment = data["organization"]["commitments"]["nodes"][0].clone();
    assert_eq!(commitment["version"], 1);
    let token = app.token("lpo-farsta", Role::OrgEditor);
    let audit_before = app.audit_count().await;
    let query = operation("UpdateCommitment");

    let edits = (0..32).map(|i| {
        let (app, token, query, id) = (&app, &token, &query, commitment["id"].clone());
        async move {
            let text = format!("Version från redigerare {i}.");
            let (status, body) = app
                .graphql_op(
                    Some(token),
                    query,
                    Some("UpdateCommitment"),
                    json!({ "id": id, "expectedVersion": 1, "text": text }),
                )
                .await;
            assert_eq!(status, 200, "{body}");
            assert!(body.get("errors").is_none(), "{body}");
            (text, body["data"]["updateCommitment"].clone())
        }
    });
    let results = futures_util::future::join_all(edits).await;

    let winners: Vec<_> = results
        .iter()
        .filter(|(_, p)| p["userErrors"] == json!([]))
        .collect();
    assert_eq!(winners.len(), 1, "winners: {winners:?}");
    let (winning_text, winner) = winners[0];
    assert_eq!(winner["commitment"]["version"], 2);
    for (_, payload) in results.iter().filter(|(_, p)| p["userErrors"] != json!([])) {
        assert_eq!(payload["userErrors"][0]["code"], "CONFLICT", "{payload}");
        // The loser sees the winner's text, to compare with its own.
        assert_eq!(payload["commitment"]["text"], winning_text.as_str());
    }

    let data = app
        .query(
            "query($id: ID!) { node(id: $id) { ... on Commitment { text version } } }",
            json!({ "id": commitment["id"] }),
        )
        .await;
    assert_eq!(data["node"]["text"], winning_text.as_str());
    assert_eq!(data["node"]["version"], 2);
    assert_eq!(app.audit_count().await, audit_before + 1);
}
