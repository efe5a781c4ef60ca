//! Start-up: replicas starting at once on one database, health, GraphiQL.

use crate::helpers::{fresh_database, spawn_app, test_settings};

#[tokio::test]
async fn replicas_starting_at_once_migrate_and_seed_once() {
    let fresh = fresh_database().await;
    // Four replicas start at the same moment on one empty database.
    let settings = test_settings(&fresh.url);
    let builds = (0..4).map(|_| api::startup::Application::build(&settings));
    let replicas = futures_util::future::join_all(builds).await;
    let mut apps = Vec::new();
    for r in replicas {
        apps.push(r.unwrap_or_else(|e| panic!("a replica failed to start: {e:#}")));
    }
    let counts: Vec<(u64, u64)> = {
        use sea_orm::{EntityTrait, PaginatorTrait};
        let db = apps[0].db();
        vec![(
            entity::district::Entity::find().count(db).await.unwrap(),
            entity::commitment::Entity::find().count(db).await.unwrap(),
        )]
    };
    assert_eq!(
        counts,
        vec![(13, 16)],
        "the demo data was loaded exactly once"
    );
}

#[tokio::test]
async fn health_and_graphiql_answer() {
    let app = spawn_app().await;
    let health = app.get("/healthz").await;
    assert_eq!(health.status().as_u16(), 200);
    let page = app
        .client
        .get(format!("{}/graphql", app.address))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    assert!(page.headers().get("x-request-id").is_some());
    let html = page.text().await.unwrap();
    assert!(html.contains("graphiql"), "{html}");
}
