//! The demo data is the documents, complete and exact.

use serde_json::json;

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
    assert_eq!(data["actionPlans"]["totalCount"], 3);
    // Bromma 22 rows, Skarpnäck 2020 13 rows, Spånga-Tensta 22 measures.
    assert_eq!(data["activities"]["totalCount"], 57);
    assert_eq!(data["collaborationGroups"]["totalCount"], 6);
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
    let groups = &data["collaborationGroups"];
    assert_eq!(groups["totalCount"], 1);
    let g = &groups["nodes"][0];
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

#[tokio::test]
async fn seeding_again_changes_nothing() {
    let app = spawn_app().await;
    let before = app
        .query(
            "{ activities { totalCount } commitments { totalCount } }",
            json!({}),
        )
        .await;
    let report = api::seed::load(&app.db).await.unwrap();
    assert_eq!(report.total(), 0, "second load inserted {report}");
    let after = app
        .query(
            "{ activities { totalCount } commitments { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(before, after);
}
