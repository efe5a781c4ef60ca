//! The deployment files of `deploy/`, checked against what the binary reads.
//!
//! No container engine or cluster runs in the tests: the Kubernetes manifests and the
//! compose file are parsed, and every environment variable they give a Samverkan container
//! must be one the binary reads (the `env` of `api::config::Settings`, plus the few read
//! outside it); probes, ports, commands, selectors and the Dockerfile's stages are checked
//! against each other.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::PathBuf;

use serde::Deserialize;
use serde_norway::Value;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    let path = repo().join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {rel}: {e}"))
}

/// Every environment variable the `samverkan` binary reads.
fn binary_env() -> BTreeSet<String> {
    use clap::Args;
    let command = api::config::Settings::augment_args(clap::Command::new("samverkan"));
    let mut names: BTreeSet<String> = command
        .get_arguments()
        .filter_map(|arg| arg.get_env())
        .map(|env| env.to_str().unwrap().to_owned())
        .collect();
    assert!(
        names.contains("DATABASE_URL") && names.contains("SAMVERKAN_JWT_SECRET"),
        "clap reports no env names: {names:?}"
    );
    // Read outside `Settings`, before it is parsed: RUST_LOG by tracing's EnvFilter and
    // SAMVERKAN_LOG_FORMAT by `api::telemetry`.
    for name in ["RUST_LOG", "SAMVERKAN_LOG_FORMAT"] {
        names.insert(name.to_owned());
    }
    names
}

/// `v[a][b][0]…` along a dotted path (numbers index sequences), or a panic naming it.
fn at<'a>(v: &'a Value, path: &str) -> &'a Value {
    let mut cur = v;
    for part in path.split('.') {
        let next = match part.parse::<usize>() {
            Ok(i) => cur.get(i),
            Err(_) => cur.get(part),
        };
        cur = next.unwrap_or_else(|| panic!("missing `{path}` (at `{part}`) in {v:?}"));
    }
    cur
}

fn opt<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    let mut cur = v;
    for part in path.split('.') {
        cur = match part.parse::<usize>() {
            Ok(i) => cur.get(i)?,
            Err(_) => cur.get(part)?,
        };
    }
    Some(cur)
}

fn str_at<'a>(v: &'a Value, path: &str) -> &'a str {
    at(v, path)
        .as_str()
        .unwrap_or_else(|| panic!("`{path}` is not a string"))
}

fn seq<'a>(v: &'a Value, path: &str) -> &'a Vec<Value> {
    at(v, path)
        .as_sequence()
        .unwrap_or_else(|| panic!("`{path}` is not a list"))
}

/// A mapping of strings to strings (labels, selectors, ConfigMap data).
fn string_map(v: &Value) -> BTreeMap<String, String> {
    v.as_mapping()
        .unwrap_or_else(|| panic!("not a mapping: {v:?}"))
        .iter()
        .map(|(k, v)| {
            let value = match v {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                other => panic!("value of {k:?} is not a scalar: {other:?}"),
            };
            (k.as_str().unwrap().to_owned(), value)
        })
        .collect()
}

fn parse_addr(addr: &str) -> SocketAddr {
    addr.parse()
        .unwrap_or_else(|e| panic!("SAMVERKAN_ADDR {addr:?} is not an address: {e}"))
}

/// One document of a manifest file.
struct Doc {
    file: String,
    value: Value,
}

impl Doc {
    fn kind(&self) -> &str {
        str_at(&self.value, "kind")
    }
    fn name(&self) -> &str {
        str_at(&self.value, "metadata.name")
    }
}

/// Every document of every `deploy/k8s/*.yaml` (files may hold several).
fn k8s_docs() -> Vec<Doc> {
    let dir = repo().join("deploy/k8s");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no manifests in deploy/k8s");
    let mut docs = Vec::new();
    for path in files {
        let file = path.file_name().unwrap().to_str().unwrap().to_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let mut found = 0;
        for de in serde_norway::Deserializer::from_str(&text) {
            let value = Value::deserialize(de)
                .unwrap_or_else(|e| panic!("deploy/k8s/{file} does not parse: {e}"));
            if value.is_null() {
                continue; // an empty document (a trailing `---`)
            }
            found += 1;
            docs.push(Doc {
                file: file.clone(),
                value,
            });
        }
        assert!(found > 0, "deploy/k8s/{file} holds no document");
    }
    docs
}

fn one<'a>(docs: &'a [Doc], kind: &str) -> &'a Doc {
    let found: Vec<&Doc> = docs.iter().filter(|d| d.kind() == kind).collect();
    assert_eq!(found.len(), 1, "expected exactly one {kind}");
    found[0]
}

fn named<'a>(docs: &'a [Doc], kind: &str, name: &str) -> &'a Doc {
    docs.iter()
        .find(|d| d.kind() == kind && d.name() == name)
        .unwrap_or_else(|| panic!("no {kind} named {name} in deploy/k8s"))
}

/// The keys of a ConfigMap's `data` or a Secret's `stringData`/`data`.
fn object_keys(doc: &Doc) -> BTreeMap<String, String> {
    let mut keys = BTreeMap::new();
    for field in ["data", "stringData"] {
        if let Some(data) = doc.value.get(field) {
            keys.extend(string_map(data));
        }
    }
    keys
}

/// The environment a pod's container gets: variable name → value where it is known
/// (ConfigMap values; `None` for secrets and unresolved references).
fn container_env(docs: &[Doc], container: &Value) -> BTreeMap<String, Option<String>> {
    let mut env = BTreeMap::new();
    if let Some(sources) = container.get("envFrom") {
        for source in sources.as_sequence().unwrap() {
            if let Some(r) = source.get("configMapRef") {
                let cm = named(docs, "ConfigMap", str_at(r, "name"));
                for (k, v) in object_keys(cm) {
                    env.insert(k, Some(v));
                }
            } else if let Some(r) = source.get("secretRef") {
                let secret = named(docs, "Secret", str_at(r, "name"));
                for k in object_keys(secret).into_keys() {
                    env.insert(k, None);
                }
            } else {
                panic!("unknown envFrom source {source:?}");
            }
        }
    }
    if let Some(vars) = container.get("env") {
        for var in vars.as_sequence().unwrap() {
            let name = str_at(var, "name").to_owned();
            let value = if let Some(v) = var.get("value") {
                Some(v.as_str().unwrap().to_owned())
            } else if let Some(r) = opt(var, "valueFrom.configMapKeyRef") {
                let cm = named(docs, "ConfigMap", str_at(r, "name"));
                let key = str_at(r, "key");
                let value = object_keys(cm).get(key).cloned();
                assert!(value.is_some(), "ConfigMap {} has no key {key}", cm.name());
                value
            } else if let Some(r) = opt(var, "valueFrom.secretKeyRef") {
                let secret = named(docs, "Secret", str_at(r, "name"));
                let key = str_at(r, "key");
                assert!(
                    object_keys(secret).contains_key(key),
                    "Secret {} has no key {key}",
                    secret.name()
                );
                None
            } else {
                panic!("env {name}: unsupported value {var:?}");
            };
            env.insert(name, value);
        }
    }
    env
}

fn assert_known_env<'a>(
    known: &BTreeSet<String>,
    names: impl IntoIterator<Item = &'a String>,
    what: &str,
) {
    let unknown: Vec<&String> = names.into_iter().filter(|n| !known.contains(*n)).collect();
    assert!(
        unknown.is_empty(),
        "{what} sets {unknown:?}, which the binary does not read (it reads {known:?})"
    );
}

/// Resolve a probe's or Service's port (a number or a port name) to the container port.
fn resolve_port(container: &Value, port: &Value) -> u64 {
    if let Some(n) = port.as_u64() {
        return n;
    }
    let name = port.as_str().unwrap();
    seq(container, "ports")
        .iter()
        .find(|p| p.get("name").and_then(Value::as_str) == Some(name))
        .and_then(|p| p.get("containerPort")?.as_u64())
        .unwrap_or_else(|| panic!("the container has no port named {name}"))
}

fn the_container<'a>(pod_spec: &'a Value, name: &str) -> &'a Value {
    seq(pod_spec, "containers")
        .iter()
        .find(|c| c.get("name").and_then(Value::as_str) == Some(name))
        .unwrap_or_else(|| panic!("no container named {name}"))
}

fn args(container: &Value) -> Vec<&str> {
    let mut out = Vec::new();
    for field in ["command", "args"] {
        if let Some(list) = container.get(field) {
            out.extend(
                list.as_sequence()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_str().unwrap()),
            );
        }
    }
    out
}

fn assert_hardened(pod_spec: &Value, container: &Value, what: &str) {
    let non_root = opt(container, "securityContext.runAsNonRoot")
        .or_else(|| opt(pod_spec, "securityContext.runAsNonRoot"))
        .and_then(Value::as_bool);
    assert_eq!(non_root, Some(true), "{what}: runAsNonRoot");
    let uid = opt(container, "securityContext.runAsUser")
        .or_else(|| opt(pod_spec, "securityContext.runAsUser"))
        .and_then(Value::as_u64)
        .unwrap_or_else(|| panic!("{what}: no runAsUser"));
    assert_ne!(uid, 0, "{what}: runs as root");
    assert_eq!(
        uid.to_string(),
        dockerfile_user(),
        "{what}: runAsUser differs from the image's USER"
    );
    assert_eq!(
        opt(container, "securityContext.readOnlyRootFilesystem").and_then(Value::as_bool),
        Some(true),
        "{what}: readOnlyRootFilesystem"
    );
    assert_eq!(
        opt(container, "securityContext.allowPrivilegeEscalation").and_then(Value::as_bool),
        Some(false),
        "{what}: allowPrivilegeEscalation"
    );
    for kind in ["requests", "limits"] {
        for resource in ["cpu", "memory"] {
            let path = format!("resources.{kind}.{resource}");
            assert!(opt(container, &path).is_some(), "{what}: no {path}");
        }
    }
}

#[test]
fn every_manifest_parses_and_names_itself() {
    let docs = k8s_docs();
    for doc in &docs {
        let api_version = str_at(&doc.value, "apiVersion");
        assert!(!api_version.is_empty(), "{}: empty apiVersion", doc.file);
        if doc.kind() != "Kustomization" {
            assert!(!doc.name().is_empty(), "{}: empty metadata.name", doc.file);
        }
    }
    let kinds: BTreeSet<&str> = docs.iter().map(Doc::kind).collect();
    for kind in [
        "ConfigMap",
        "Secret",
        "Deployment",
        "Service",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
        "Job",
        "Kustomization",
    ] {
        assert!(kinds.contains(kind), "deploy/k8s has no {kind}");
    }
}

#[test]
fn kustomization_lists_every_manifest_but_the_secret_template() {
    let docs = k8s_docs();
    let kustomization = one(&docs, "Kustomization");
    let listed: BTreeSet<&str> = seq(&kustomization.value, "resources")
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let secret_file = &one(&docs, "Secret").file;
    let expected: BTreeSet<&str> = docs
        .iter()
        .map(|d| d.file.as_str())
        .filter(|f| *f != kustomization.file && f != secret_file)
        .collect();
    assert_eq!(
        listed, expected,
        "kustomization.yaml must list every manifest except the Secret template"
    );
    // The image name the manifests use is the one kustomize rewrites.
    let images: BTreeSet<&str> = seq(&kustomization.value, "images")
        .iter()
        .map(|i| str_at(i, "name"))
        .collect();
    for kind in ["Deployment", "Job"] {
        let doc = one(&docs, kind);
        for container in seq(&doc.value, "spec.template.spec.containers") {
            let image = str_at(container, "image");
            assert!(
                images.contains(image),
                "{kind} uses image {image}, which kustomization.yaml does not set"
            );
        }
    }
}

#[test]
fn deployment_probes_ports_and_settings_match_the_binary() {
    let docs = k8s_docs();
    let known = binary_env();
    let deployment = one(&docs, "Deployment");
    let pod = at(&deployment.value, "spec.template.spec");
    let container = the_container(pod, "samverkan");

    // It serves, on the port SAMVERKAN_ADDR names, on every interface.
    let a = args(container);
    assert!(a.is_empty() || a == ["serve"], "the API runs {a:?}");
    let env = container_env(&docs, container);
    assert_known_env(&known, env.keys(), "the Deployment");
    let addr = env
        .get("SAMVERKAN_ADDR")
        .cloned()
        .flatten()
        .expect("the Deployment sets SAMVERKAN_ADDR (in the ConfigMap)");
    let addr = parse_addr(&addr);
    assert!(
        addr.ip().is_unspecified(),
        "{addr} is unreachable from outside the pod"
    );
    let ports = seq(container, "ports");
    assert_eq!(ports.len(), 1);
    let container_port = at(&ports[0], "containerPort").as_u64().unwrap();
    assert_eq!(container_port, u64::from(addr.port()));

    // What PostgreSQL needs: a database URL and token keys.
    assert!(env.contains_key("DATABASE_URL"));
    let algorithm = env
        .get("SAMVERKAN_JWT_ALGORITHM")
        .cloned()
        .flatten()
        .unwrap_or_else(|| "HS256".into());
    if algorithm.eq_ignore_ascii_case("HS256") {
        assert!(
            env.contains_key("SAMVERKAN_JWT_SECRET"),
            "HS256 needs a secret"
        );
    } else {
        assert!(
            env.contains_key("SAMVERKAN_JWT_PUBLIC_KEYS") || env.contains_key("SAMVERKAN_JWT_JWKS"),
            "{algorithm} needs public keys"
        );
    }
    assert_eq!(
        env.get("SAMVERKAN_ENV").cloned().flatten().as_deref(),
        Some("production")
    );
    let secret_url = object_keys(one(&docs, "Secret"))
        .get("DATABASE_URL")
        .cloned()
        .unwrap_or_default();
    assert!(secret_url.starts_with("postgres://"), "{secret_url}");

    // Probes: alive = /healthz, ready = /readyz, both on the container's port.
    for (probe, path) in [
        ("livenessProbe", "/healthz"),
        ("readinessProbe", "/readyz"),
        ("startupProbe", "/healthz"),
    ] {
        assert_eq!(
            str_at(container, &format!("{probe}.httpGet.path")),
            path,
            "{probe}"
        );
        let port = at(container, &format!("{probe}.httpGet.port"));
        assert_eq!(
            resolve_port(container, port),
            container_port,
            "{probe} port"
        );
    }

    assert_hardened(pod, container, "the Deployment");
    assert_eq!(at(&deployment.value, "spec.replicas").as_u64(), Some(2));
    let grace = at(pod, "terminationGracePeriodSeconds").as_u64().unwrap();
    assert!(
        grace > 30,
        "the grace period must outlast the 30 s request timeout"
    );

    // The Service reaches the same port of the same pods.
    let pod_labels = string_map(at(&deployment.value, "spec.template.metadata.labels"));
    let matches = |selector: &Value, what: &str| {
        let selector = string_map(selector);
        assert!(!selector.is_empty(), "{what}: empty selector");
        for (k, v) in &selector {
            assert_eq!(pod_labels.get(k), Some(v), "{what} selects {k}={v}");
        }
    };
    matches(
        at(&deployment.value, "spec.selector.matchLabels"),
        "Deployment",
    );
    let service = one(&docs, "Service");
    matches(at(&service.value, "spec.selector"), "Service");
    for port in seq(&service.value, "spec.ports") {
        assert_eq!(
            resolve_port(container, at(port, "targetPort")),
            container_port,
            "Service targetPort"
        );
    }
    let pdb = one(&docs, "PodDisruptionBudget");
    matches(
        at(&pdb.value, "spec.selector.matchLabels"),
        "PodDisruptionBudget",
    );
    assert_eq!(at(&pdb.value, "spec.minAvailable").as_u64(), Some(1));

    // The autoscaler scales this Deployment on CPU, never below its replicas.
    let hpa = one(&docs, "HorizontalPodAutoscaler");
    assert_eq!(str_at(&hpa.value, "apiVersion"), "autoscaling/v2");
    assert_eq!(str_at(&hpa.value, "spec.scaleTargetRef.kind"), "Deployment");
    assert_eq!(
        str_at(&hpa.value, "spec.scaleTargetRef.name"),
        deployment.name()
    );
    let min = at(&hpa.value, "spec.minReplicas").as_u64().unwrap();
    let max = at(&hpa.value, "spec.maxReplicas").as_u64().unwrap();
    assert!(min >= 2 && max >= min, "HPA {min}..{max}");
    assert!(
        seq(&hpa.value, "spec.metrics")
            .iter()
            .any(|m| opt(m, "resource.name").and_then(Value::as_str) == Some("cpu")),
        "the HPA does not scale on CPU"
    );
}

#[test]
fn migration_job_runs_migrate_with_the_database_only() {
    let docs = k8s_docs();
    let known = binary_env();
    let job = one(&docs, "Job");
    let pod = at(&job.value, "spec.template.spec");
    let containers = seq(pod, "containers");
    assert_eq!(containers.len(), 1);
    let container = &containers[0];
    assert_eq!(args(container), ["migrate"]);
    let restart = str_at(pod, "restartPolicy");
    assert!(restart == "Never" || restart == "OnFailure", "{restart}");
    let env = container_env(&docs, container);
    assert_known_env(&known, env.keys(), "the migration Job");
    assert!(env.contains_key("DATABASE_URL"));
    assert_hardened(pod, container, "the migration Job");
    let deployment = one(&docs, "Deployment");
    let api = the_container(at(&deployment.value, "spec.template.spec"), "samverkan");
    assert_eq!(str_at(container, "image"), str_at(api, "image"));
}

#[test]
fn every_configmap_and_secret_key_is_a_setting() {
    let docs = k8s_docs();
    let known = binary_env();
    for kind in ["ConfigMap", "Secret"] {
        for doc in docs.iter().filter(|d| d.kind() == kind) {
            let keys = object_keys(doc);
            assert!(!keys.is_empty(), "{kind} {} is empty", doc.name());
            assert_known_env(&known, keys.keys(), &format!("{kind} {}", doc.name()));
        }
    }
}

/// The compose file, with `<<` merge keys applied.
fn compose() -> Value {
    let mut value: Value = serde_norway::from_str(&read("deploy/docker-compose.yml"))
        .expect("deploy/docker-compose.yml does not parse");
    value.apply_merge().unwrap();
    value
}

/// A compose service's `environment`, as a map or as a list of `KEY=VALUE`.
fn compose_env(service: &Value) -> BTreeMap<String, String> {
    match service.get("environment") {
        None => BTreeMap::new(),
        Some(Value::Sequence(items)) => items
            .iter()
            .map(|i| {
                let item = i.as_str().unwrap();
                let (k, v) = item.split_once('=').unwrap_or((item, ""));
                (k.to_owned(), v.to_owned())
            })
            .collect(),
        Some(map) => string_map(map),
    }
}

#[test]
fn compose_runs_postgres_migrate_two_replicas_and_a_websocket_proxy() {
    let known = binary_env();
    let compose = compose();
    let services = at(&compose, "services").as_mapping().unwrap();
    let service = |name: &str| {
        services
            .get(name)
            .unwrap_or_else(|| panic!("compose has no service {name}"))
    };

    let postgres = service("postgres");
    assert!(str_at(postgres, "image").starts_with("postgres:15"));
    assert!(
        postgres.get("healthcheck").is_some(),
        "postgres healthcheck"
    );
    assert!(
        postgres.get("volumes").is_some(),
        "postgres keeps no volume"
    );

    // The Samverkan services: built from deploy/Dockerfile.
    let mut migrate = Vec::new();
    let mut replicas = Vec::new();
    for (name, svc) in services {
        let name = name.as_str().unwrap();
        let Some(build) = svc.get("build") else {
            continue;
        };
        assert_eq!(str_at(build, "context"), "..", "{name}: build context");
        let dockerfile = str_at(build, "dockerfile");
        assert!(
            repo().join(dockerfile).is_file(),
            "{name}: no {dockerfile} in the build context"
        );
        let env = compose_env(svc);
        assert_known_env(&known, env.keys(), &format!("compose service {name}"));
        let db = env.get("DATABASE_URL").map(String::as_str).unwrap_or("");
        assert!(
            db.starts_with("postgres://") && db.contains("@postgres:5432/"),
            "{name}: DATABASE_URL {db:?} is not the postgres service"
        );
        let command: Vec<&str> = svc
            .get("command")
            .and_then(Value::as_sequence)
            .map(|c| c.iter().map(|v| v.as_str().unwrap()).collect())
            .unwrap_or_default();
        match command.as_slice() {
            ["migrate"] => migrate.push((name, svc, env)),
            [] | ["serve"] => replicas.push((name, svc, env)),
            other => panic!("{name} runs {other:?}"),
        }
    }
    assert_eq!(migrate.len(), 1, "one migrate service");
    let (migrate_name, migrate_svc, _) = &migrate[0];
    assert_eq!(
        str_at(migrate_svc, "depends_on.postgres.condition"),
        "service_healthy"
    );
    assert_eq!(replicas.len(), 2, "two API replicas");

    let mut upstreams = Vec::new();
    for (name, svc, env) in &replicas {
        assert_eq!(
            str_at(svc, &format!("depends_on.{migrate_name}.condition")),
            "service_completed_successfully",
            "{name} must wait for the migration"
        );
        assert_eq!(
            env.get("SAMVERKAN_ENV").map(String::as_str),
            Some("production")
        );
        let secret = env.get("SAMVERKAN_JWT_SECRET").map(String::as_str);
        assert!(
            secret.is_some_and(|s| s.starts_with("${SAMVERKAN_JWT_SECRET:?")),
            "{name}: SAMVERKAN_JWT_SECRET must come from the environment, required: {secret:?}"
        );
        let addr = parse_addr(env.get("SAMVERKAN_ADDR").expect("SAMVERKAN_ADDR"));
        assert!(addr.ip().is_unspecified(), "{name} listens on {addr}");
        upstreams.push(format!("server {name}:{}", addr.port()));
    }

    // The proxy: nginx with deploy/nginx.conf, balancing both replicas, passing
    // WebSocket upgrades of /graphql/ws.
    let proxy = service("proxy");
    assert!(str_at(proxy, "image").starts_with("nginx"));
    let mounts: Vec<&str> = seq(proxy, "volumes")
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(
        mounts.iter().any(|m| m.starts_with("./nginx.conf:")),
        "the proxy does not mount deploy/nginx.conf: {mounts:?}"
    );
    let published: Vec<&str> = seq(proxy, "ports")
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(published.contains(&"8080:8080"), "{published:?}");
    let nginx = read("deploy/nginx.conf");
    assert!(nginx.contains("listen 8080;"));
    for upstream in &upstreams {
        assert!(
            nginx.contains(upstream.as_str()),
            "nginx.conf lacks `{upstream}`"
        );
    }
    let start = nginx
        .find("location = /graphql/ws {")
        .expect("nginx.conf has no location for /graphql/ws");
    let block = &nginx[start..start + nginx[start..].find('}').unwrap()];
    for line in [
        "proxy_http_version 1.1;",
        "proxy_set_header Upgrade $http_upgrade;",
        "proxy_set_header Connection $connection_upgrade;",
        "proxy_read_timeout 3600s;",
    ] {
        assert!(
            block.contains(line),
            "the /graphql/ws location lacks `{line}`"
        );
    }
    assert!(nginx.contains("map $http_upgrade $connection_upgrade"));
}

/// Lines of the Dockerfile, without comments and blank lines.
fn dockerfile() -> Vec<String> {
    read("deploy/Dockerfile")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

/// The runtime stage's `USER` (its uid, without a group).
fn dockerfile_user() -> String {
    let lines = dockerfile();
    let last_from = lines.iter().rposition(|l| l.starts_with("FROM ")).unwrap();
    let user = lines[last_from..]
        .iter()
        .rev()
        .find_map(|l| l.strip_prefix("USER "))
        .expect("the runtime stage sets no USER");
    user.split(':').next().unwrap().trim().to_owned()
}

#[test]
fn dockerfile_is_multi_stage_locked_and_non_root() {
    let lines = dockerfile();
    let froms: Vec<&String> = lines.iter().filter(|l| l.starts_with("FROM ")).collect();
    assert!(froms.len() >= 2, "not multi-stage: {froms:?}");

    // The builder's Rust is at least the workspace's rust-version.
    let cargo_toml = read("Cargo.toml");
    let rust_version = cargo_toml
        .lines()
        .find_map(|l| l.trim().strip_prefix("rust-version = \""))
        .and_then(|v| v.strip_suffix('"'))
        .expect("rust-version in Cargo.toml");
    let builder = froms[0]
        .strip_prefix("FROM rust:")
        .expect("the first stage builds on rust:");
    let version = |s: &str| -> Vec<u32> {
        s.split(['-', ' '])
            .next()
            .unwrap()
            .split('.')
            .map(|p| p.parse().unwrap())
            .collect()
    };
    assert!(
        version(builder) >= version(rust_version),
        "rust:{builder} is older than rust-version {rust_version}"
    );

    let user = dockerfile_user();
    assert!(
        user != "root" && user != "0" && !user.is_empty(),
        "runs as {user}"
    );
    let builds: Vec<&String> = lines.iter().filter(|l| l.contains("cargo build")).collect();
    assert!(!builds.is_empty());
    for build in builds {
        assert!(
            build.contains("--release") && build.contains("--locked"),
            "{build}"
        );
        assert!(build.contains("--bin samverkan"), "{build}");
    }

    // Every workspace member's manifest and sources (and the compiled-in demo data) are
    // copied, so the dependency layer and the real build see the whole workspace.
    let members_line = cargo_toml
        .lines()
        .find(|l| l.trim_start().starts_with("members = ["))
        .expect("workspace members");
    let members: Vec<&str> = members_line
        .split('"')
        .skip(1)
        .step_by(2)
        .filter(|m| *m != ".")
        .collect();
    assert!(!members.is_empty());
    let copies: Vec<&String> = lines.iter().filter(|l| l.starts_with("COPY ")).collect();
    let copied = |what: &str| {
        copies
            .iter()
            .any(|l| l.starts_with(&format!("COPY {what} ")))
    };
    assert!(
        copies
            .iter()
            .any(|l| l.starts_with("COPY Cargo.toml Cargo.lock "))
    );
    for member in members {
        for what in [format!("{member}/Cargo.toml"), format!("{member}/src")] {
            assert!(copied(&what), "the Dockerfile does not copy {what}");
        }
    }
    assert!(copied("src") && copied("data"), "src/ or data/ not copied");
    // The crates patched in `[patch.crates-io]` are built from vendor/.
    let patched: Vec<&str> = cargo_toml
        .split("[patch.crates-io]")
        .nth(1)
        .expect("[patch.crates-io]")
        .lines()
        .take_while(|l| !l.starts_with('['))
        .filter_map(|l| l.split("path = \"").nth(1)?.split('"').next())
        .collect();
    assert!(!patched.is_empty());
    for path in patched {
        assert!(
            path.starts_with("vendor/") && copied("vendor"),
            "the Dockerfile does not copy {path}"
        );
    }

    // Listens on every interface, on the port it exposes; runs `samverkan serve`.
    let addr = lines
        .iter()
        .find_map(|l| l.strip_prefix("ENV SAMVERKAN_ADDR="))
        .expect("ENV SAMVERKAN_ADDR");
    let addr = parse_addr(addr);
    assert!(addr.ip().is_unspecified());
    assert!(lines.contains(&format!("EXPOSE {}", addr.port())));
    let entrypoint = lines.iter().find(|l| l.starts_with("ENTRYPOINT ")).unwrap();
    assert!(entrypoint.contains("samverkan\"]"), "{entrypoint}");
    assert!(lines.contains(&"CMD [\"serve\"]".to_owned()));

    // The build context (the repository root) leaves out builds, databases and .git.
    let ignore = read(".dockerignore");
    for pattern in [".git", "target/", "*.db", "node_modules/"] {
        assert!(
            ignore.lines().any(|l| l.trim().ends_with(pattern)),
            ".dockerignore lacks {pattern}"
        );
    }
}
