//! The demo data is the documents, complete and exact.

use entity::enums::{GroupKind, OrganizationKind};
use entity::*;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    Statement,
};
use serde_json::{Value, json};

use crate::helpers::spawn_app;

#[tokio::test]
async fn loads_the_documents_counts() {
    let app = spawn_app().await;
    let data = app
        .query(
            r#"{
              districts { totalCount }
              organizations { totalCount }
              methods { totalCount }
              actionPlans { totalCount }
              activities { totalCount }
              collaborationGroups { totalCount }
              commitments { totalCount }
              strategies { slug priorityAreas { name focusAreas { name } } }
            }"#,
            json!({}),
        )
        .await;
    assert_eq!(data["districts"]["totalCount"], 13);
    // Bromma, Skarpnäck 2020, Spånga-Tensta and Skarpnäck 2022 (its areas and groups).
    assert_eq!(data["actionPlans"]["totalCount"], 4);
    // Bromma 22 rows, Skarpnäck 2020 13 rows, Spånga-Tensta 22 measures.
    assert_eq!(data["activities"]["totalCount"], 57);
    // Skarpnäck 2022: 6; Bromma: 5; Skarpnäck 2020: 5; Spånga-Tensta: 3.
    assert_eq!(data["collaborationGroups"]["totalCount"], 19);
    assert_eq!(data["commitments"]["totalCount"], 16);
    assert!(data["organizations"]["totalCount"].as_u64().unwrap() >= 35);
    assert!(data["methods"]["totalCount"].as_u64().unwrap() >= 22);

    let strategies = data["strategies"].as_array().unwrap();
    assert_eq!(strategies.len(), 2);
    let s2024 = strategies
        .iter()
        .find(|s| s["slug"] == "stockholm-2024-2026")
        .unwrap();
    let names: Vec<&str> = s2024["priorityAreas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        vec![
            "Strukturerad samverkan",
            "Förskola, skola och fritid som skyddsfaktorer",
            "Våldsprevention med ett jämställdhetsperspektiv",
            "Civilsamhälle och näringsliv"
        ]
    );
    let focus: usize = s2024["priorityAreas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["focusAreas"].as_array().unwrap().len())
        .sum();
    assert_eq!(focus, 16);
}

#[tokio::test]
async fn skarpnack_sspf_holds_each_partners_seat_and_promise_as_written() {
    let app = spawn_app().await;
    let data = app
        .query(
            r#"{
              collaborationGroups(filter: { kind: SSPF }) {
                totalCount
                nodes {
                  name subtitle meetingCadence convener term financing followUpCadence
                  district { slug }
                  participations {
                    contactRole otherParticipants isConvener
                    organization { slug }
                    commitments { text }
                  }
                }
              }
            }"#,
            json!({}),
        )
        .await;
    // Skarpnäck 2022's SSPF and Skarpnäck 2020's SSP.
    let groups = &data["collaborationGroups"];
    assert_eq!(groups["totalCount"], 2);
    let g = groups["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["subtitle"] == "SSPF; skola, socialtjänst, polis och fritid")
        .expect("Skarpnäck 2022's SSPF");
    assert_eq!(g["district"]["slug"], "skarpnack");
    assert_eq!(
        g["name"],
        "Samverkan kring barn och unga inom Skarpnäcks stadsdelsområde."
    );
    assert_eq!(g["subtitle"], "SSPF; skola, socialtjänst, polis och fritid");
    assert_eq!(
        g["meetingCadence"],
        "Sex gånger per år fördelat jämt över terminerna."
    );
    assert_eq!(g["convener"], "Ordföranden, en av SSPF utsedd rektor.");
    assert_eq!(g["term"], "Tillsvidare");
    let seat = |slug: &str| {
        g["participations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["organization"]["slug"] == slug)
            .unwrap_or_else(|| panic!("no seat for {slug}"))
            .clone()
    };
    let sdf = seat("skarpnack-sdf");
    assert_eq!(sdf["contactRole"], "Preventionssamordnare.");
    assert_eq!(
        sdf["otherParticipants"],
        "Chefer för prevention och trygghet, fritidsgårdar och familjeenheten."
    );
    assert_eq!(
        sdf["commitments"][0]["text"],
        "Tillsammans med utbildningsförvaltningen planera och sammanställa till möten samt arbeta med uppföljning av beslutade aktiviteter. Lyfta och bereda frågor i samverkan med polis."
    );
    let school = seat("utbildningsforvaltningen");
    assert_eq!(school["contactRole"], "Utsedd rektor");
    assert_eq!(school["isConvener"], true);
    assert_eq!(
        school["commitments"][0]["text"],
        "Tillsammans med stadsdelsförvaltningen planera och sammanställa till möten samt arbeta med uppföljning av beslutade aktiviteter. Lyfta och bereda frågor i samverkan med polis."
    );
    let police = seat("lpo-farsta");
    assert_eq!(
        police["commitments"][0]["text"],
        "Samverka med övriga deltagare. Delge information om tendenser som påverkar ungdomar utifrån aktuell lägesbild."
    );
}

#[tokio::test]
async fn spanga_tensta_follow_ups_carry_the_documents_statuses() {
    let app = spawn_app().await;
    let data = app
        .query(
            r#"{
              district(slug: "spanga-tensta") {
                actionPlans { nodes { activities(first: 100) { totalCount nodes {
                  description
                  followUps { period { year term } status effects asOf reportedBy { slug } }
                } } } }
              }
            }"#,
            json!({}),
        )
        .await;
    let activities = data["district"]["actionPlans"]["nodes"][0]["activities"]["nodes"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(activities.len(), 22);
    let mut counts = std::collections::BTreeMap::new();
    for a in &activities {
        let f = a["followUps"].as_array().unwrap();
        assert_eq!(f.len(), 1, "one T2-2021 follow-up per activity");
        assert_eq!(f[0]["period"], json!({ "year": 2021, "term": "T2" }));
        assert_eq!(f[0]["asOf"], "2021-08-31");
        assert_eq!(f[0]["reportedBy"]["slug"], "spanga-tensta-sdf");
        *counts
            .entry(f[0]["status"].as_str().unwrap().to_string())
            .or_insert(0) += 1;
    }
    assert_eq!(counts.get("ONGOING"), Some(&16));
    assert_eq!(counts.get("DONE"), Some(&4));
    assert_eq!(counts.get("PAUSED"), Some(&2));

    let paused = activities
        .iter()
        .find(|a| {
            a["description"]
                == "Utveckla samverkan med de fristående skolorna exempelvis kring skolbyten och orosanmälningar."
        })
        .unwrap();
    assert_eq!(paused["followUps"][0]["status"], "PAUSED");
    assert_eq!(
        paused["followUps"][0]["effects"],
        "Kontakt rörande samverkan planeras under hösten 2021."
    );
}

#[tokio::test]
async fn bromma_plan_rows_are_exact() {
    let app = spawn_app().await;
    let data = app
        .query(
            r#"{
              district(slug: "bromma") { name actionPlans { nodes {
                strategy { slug }
                activities(first: 1) { totalCount nodes {
                  goal description timeline followUpSchedule followUpTerms
                  priorityArea { name } focusArea { name }
                  methods { abbreviation }
                  responsibilities { role organization { slug } }
                } }
              } } }
            }"#,
            json!({}),
        )
        .await;
    let plan = &data["district"]["actionPlans"]["nodes"][0];
    assert_eq!(plan["strategy"]["slug"], "stockholm-2019-2022");
    assert_eq!(plan["activities"]["totalCount"], 22);
    let a = &plan["activities"]["nodes"][0];
    assert_eq!(
        a["description"],
        "En lokal strategi/handlingsplan för ett långsiktigt genomförande av generellt och riktat föräldraskapsstöd (genom programmen ABC och KOMET) ska göras, med syftet att fler föräldrar i Bromma ska kunna erbjudas tidigt stöd."
    );
    assert_eq!(
        a["goal"],
        "Förebygga och motverka uppkomsten av problem bland barn och unga."
    );
    assert_eq!(a["timeline"], "2020-2022");
    assert_eq!(a["followUpSchedule"], "T1, T2, VB");
    assert_eq!(a["followUpTerms"], json!(["T1", "T2", "ANNUAL"]));
    assert_eq!(a["priorityArea"]["name"], "Systematisk samhandling");
    assert_eq!(
        a["focusArea"]["name"],
        "Främjande, förebyggande och tidiga insatser"
    );
    assert_eq!(
        a["methods"],
        json!([{ "abbreviation": "ABC" }, { "abbreviation": "KOMET" }])
    );
    assert_eq!(
        a["responsibilities"][0]["organization"]["slug"],
        "bromma-sdf"
    );
}

/// Every table the seed writes, with its row count.
const SEEDED_TABLES: &[&str] = &[
    "source_document",
    "municipality",
    "district",
    "organization",
    "organization_district",
    "strategy",
    "priority_area",
    "focus_area",
    "method",
    "obligation",
    "indicator",
    "measurement",
    "situation_picture",
    "situation_picture_district",
    "situation_source",
    "finding",
    "cause_analysis",
    "cause",
    "cause_finding",
    "action_plan",
    "activity",
    "activity_method",
    "activity_group",
    "responsibility",
    "follow_up",
    "target",
    "target_group",
    "collaboration_area",
    "collaboration_group",
    "collaboration_group_kind",
    "participation",
    "commitment",
    "provenance",
];

async fn count(db: &DatabaseConnection, sql_where: &str) -> i64 {
    let backend = db.get_database_backend();
    let row = db
        .query_one_raw(Statement::from_string(
            backend,
            format!("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM {sql_where}"),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get("", "n").unwrap()
}

/// Row counts of every seeded table, and a digest of the columns a re-seed may fill.
async fn snapshot(db: &DatabaseConnection) -> Vec<(String, i64)> {
    let mut out = Vec::new();
    for table in SEEDED_TABLES {
        out.push((table.to_string(), count(db, table).await));
    }
    for (name, sql) in [
        (
            "activities with terms",
            "activity WHERE follow_up_terms <> ''",
        ),
        (
            "seats with attendance",
            "participation WHERE attendance IS NOT NULL",
        ),
        (
            "groups with a plan",
            "collaboration_group WHERE source_plan_id IS NOT NULL",
        ),
        (
            "groups valid from",
            "collaboration_group WHERE valid_from IS NOT NULL",
        ),
        (
            "plans with a picture",
            "action_plan WHERE situation_picture_id IS NOT NULL",
        ),
        (
            "strategies with a predecessor",
            "strategy WHERE predecessor_id IS NOT NULL",
        ),
        (
            "continued areas",
            "priority_area WHERE continues_id IS NOT NULL",
        ),
        (
            "continued focus areas",
            "focus_area WHERE continues_id IS NOT NULL",
        ),
        ("roles", "responsibility WHERE role IS NOT NULL"),
        ("inferred", "provenance WHERE inferred"),
        (
            "documented",
            "provenance WHERE source_document_id IS NOT NULL",
        ),
    ] {
        out.push((name.to_string(), count(db, sql).await));
    }
    out
}

#[tokio::test]
async fn seeding_again_changes_nothing() {
    let app = spawn_app().await;
    let before = snapshot(&app.db).await;
    let fingerprint = app.fingerprint().await;
    let report = api::seed::load(&app.db).await.unwrap();
    assert_eq!(report.total(), 0, "second load inserted {report}");
    assert_eq!(snapshot(&app.db).await, before);
    assert_eq!(app.fingerprint().await, fingerprint);
}

#[tokio::test]
async fn every_seeded_record_has_provenance() {
    let app = spawn_app().await;
    for (record_type, table) in [
        ("Organization", "organization"),
        ("Strategy", "strategy"),
        ("PriorityArea", "priority_area"),
        ("FocusArea", "focus_area"),
        ("Method", "method"),
        ("Obligation", "obligation"),
        ("Indicator", "indicator"),
        ("Measurement", "measurement"),
        ("SituationPicture", "situation_picture"),
        ("Finding", "finding"),
        ("CauseAnalysis", "cause_analysis"),
        ("ActionPlan", "action_plan"),
        ("Activity", "activity"),
        ("Responsibility", "responsibility"),
        ("FollowUp", "follow_up"),
        ("Target", "target"),
        ("CollaborationArea", "collaboration_area"),
        ("CollaborationGroup", "collaboration_group"),
        ("Participation", "participation"),
        ("Commitment", "commitment"),
    ] {
        let rows = count(&app.db, table).await;
        let marked = count(
            &app.db,
            &format!(
                "{table} t WHERE EXISTS (SELECT 1 FROM provenance p \
                 WHERE p.record_type = '{record_type}' AND p.record_id = t.id)"
            ),
        )
        .await;
        assert!(rows > 0 || table == "cause_analysis", "no {table} seeded");
        assert_eq!(marked, rows, "{record_type}: every row has provenance");
    }
    assert_eq!(
        count(&app.db, "provenance").await,
        count(
            &app.db,
            "provenance p WHERE p.record_type IN ('Organization','Strategy','PriorityArea',\
             'FocusArea','Method','Obligation','Indicator','Measurement','SituationPicture',\
             'Finding','CauseAnalysis','ActionPlan','Activity','Responsibility','FollowUp',\
             'Target','CollaborationArea','CollaborationGroup','Participation','Commitment')"
        )
        .await,
        "no provenance of another type"
    );
}

#[tokio::test]
async fn bromma_and_spanga_tensta_show_the_groups_their_plans_name() {
    let app = spawn_app().await;
    let query = r#"query($slug: String!) {
      district(slug: $slug) { collaborationGroups(first: 100) { nodes { slug name kind } } }
    }"#;
    let names = |data: &Value| -> Vec<String> {
        data["district"]["collaborationGroups"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["name"].as_str().unwrap().to_string())
            .collect()
    };
    let bromma = app.query(query, json!({ "slug": "bromma" })).await;
    assert_eq!(
        names(&bromma),
        vec![
            "Trygghetsrådet – Brommas lokala BRÅ",
            "Operativt BRÅ",
            "Arbetsgrupp ”Unga i riskzon”",
            "Styrgrupp BUS Bromma",
            "Operativ BUS Bromma",
        ]
    );
    let spanga = app.query(query, json!({ "slug": "spanga-tensta" })).await;
    assert_eq!(
        names(&spanga),
        vec![
            "Trefas",
            "SIG (social insatsgrupp)",
            "platssamverkan Tensta Centrum"
        ]
    );
    assert_eq!(
        spanga["district"]["collaborationGroups"]["nodes"][1]["kind"],
        "SIG"
    );

    // Activities are carried by their groups: Bromma's rows name Trygghetsrådet.
    let carried = count(
        &app.db,
        "activity_group ag JOIN collaboration_group g ON g.id = ag.collaboration_group_id \
         WHERE g.slug = 'bromma-trygghetsradet'",
    )
    .await;
    assert!(carried > 0, "Trygghetsrådet carries Bromma's activities");
}

#[tokio::test]
async fn skarpnack_2022_youth_deployment_is_also_a_sig() {
    let app = spawn_app().await;
    let group = collaboration_group::Entity::find()
        .filter(collaboration_group::Column::Slug.eq("skarpnack-ungdomsutsattning"))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the group");
    assert_eq!(group.kind, GroupKind::YouthDeployment);
    let kinds: Vec<(i32, GroupKind)> = collaboration_group_kind::Entity::find()
        .filter(collaboration_group_kind::Column::CollaborationGroupId.eq(group.id))
        .order_by_asc(collaboration_group_kind::Column::Position)
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|k| (k.position, k.kind))
        .collect();
    assert_eq!(
        kinds,
        vec![(0, GroupKind::YouthDeployment), (1, GroupKind::Sig)]
    );
    let plan = action_plan::Entity::find()
        .filter(action_plan::Column::Slug.eq("skarpnack-2022"))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the 2022 plan");
    assert_eq!(group.source_plan_id, Some(plan.id));
    assert!(
        plan.situation_picture_id.is_some(),
        "rests on the lägesbild"
    );
    assert_eq!(
        group.valid_until.map(|d| d.to_string()).as_deref(),
        Some("2022-12-31")
    );
    // Every group has its kinds, the first being its kind.
    assert_eq!(
        count(&app.db, "collaboration_group").await,
        count(
            &app.db,
            "collaboration_group g JOIN collaboration_group_kind k \
             ON k.collaboration_group_id = g.id AND k.position = 0 AND k.kind = g.kind"
        )
        .await
    );
}

#[tokio::test]
async fn the_strategy_2024_2026_binds_57_obligations_and_continues_2019_2022() {
    let app = spawn_app().await;
    let s2024 = strategy::Entity::find()
        .filter(strategy::Column::Slug.eq("stockholm-2024-2026"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let s2019 = strategy::Entity::find()
        .filter(strategy::Column::Slug.eq("stockholm-2019-2022"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(s2024.predecessor_id, Some(s2019.id));
    assert_eq!(s2019.predecessor_id, None);
    let obligations = obligation::Entity::find()
        .filter(obligation::Column::StrategyId.eq(s2024.id))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(obligations.len(), 57);
    assert!(
        obligations.iter().all(|o| o.due_on.is_none()),
        "no due date is invented"
    );
    let facknamnder = [
        "arbetsmarknadsnamnden",
        "forskolenamnden",
        "idrottsnamnden",
        "kulturnamnden",
        "socialnamnden",
        "utbildningsnamnden",
    ];
    let orgs = organization::Entity::find()
        .filter(organization::Column::Slug.is_in(facknamnder))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(orgs.len(), 6);
    assert!(
        orgs.iter()
            .all(|o| o.kind == OrganizationKind::CityAdministration)
    );
    assert!(
        count(&app.db, "priority_area WHERE continues_id IS NOT NULL").await > 0,
        "2024's priority areas continue 2019's"
    );
    assert_eq!(count(&app.db, "indicator").await, 1);
    assert_eq!(count(&app.db, "measurement").await, 1);
    assert!(count(&app.db, "target").await > 0);
    assert!(count(&app.db, "target_group").await > 0);
}

#[tokio::test]
async fn spanga_tensta_t2_2021_reports_are_expected() {
    let app = spawn_app().await;
    let data = app
        .query(
            r#"{ followUpSummary(period: { year: 2021, term: T2 }) {
                   district { slug } expected byStatus { status count } missing { id } } }"#,
            json!({}),
        )
        .await;
    let spanga = data["followUpSummary"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["district"]["slug"] == "spanga-tensta")
        .unwrap()
        .clone();
    let reported: u64 = spanga["byStatus"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["count"].as_u64().unwrap())
        .sum();
    assert_eq!(reported, 22);
    assert_eq!(spanga["missing"], json!([]));
    // Every activity asks for T2 (`followUpTerms: ["T2"]`), so all 22 reports are
    // expected: three rows are dated "2020" only, and a report for a period the schedule
    // names counts as expected all the same.
    assert_eq!(spanga["expected"], 22);
    assert_eq!(
        count(
            &app.db,
            "activity a JOIN action_plan p ON p.id = a.action_plan_id \
             WHERE p.slug = 'spanga-tensta-2019-2022' AND a.follow_up_terms = 'T2'"
        )
        .await,
        22
    );
}

#[tokio::test]
async fn provenance_tells_the_document_from_a_reading_of_it() {
    let app = spawn_app().await;
    let data = app
        .query(
            r#"{
              sourceDocuments { id slug title fileName publisher year }
              district(slug: "skarpnack") {
                collaborationGroups(first: 100) { nodes {
                  slug
                  provenance { inferred note document { slug } }
                  participations {
                    organization { slug } attendance contactRole
                    provenance { inferred note document { title } }
                  }
                } }
                actionPlans { nodes { slug provenance { inferred document { slug title } } } }
              }
              organizations(first: 100) { nodes { slug provenance { inferred note document { slug } } } }
            }"#,
            json!({}),
        )
        .await;
    let documents = data["sourceDocuments"].as_array().unwrap();
    assert_eq!(documents.len(), 5);
    let plan_2022 = documents
        .iter()
        .find(|d| d["slug"] == "skarpnack-atgardsplan-2022")
        .unwrap();
    assert_eq!(
        plan_2022["title"],
        "Bilaga 2: Åtgärdsplan för Skarpnäck 2022"
    );
    assert_eq!(plan_2022["fileName"], "skarpnack-atgardsplan-2022.txt");
    assert_eq!(plan_2022["year"], 2022);
    // A document is a node.
    let node = app
        .query(
            "query($id: ID!) { node(id: $id) { ... on SourceDocument { slug } } }",
            json!({ "id": plan_2022["id"] }),
        )
        .await;
    assert_eq!(node["node"]["slug"], "skarpnack-atgardsplan-2022");

    let groups = data["district"]["collaborationGroups"]["nodes"]
        .as_array()
        .unwrap();
    let group = |slug: &str| {
        groups
            .iter()
            .find(|g| g["slug"] == slug)
            .unwrap_or_else(|| panic!("no group {slug}"))
    };
    let seat = |g: &Value, org: &str| {
        g["participations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["organization"]["slug"] == org)
            .unwrap_or_else(|| panic!("no seat for {org}"))
            .clone()
    };
    // A seat taken from "Övriga deltagare" is a reading, and says so.
    let with_shis = groups
        .iter()
        .find(|g| {
            g["participations"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["organization"]["slug"] == "shis")
        })
        .expect("the group SHIS sits in");
    let shis = seat(with_shis, "shis");
    assert_eq!(shis["attendance"], "vid behov");
    assert_eq!(shis["provenance"]["inferred"], true);
    let note = shis["provenance"]["note"].as_str().unwrap();
    assert!(note.contains("Övriga deltagare"), "{note}");
    assert_eq!(
        shis["provenance"]["document"]["title"],
        "Bilaga 2: Åtgärdsplan för Skarpnäck 2022"
    );
    let housing = seat(with_shis, "stockholmshem");
    assert_eq!(housing["provenance"]["inferred"], true);
    assert_eq!(housing["attendance"], Value::Null);

    // A seat as written: not inferred, no note, its document's title.
    let sspf = group("skarpnack-sspf");
    let sdf = seat(sspf, "skarpnack-sdf");
    assert_eq!(sdf["contactRole"], "Preventionssamordnare.");
    assert_eq!(
        sdf["provenance"],
        json!({ "inferred": false, "note": null,
                "document": { "title": "Bilaga 2: Åtgärdsplan för Skarpnäck 2022" } })
    );

    let plans = data["district"]["actionPlans"]["nodes"].as_array().unwrap();
    let plan_2020 = plans
        .iter()
        .find(|p| p["slug"] == "skarpnack-2020")
        .unwrap();
    assert_eq!(
        plan_2020["provenance"]["document"]["slug"],
        "skarpnack-lokal-handlingsplan-2020"
    );

    // Every organization is seeded with provenance; the police area serving Skarpnäck is
    // a reading of the documents.
    let orgs = data["organizations"]["nodes"].as_array().unwrap();
    assert!(orgs.iter().all(|o| o["provenance"].is_object()));
}

#[tokio::test]
async fn a_database_seeded_before_gains_the_new_records() {
    let app = spawn_app().await;
    let complete = snapshot(&app.db).await;
    // Back to what the data before issue 14 left: no provenance, no kinds, links, target
    // groups or targets, none of Bromma's groups, the new columns empty.
    for sql in [
        "DELETE FROM provenance",
        "DELETE FROM activity_group",
        "DELETE FROM collaboration_group_kind",
        "DELETE FROM target_group",
        "DELETE FROM target",
        "DELETE FROM participation WHERE group_id IN \
           (SELECT id FROM collaboration_group WHERE slug LIKE 'bromma-%')",
        "DELETE FROM commitment WHERE group_id IN \
           (SELECT id FROM collaboration_group WHERE slug LIKE 'bromma-%')",
        "DELETE FROM collaboration_group WHERE slug LIKE 'bromma-%'",
        "UPDATE collaboration_group SET valid_from = NULL, valid_until = NULL, \
           source_plan_id = NULL, follow_up_terms = ''",
        "UPDATE participation SET attendance = NULL",
        "UPDATE activity SET follow_up_terms = '' WHERE action_plan_id = \
           (SELECT id FROM action_plan WHERE slug = 'spanga-tensta-2019-2022')",
        "UPDATE priority_area SET continues_id = NULL",
        "UPDATE focus_area SET continues_id = NULL",
        "UPDATE strategy SET predecessor_id = NULL",
        // The data before named people as roles and tagged methods from the effects text;
        // the activities are unedited (version 1), so the corrections reach them.
        "UPDATE responsibility SET role = 'Någon' WHERE activity_id IN (SELECT a.id FROM \
           activity a JOIN action_plan p ON p.id = a.action_plan_id \
           WHERE p.slug = 'spanga-tensta-2019-2022')",
        "INSERT INTO activity_method (activity_id, method_id) SELECT a.id, m.id \
           FROM activity a JOIN action_plan p ON p.id = a.action_plan_id, method m \
           WHERE p.slug = 'spanga-tensta-2019-2022' AND a.position = 6 AND m.slug = 'abc'",
    ] {
        app.db.execute_unprepared(sql).await.unwrap();
    }
    assert_ne!(snapshot(&app.db).await, complete);
    let report = api::seed::load(&app.db).await.unwrap();
    assert!(report.total() > 0, "{report}");
    assert_eq!(snapshot(&app.db).await, complete, "{report}");
    let again = api::seed::load(&app.db).await.unwrap();
    assert_eq!(again.total(), 0, "{again}");
}

#[tokio::test]
async fn provenance_of_a_page_costs_a_statement_per_level() {
    let app = spawn_app().await;
    let before = app.statements.get();
    let data = app
        .query(
            r#"{ collaborationGroups(first: 100) { nodes {
                 provenance { inferred document { title } }
                 participations { attendance provenance { inferred note document { title } } }
               } } }"#,
            json!({}),
        )
        .await;
    let statements = app.statements.get() - before;
    let seats: Vec<&Value> = data["collaborationGroups"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["participations"].as_array().unwrap())
        .collect();
    assert_eq!(seats.len(), 52);
    assert!(
        seats
            .iter()
            .all(|s| s["provenance"]["document"]["title"].is_string())
    );
    // Groups, seats, the groups' and the seats' provenance, their documents (at most one
    // per level): never one per record.
    assert!(statements <= 8, "{statements} statements");
}
