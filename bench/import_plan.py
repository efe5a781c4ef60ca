#!/usr/bin/env python3
"""Write a national-size action plan (issue 15): one district's plan with N activities, as
XLSX (openpyxl) and CSV (UTF-8), in the importer's columns, for bench/import.sh.

    python3 bench/import_plan.py OUT_DIR [--rows 10000] [--changed 1000]

writes into OUT_DIR

- plan.xlsx / plan.csv: the plan, title row "Lokal handlingsplan för Bromma 2024–2026 …"
  (a new plan of Bromma under the 2024–2026 strategy), the heading row `Prioriterad
  utgångspunkt | Område | Mål och nytta | Metoder och arbetssätt | Ansvarig | Tidplan |
  Uppföljning`, then the rows;
- plan-changed.xlsx: the same with every (N / changed)-th row's "Mål och nytta" edited
  (`--changed` rows, 1,000 by default): re-imported over plan.xlsx it updates those.

Every name is the catalogue's (data/stockholm/catalogue.json, what `samverkan seed` loads):
the priority and focus areas of the 2024–2026 strategy, methods by their names and
abbreviations, and in "Ansvarig" organizations that serve Bromma by their exact names with
role titles — so the dry run reports N rows to create and no problem. Deterministic: the
same arguments write the same cells. The text is made up; no person is named.

Needs openpyxl (bench/import.sh installs it into a venv in its temp directory).
"""

import argparse
import csv
import json
import os

import openpyxl

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
CATALOGUE = os.path.join(ROOT, "data", "stockholm", "catalogue.json")
STRATEGY = "stockholm-2024-2026"
TITLE = ("Lokal handlingsplan för Bromma 2024–2026 i enlighet med Stockholms stads strategi "
         "för att förhindra att barn, unga och unga vuxna dras in i kriminalitet "
         "(nationell storlek)")
HEADINGS = ["Prioriterad utgångspunkt", "Område", "Mål och nytta", "Metoder och arbetssätt",
            "Ansvarig", "Tidplan", "Uppföljning"]
# Organizations serving Bromma (or the whole city), by their catalogue names, each with
# role titles the importer reads as roles.
RESPONSIBLE = [
    ("bromma-sdf", ["Preventionssamordnare", "Enhetschef"]),
    ("lpo-vallingby", ["Kommunpolis"]),
    ("utbildningsforvaltningen", ["Rektor", "Biträdande rektor"]),
    ("socialforvaltningen", ["Utvecklingsledare"]),
    ("idrottsforvaltningen", ["Fritidsledare"]),
]
# Methods named in the description: one or two per row (a quarter of the rows none).
METHODS = ["abc", "komet", "mvp", "sst", "sig", "mst", "fft", "tmo", "kbt", "sip",
           "skolfam", "stis", "iop", "atv", "ros", "losam"]
WORK = ["Samverkansmöten", "Föräldraträffar", "Trygghetsvandringar", "Skolsociala insatser",
        "Lovaktiviteter", "Kompetensutveckling för personal", "Uppsökande fältarbete",
        "Gemensam lägesbild"]
PLACES = ["Åkeshov", "Abrahamsberg", "Alvik", "Ängby", "Beckomberga", "Blackeberg",
          "Bromma kyrka", "Höglandet", "Nockeby", "Norra Ängby", "Olovslund", "Riksby",
          "Smedslätten", "Stora Mossen", "Traneberg", "Ulvsunda", "Västerled", "Äppelviken"]
TIMELINES = ["2024–2026", "2024", "2025–2026", "Löpande 2024–2026", "Från hösten 2024"]
SCHEDULES = ["T1, T2 och VB", "T2 och VB", "VB", "Årligen"]


def catalogue():
    with open(CATALOGUE, encoding="utf-8") as f:
        cat = json.load(f)
    strategy = next(s for s in cat["strategies"] if s["slug"] == STRATEGY)
    areas = [(pa["name"], fa["name"]) for pa in strategy["priorityAreas"]
             for fa in pa["focusAreas"]]
    methods = {m["slug"]: m for m in cat["methods"]}
    orgs = {o["slug"]: o["name"] for o in cat["organizations"]}
    return areas, methods, orgs


def rows(n, areas, methods, orgs):
    """The plan's rows: areas in blocks (a blank priority/focus area carries down)."""
    block = max(1, n // len(areas))
    out = []
    for i in range(n):
        pa, fa = areas[min(i // block, len(areas) - 1)]
        first = i == 0 or areas[min((i - 1) // block, len(areas) - 1)] != (pa, fa)
        place = PLACES[i % len(PLACES)]
        work = WORK[(i // 3) % len(WORK)]
        named = []
        if i % 4 != 3:
            named.append(methods[METHODS[i % len(METHODS)]])
            if i % 5 == 0:
                named.append(methods[METHODS[(i * 7 + 3) % len(METHODS)]])
        method_text = ""
        for j, m in enumerate(named):
            # By name, by abbreviation, or both, as the documents write them.
            if m.get("abbreviation") and (i + j) % 3 == 0:
                label = m["abbreviation"]
            elif m.get("abbreviation") and m["abbreviation"] != m["name"] and (i + j) % 3 == 1:
                label = f"{m['name']} ({m['abbreviation']})"
            else:
                label = m["name"]
            method_text += f" Arbetet följer {label}." if j == 0 else f" Även {label} används."
        description = (f"Aktivitet {i + 1}: {work} i {place} med fokus på {fa.lower()}."
                       f"{method_text}")
        goal = (f"Fler barn och unga i {place} ska ha en trygg vardag; "
                f"målet följs upp i aktivitet {i + 1}.")
        resp = []
        for k in range(1 + i % 3):
            slug, roles = RESPONSIBLE[(i + k) % len(RESPONSIBLE)]
            resp.append(f"{orgs[slug]}: {roles[(i + k) % len(roles)]}")
        out.append([pa if first else "", fa if first else "", goal, description,
                    "\n".join(resp), TIMELINES[i % len(TIMELINES)],
                    SCHEDULES[i % len(SCHEDULES)]])
    return out


def write_xlsx(path, data):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Handlingsplan"
    ws.append([TITLE])
    ws.append([])
    ws.append(HEADINGS)
    for row in data:
        ws.append([c if c != "" else None for c in row])
    wb.save(path)


def write_csv(path, data):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow([TITLE] + [""] * (len(HEADINGS) - 1))
        w.writerow([""] * len(HEADINGS))
        w.writerow(HEADINGS)
        w.writerows(data)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out")
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--changed", type=int, default=1_000)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    areas, methods, orgs = catalogue()
    data = rows(args.rows, areas, methods, orgs)
    write_xlsx(os.path.join(args.out, "plan.xlsx"), data)
    write_csv(os.path.join(args.out, "plan.csv"), data)
    step = max(1, args.rows // max(1, args.changed))
    changed = [list(r) for r in data]
    for i in range(0, args.rows, step)[: args.changed]:
        changed[i][2] += " Reviderat efter tertialrapporten."
    write_xlsx(os.path.join(args.out, "plan-changed.xlsx"), changed)
    for name in ("plan.xlsx", "plan.csv", "plan-changed.xlsx"):
        p = os.path.join(args.out, name)
        print(f"{p}: {os.path.getsize(p)} bytes")


if __name__ == "__main__":
    main()
