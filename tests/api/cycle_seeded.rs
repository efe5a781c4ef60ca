//! The users' operations of the city's cycle (`StrategyObligations`, `DistrictCycle`,
//! `OrganizationPlans`, `GroupFollowUps`), exactly as written in `tests/operations.graphql`,
//! answered on the seeded demo data: what issue 14 is done by.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::helpers::{operation, spawn_app};

fn nodes(v: &Value) -> &Vec<Value> {
    v["nodes"].as_array().expect("a connection's nodes")
}

#[tokio::test]
async fn a_city_wide_analyst_lists_every_body_the_strategy_binds_and_what_each_delivered() {
    let app = spawn_app().await;
    let data = app
        .query(
            &operation("StrategyObligations"),
            json!({ "strategy": "stockholm-2024-2026", "asOf": "2026-11-30" }),
        )
        .await;
    let s = &data["strategy"];
    assert_eq!(s["predecessor"]["slug"], "stockholm-2019-2022");
    // Every priority area continues one of 2019–2022's.
    for pa in s["priorityAreas"].as_array().unwrap() {
        assert!(pa["continues"]["name"].is_string(), "{pa}");
    }
    let obligations = &s["obligations"];
    assert_eq!(obligations["totalCount"], 57);
    let all = nodes(obligations);
    assert_eq!(all.len(), 57, "one request lists them all");
    // 13 stadsdelsnämnder (by their administrations) and the six facknämnder of 5.1.
    let bodies: BTreeSet<&str> = all
        .iter()
        .map(|o| o["organization"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(bodies.len(), 19, "{bodies:?}");
    for board in [
        "Arbetsmarknadsnämnden",
        "Förskolenämnden",
        "Idrottsnämnden",
        "Kulturnämnden",
        "Socialnämnden",
        "Utbildningsnämnden",
    ] {
        assert!(bodies.contains(board), "{board} is bound");
    }
    let district_bodies = all
        .iter()
        .filter(|o| o["organization"]["kind"] == "DISTRICT_ADMINISTRATION")
        .map(|o| o["organization"]["name"].as_str().unwrap())
        .collect::<BTreeSet<_>>();
    assert_eq!(district_bodies.len(), 13);
    // Each owes a lägesbild, an orsaksanalys and an åtgärdsplan; no due date is invented.
    for kind in ["SITUATION_PICTURE", "CAUSE_ANALYSIS", "ACTION_PLAN"] {
        assert_eq!(
            all.iter().filter(|o| o["kind"] == kind).count(),
            19,
            "{kind}"
        );
    }
    assert!(all.iter().all(|o| o["dueOn"].is_null()));
    // Nothing in the documents delivers under 2024–2026 (the plans are of 2019–2022 and
    // Skarpnäck's 2022 lägesbild is undated and under no strategy): all are due, none
    // delivered, and a delivered one would name what delivered it.
    for o in all {
        assert_eq!(o["state"], "DUE", "{o}");
        assert!(o["deliveredBy"].is_null(), "{o}");
    }
    // Before the strategy's period nothing is due yet.
    let before = app
        .query(
            &operation("StrategyObligations"),
            json!({ "strategy": "stockholm-2024-2026", "asOf": "2023-06-01" }),
        )
        .await;
    assert!(
        nodes(&before["strategy"]["obligations"])
            .iter()
            .all(|o| o["state"] == "NOT_DUE")
    );
}

#[tokio::test]
async fn skarpnacks_cycle_runs_from_its_lagesbild_to_its_plans_rows() {
    let app = spawn_app().await;
    let data = app
        .query(&operation("DistrictCycle"), json!({ "slug": "skarpnack" }))
        .await;
    let d = &data["district"];
    assert_eq!(d["name"], "Skarpnäck");
    let pictures = nodes(&d["situationPictures"]);
    let picture = pictures
        .iter()
        .find(|p| !p["actionPlans"].as_array().unwrap().is_empty())
        .expect("Skarpnäck's common local lägesbild, which its 2022 plan rests on");
    assert!(picture["asOf"].is_null(), "the document gives no date");
    assert_eq!(picture["findings"].as_array().unwrap().len(), 4);
    let plans = nodes(&d["actionPlans"]);
    let plan_2022 = plans
        .iter()
        .find(|p| p["title"] == "Åtgärdsplan för Skarpnäck 2022")
        .expect("the 2022 plan");
    assert_eq!(plan_2022["basedOn"]["id"], picture["id"]);
    assert_eq!(plan_2022["owner"]["kind"], "DISTRICT_ADMINISTRATION");
    // The 2020 plan's rows say whom they are for, which groups carry them, and the one
    // target with a number ("96,6 %").
    let rows: Vec<&Value> = plans.iter().flat_map(|p| nodes(&p["activities"])).collect();
    assert!(
        rows.iter()
            .any(|a| !a["groups"].as_array().unwrap().is_empty())
    );
    assert!(rows.iter().any(|a| {
        a["targetGroups"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["label"] == "barn")
    }));
    let target = rows
        .iter()
        .flat_map(|a| a["targets"].as_array().unwrap())
        .next()
        .expect("a target");
    assert_eq!(target["indicator"]["unit"], "%");
    assert_eq!(target["baseline"], 96.6);
}

#[tokio::test]
async fn a_facknamnd_has_a_place_for_its_own_plans() {
    let app = spawn_app().await;
    let data = app
        .query(
            &operation("OrganizationPlans"),
            json!({ "slug": "skarpnack-sdf" }),
        )
        .await;
    let plans = nodes(&data["organization"]["actionPlans"]);
    assert_eq!(plans.len(), 2, "Skarpnäck's 2020 and 2022 plans: {plans:?}");
    assert!(plans.iter().all(|p| p["district"]["name"] == "Skarpnäck"));
    // A board's own plan, with no district, shows under the board.
    let admin = app.admin_token();
    let board_id = app
        .id_of(
            r#"{ organization(slug: "socialnamnden") { id } }"#,
            "/organization/id",
        )
        .await;
    let created = app
        .run_as(
            &admin,
            r#"mutation($owner: ID!) { createActionPlan(input: { owner: $owner, title: "Åtgärdsplan", startYear: 2025, endYear: 2026 }) { actionPlan { id district { name } owner { name } } userErrors { code message } } }"#,
            json!({ "owner": board_id }),
        )
        .await;
    let plan = &created["createActionPlan"];
    assert_eq!(plan["userErrors"], json!([]), "{created}");
    assert!(plan["actionPlan"]["district"].is_null());
    let data = app
        .query(
            &operation("OrganizationPlans"),
            json!({ "slug": "socialnamnden" }),
        )
        .await;
    let plans = nodes(&data["organization"]["actionPlans"]);
    assert_eq!(plans.len(), 1);
    assert!(plans[0]["district"].is_null());
}

#[tokio::test]
async fn bromma_and_spanga_tensta_show_their_groups_and_spanga_tenstas_reports_are_expected() {
    let app = spawn_app().await;
    for (slug, names) in [
        (
            "bromma",
            &[
                "Trygghetsrådet – Brommas lokala BRÅ",
                "Operativt BRÅ",
                "Styrgrupp BUS Bromma",
            ][..],
        ),
        ("spanga-tensta", &["Trefas", "SIG (social insatsgrupp)"][..]),
    ] {
        let data = app
            .query(
                &operation("GroupFollowUps"),
                json!({ "slug": slug, "year": 2021, "term": "T2" }),
            )
            .await;
        let groups = nodes(&data["district"]["collaborationGroups"]);
        for name in names {
            let group = groups
                .iter()
                .find(|g| g["name"] == *name)
                .unwrap_or_else(|| panic!("{slug} shows {name}: {groups:?}"));
            assert!(group["kind"].is_string());
        }
        assert!(
            groups
                .iter()
                .any(|g| !g["activities"].as_array().unwrap().is_empty()),
            "{slug}'s groups carry activities"
        );
    }
    let data = app
        .query(
            r#"{ followUpSummary(period: { year: 2021, term: T2 }) { district { slug } expected missing { id } } }"#,
            json!({}),
        )
        .await;
    let spanga = data["followUpSummary"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["district"]["slug"] == "spanga-tensta")
        .unwrap();
    assert_eq!(spanga["expected"], 22);
    assert_eq!(spanga["missing"], json!([]));
}
