//! When PostgreSQL goes away under load: requests fail fast with `INTERNAL`, `/readyz`
//! turns 503, the service recovers by itself when the database returns, and no write is
//! half done (every commitment version has exactly its audit event).
//!
//! The test runs its own private PostgreSQL cluster (initdb in a temporary directory, a
//! free port), never the machine's shared one, so it can stop and start it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use api::auth::Role;
use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};

/// The directory of PostgreSQL's server programs.
fn pg_bin() -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|p| p.join("pg_ctl").exists())
        .collect();
    dirs.sort();
    dirs.pop()
}

/// A private cluster, run as the `postgres` user (PostgreSQL refuses root).
struct Cluster {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
}

impl Cluster {
    fn run(&self, program: &str, args: &[&str]) {
        let status = Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(self.bin.join(program))
            .args(args)
            .status()
            .expect("run a PostgreSQL program");
        assert!(status.success(), "{program} {args:?} failed");
    }

    fn create(bin: PathBuf) -> Self {
        let dir = std::env::temp_dir().join(format!("samverkan-pg-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let chown = Command::new("chown")
            .args(["postgres:postgres", dir.to_str().unwrap()])
            .status()
            .unwrap();
        assert!(chown.success());
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let cluster = Self { bin, dir, port };
        let data = cluster.data();
        cluster.run(
            "initdb",
            &["-D", &data, "-A", "trust", "-U", "postgres", "--no-sync"],
        );
        cluster
    }

    fn data(&self) -> String {
        self.dir.join("data").display().to_string()
    }

    fn start(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.display()
        );
        let log = self.dir.join("log").display().to_string();
        self.run(
            "pg_ctl",
            &[
                "-D",
                &self.data(),
                "-o",
                &options,
                "-l",
                &log,
                "-w",
                "start",
            ],
        );
    }

    fn stop(&self) {
        self.run("pg_ctl", &["-D", &self.data(), "-m", "fast", "-w", "stop"]);
    }

    fn url(&self, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{db}", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(self.bin.join("pg_ctl"))
            .args(["-D", &self.data(), "-m", "immediate", "stop"])
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn is_root() -> bool {
    Path::new("/proc/self/status").exists()
        && std::fs::read_to_string("/proc/self/status")
            .unwrap_or_default()
            .lines()
            .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
}

#[tokio::test]
async fn the_service_survives_a_database_outage() {
    let postgres_run = std::env::var("TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty());
    let Some(bin) = pg_bin().filter(|_| postgres_run && is_root()) else {
        eprintln!("the outage test runs in the PostgreSQL pass (TEST_DATABASE_URL), as root");
        return;
    };
    let cluster = Cluster::create(bin);
    cluster.start();
    let admin = Database::connect(cluster.url("postgres")).await.unwrap();
    admin
        .execute_unprepared("CREATE DATABASE samverkan")
        .await
        .unwrap();
    admin.close().await.unwrap();

    let settings = crate::helpers::test_settings(&cluster.url("samverkan"));
    let app = api::startup::Application::build(&settings).await.unwrap();
    let address = format!("http://127.0.0.1:{}", app.port());
    let keys = app.keys();
    tokio::spawn(app.run_until_stopped());
    let token = keys
        .mint(
            "liaison",
            "lpo-farsta",
            vec![Role::OrgEditor],
            None,
            Duration::from_secs(600),
        )
        .unwrap();
    let client = reqwest::Client::new();
    let gql = {
        let (client, address, token) = (client.clone(), address.clone(), token.clone());
        move |query: &'static str, variables: Value| {
            let (client, address, token) = (client.clone(), address.clone(), token.clone());
            async move {
                let response = client
                    .post(format!("{address}/graphql"))
                    .bearer_auth(&token)
                    .json(&json!({ "query": query, "variables": variables }))
                    .send()
                    .await
                    .unwrap();
                response.json::<Value>().await.unwrap()
            }
        }
    };
    let ids: Vec<Value> = gql(
        r#"{ organization(slug: "lpo-farsta") { commitments(first: 10) { nodes { id } } } }"#,
        json!({}),
    )
    .await["data"]["organization"]["commitments"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].clone())
        .collect();
    assert_eq!(ids.len(), 6);

    // Load: one writer per commitment, editing it again and again.
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicU64::new(0));
    let mut writers = Vec::new();
    for id in ids.clone() {
        let (gql, stop, written) = (gql.clone(), stop.clone(), written.clone());
        writers.push(tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let current = gql(
                    "query($id: ID!) { node(id: $id) { ... on Commitment { version } } }",
                    json!({ "id": id }),
                )
                .await;
                let Some(version) = current["data"]["node"]["version"].as_i64() else {
                    continue;
                };
                let body = gql(
                    "mutation($id: ID!, $v: Int!, $t: String!) { updateCommitment(input: { id: $id, expectedVersion: $v, text: $t }) { commitment { version } userErrors { code } } }",
                    json!({ "id": id, "v": version, "t": format!("Redigering {n}.") }),
                )
                .await;
                if body["data"]["updateCommitment"]["commitment"]["version"].is_i64() {
                    written.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    let wait_until = |what: &'static str, done: Arc<dyn Fn() -> bool + Send + Sync>| async move {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !done() {
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    let w = written.clone();
    wait_until(
        "writes before the outage",
        Arc::new(move || w.load(Ordering::Relaxed) >= 10),
    )
    .await;

    // The database goes away.
    cluster.stop();
    let started = Instant::now();
    let body = gql(
        "query($id: ID!) { node(id: $id) { ... on Commitment { text } } }",
        json!({ "id": ids[0] }),
    )
    .await;
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "did not fail fast"
    );
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "INTERNAL",
        "{body}"
    );
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(
        !message.contains("connection") && !message.contains("127.0.0.1"),
        "{message}"
    );
    let ready = client
        .get(format!("{address}/readyz"))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status().as_u16(), 503);

    // It comes back; the service recovers by itself.
    cluster.start();
    let (c, a) = (client.clone(), address.clone());
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let status = c.get(format!("{a}/readyz")).send().await.unwrap().status();
        if status.as_u16() == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "never ready again");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let after_outage = written.load(Ordering::Relaxed);
    let w = written.clone();
    wait_until(
        "writes after the outage",
        Arc::new(move || w.load(Ordering::Relaxed) >= after_outage + 10),
    )
    .await;
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.await.unwrap();
    }

    // No write is half done: each commitment's version counts exactly its audited edits.
    let db = Database::connect(cluster.url("samverkan")).await.unwrap();
    let rows = db
        .query_all_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT c.id, c.version, (SELECT COUNT(*) FROM audit_event a WHERE a.node_type = 'Commitment' AND a.node_id = c.id AND a.action = 'commitment.update') AS edits FROM commitment c",
        ))
        .await
        .unwrap();
    let mut total = 0;
    for row in rows {
        let version: i32 = row.try_get("", "version").unwrap();
        let edits: i64 = row.try_get("", "edits").unwrap();
        assert_eq!(
            i64::from(version) - 1,
            edits,
            "a write without its audit event, or the reverse"
        );
        total += edits;
    }
    assert!(total as u64 >= written.load(Ordering::Relaxed));
    db.close().await.unwrap();
}
