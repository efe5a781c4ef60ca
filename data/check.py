#!/usr/bin/env python3
"""Check the seed data in data/stockholm/*.json against data/FORMAT.md.

Python 3 standard library only. Run from anywhere:  python3 data/check.py
Checks: every key is one FORMAT.md allows, enum values, ISO dates, slug uniqueness,
and that every slug referenced (district, organization, strategy, area, method,
document, indicator, plan, group, situation picture, finding key) exists.
Exits 1 and lists the problems when anything is wrong.
"""
import datetime
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DIR = os.path.join(HERE, "stockholm")
PLAN_FILES = ["bromma-2019-2022.json", "skarpnack-2020.json",
              "spanga-tensta-2019-2022.json", "skarpnack-2022.json"]

ORG_KINDS = {"DISTRICT_ADMINISTRATION", "POLICE", "EDUCATION", "CITY_ADMINISTRATION", "REGION",
             "HOUSING_COMPANY", "TRANSIT", "SECURITY_COMPANY", "CIVIL_SOCIETY", "BUSINESS", "OTHER"}
GROUP_KINDS = {"SSPF", "SIG", "OPERATIVE_BRA", "LOCAL_BRA", "BUS", "YOUTH_DEPLOYMENT", "PLACE_BASED",
               "SAFETY_WALK", "DOMESTIC_VIOLENCE", "LOCAL_AGREEMENT", "OTHER"}
TERMS = {"T1", "T2", "ANNUAL"}
STATUSES = {"PLANNED", "ONGOING", "DONE", "PAUSED", "CANCELLED"}
OBLIGATION_KINDS = {"SITUATION_PICTURE", "CAUSE_ANALYSIS", "ACTION_PLAN", "FOLLOW_UP"}
SOURCE_KINDS = {"SAFETY_SURVEY", "STOCKHOLM_SURVEY", "SOCIAL_SERVICES_REPORT",
                "POLICE_SITUATION_PICTURE", "OTHER"}
SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

P = "provenance"
# key -> required?  (optional keys may be omitted; FORMAT.md gives their default)
KEYS = {
    "catalogue": {"municipality": 1, "documents": 1, "districts": 1, "organizations": 1, "strategies": 1,
                  "methods": 1, "obligations": 1, "indicators": 1, "measurements": 1},
    "plan_file": {"source": 1, "organizations": 0, "methods": 0, "actionPlans": 0, "collaborationAreas": 0,
                  "collaborationGroups": 0, "situationPictures": 0},
    "named": {"slug": 1, "name": 1},
    "document": {"slug": 1, "title": 1, "file": 1, "publisher": 1, "year": 1, P: 0},
    "organization": {"slug": 1, "name": 1, "kind": 1, "parent": 1, "districts": 1, P: 0},
    "strategy": {"slug": 1, "name": 1, "startYear": 1, "endYear": 1, "predecessor": 1, "description": 0,
                 "priorityAreas": 1, P: 0},
    "priority_area": {"slug": 1, "name": 1, "position": 1, "description": 0, "continues": 1,
                      "focusAreas": 1, P: 0},
    "focus_area": {"slug": 1, "name": 1, "position": 1, "description": 0, "continues": 1, P: 0},
    "method": {"slug": 1, "name": 1, "abbreviation": 1, "description": 1, P: 0},
    "obligation": {"strategy": 1, "organization": 1, "kind": 1, "year": 1, "term": 1, "dueOn": 1,
                   "note": 1, P: 0},
    "indicator": {"slug": 1, "name": 1, "unit": 1, "source": 1, "description": 1, P: 0},
    "measurement": {"indicator": 1, "district": 1, "year": 1, "term": 1, "value": 1, "note": 1, P: 0},
    "plan": {"slug": 1, "district": 1, "owner": 1, "strategy": 1, "basedOn": 1, "title": 1,
             "startYear": 1, "endYear": 1, "description": 1, "targets": 1, "activities": 1, P: 0},
    "activity": {"priorityArea": 1, "focusArea": 1, "goal": 1, "description": 1, "methods": 1,
                 "responsibilities": 1, "responsibleText": 1, "timeline": 1, "startYear": 1, "endYear": 1,
                 "followUpSchedule": 1, "followUpTerms": 1, "followUps": 1, "groups": 1,
                 "targetGroups": 1, "targets": 1, P: 0},
    "responsibility": {"organization": 1, "role": 1, P: 0},
    "follow_up": {"year": 1, "term": 1, "status": 1, "effects": 1, "asOf": 1, "reportedBy": 1, P: 0},
    "target": {"indicator": 1, "baseline": 1, "baselineYear": 1, "value": 1, "year": 1, "text": 1, P: 0},
    "target_group": {"label": 1, "ageFrom": 1, "ageTo": 1},
    "area": {"slug": 1, "district": 1, "name": 1, "goal": 1, "situation": 1, "groups": 1, P: 0},
    "group": {"slug": 1, "district": 0, "name": 1, "kind": 1, "kinds": 1, "subtitle": 1, "purpose": 1, "situation": 1,
              "term": 1, "termEndsOn": 1, "validFrom": 1, "validUntil": 1, "sourcePlan": 1,
              "meetingCadence": 1, "convener": 1, "financing": 1, "communication": 1,
              "followUpCadence": 1, "followUpTerms": 1, "otherParticipants": 1, "participations": 1,
              "commitments": 1, P: 0},
    "participation": {"organization": 1, "contactRole": 1, "otherParticipants": 1, "isConvener": 1,
                      "attendance": 0, P: 0},
    "commitment": {"organization": 1, "text": 1, P: 0},
    "picture": {"slug": 1, "organization": 1, "strategy": 1, "title": 1, "asOf": 1, "summary": 1,
                "cityWide": 1, "districts": 1, "sources": 1, "findings": 1, "causeAnalysis": 1, P: 0},
    "source": {"kind": 1, "name": 1, "year": 1},
    "finding": {"key": 1, "text": 1, "priorityArea": 1, "focusArea": 1, P: 0},
    "cause_analysis": {"asOf": 1, "summary": 1, "causes": 1, P: 0},
    "cause": {"text": 1, "findings": 1},
    "provenance": {"document": 0, "inferred": 1, "note": 1},
}

problems = []


def err(where, msg):
    problems.append(f"{where}: {msg}")


def keys(obj, kind, where):
    if not isinstance(obj, dict):
        err(where, f"expected an object ({kind})")
        return False
    spec = KEYS[kind]
    for k in obj:
        if k not in spec:
            err(where, f"unknown key {k!r} in {kind}")
    for k, req in spec.items():
        if req and k not in obj:
            err(where, f"missing key {k!r} in {kind}")
    if P in obj and kind != "provenance":
        check_provenance(obj[P], where + ".provenance")
    return True


def check_provenance(p, where):
    if p is None:
        return
    if not keys(p, "provenance", where):
        return
    if not isinstance(p.get("inferred"), bool):
        err(where, "inferred must be true or false")
    if p.get("inferred") and not p.get("note"):
        err(where, "an inferred record needs a note saying why")
    if "document" in p and p["document"] is not None:
        refs.append((where, "document", p["document"]))


def is_date(v):
    try:
        datetime.date.fromisoformat(v)
        return isinstance(v, str) and len(v) == 10
    except (TypeError, ValueError):
        return False


def opt_date(v, where, name):
    if v is not None and not is_date(v):
        err(where, f"{name} must be an ISO date yyyy-mm-dd or null, got {v!r}")


def opt_int(v, where, name):
    if v is not None and not (isinstance(v, int) and not isinstance(v, bool)):
        err(where, f"{name} must be an integer or null, got {v!r}")


def opt_num(v, where, name):
    if v is not None and not (isinstance(v, (int, float)) and not isinstance(v, bool)):
        err(where, f"{name} must be a number or null, got {v!r}")


def enum(v, allowed, where, name, nullable=False):
    if v is None and nullable:
        return
    if v not in allowed:
        err(where, f"{name} {v!r} is not one of {sorted(allowed)}")


# registries: kind -> {slug: where}
defs = {k: {} for k in ("district", "organization", "strategy", "priorityArea", "focusArea", "method",
                        "document", "indicator", "plan", "group", "picture", "area")}
refs = []  # (where, kind, slug)
area_strategy = {}      # area slug -> strategy slug
focus_parent = {}       # focus slug -> priority slug
strategy_pred = {}      # strategy slug -> predecessor slug
continues = []          # (where, level, area slug, continued slug)
org_info = {}
plans = {}


def define(kind, slug, where):
    if not isinstance(slug, str) or not SLUG_RE.match(slug):
        err(where, f"bad slug {slug!r}")
    if slug in defs[kind]:
        err(where, f"duplicate {kind} slug {slug!r} (also {defs[kind][slug]})")
    defs[kind][slug] = where


def ref(where, kind, slug, nullable=False):
    if slug is None:
        if not nullable:
            err(where, f"{kind} reference must not be null")
        return
    refs.append((where, kind, slug))


def load(name):
    path = os.path.join(DIR, name)
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, json.JSONDecodeError) as e:
        err(name, f"cannot read: {e}")
        return None


def check_org(o, where):
    if not keys(o, "organization", where):
        return
    define("organization", o["slug"], where)
    org_info[o["slug"]] = o
    enum(o.get("kind"), ORG_KINDS, where, "kind")
    ref(where, "organization", o.get("parent"), nullable=True)
    for d in o.get("districts") or []:
        ref(where, "district", d)


def check_method(m, where):
    if keys(m, "method", where):
        define("method", m["slug"], where)


def check_catalogue(c):
    w = "catalogue.json"
    if not keys(c, "catalogue", w):
        return
    keys(c["municipality"], "named", w + ".municipality")
    for i, d in enumerate(c["documents"]):
        wd = f"{w}.documents[{i}]"
        if keys(d, "document", wd):
            define("document", d["slug"], wd)
            if not str(d.get("file", "")).endswith(".txt"):
                err(wd, "file must be the .txt name of the source document")
            opt_int(d.get("year"), wd, "year")
    for i, d in enumerate(c["districts"]):
        if keys(d, "named", f"{w}.districts[{i}]"):
            define("district", d["slug"], f"{w}.districts[{i}]")
    for i, o in enumerate(c["organizations"]):
        check_org(o, f"{w}.organizations[{i}]({o.get('slug')})")
    for i, s in enumerate(c["strategies"]):
        ws = f"{w}.strategies[{i}]({s.get('slug')})"
        if not keys(s, "strategy", ws):
            continue
        define("strategy", s["slug"], ws)
        strategy_pred[s["slug"]] = s.get("predecessor")
        ref(ws, "strategy", s.get("predecessor"), nullable=True)
        for pa in s["priorityAreas"]:
            wp = f"{ws}.{pa.get('slug')}"
            if not keys(pa, "priority_area", wp):
                continue
            define("priorityArea", pa["slug"], wp)
            area_strategy[pa["slug"]] = s["slug"]
            if pa.get("continues") is not None:
                continues.append((wp, "priorityArea", pa["slug"], pa["continues"]))
            for fa in pa["focusAreas"]:
                wf = f"{wp}.{fa.get('slug')}"
                if not keys(fa, "focus_area", wf):
                    continue
                define("focusArea", fa["slug"], wf)
                area_strategy[fa["slug"]] = s["slug"]
                focus_parent[fa["slug"]] = pa["slug"]
                if fa.get("continues") is not None:
                    continues.append((wf, "focusArea", fa["slug"], fa["continues"]))
    for i, m in enumerate(c["methods"]):
        check_method(m, f"{w}.methods[{i}]({m.get('slug')})")
    for i, o in enumerate(c["obligations"]):
        wo = f"{w}.obligations[{i}]"
        if not keys(o, "obligation", wo):
            continue
        ref(wo, "strategy", o["strategy"])
        ref(wo, "organization", o["organization"])
        enum(o["kind"], OBLIGATION_KINDS, wo, "kind")
        enum(o["term"], TERMS, wo, "term", nullable=True)
        opt_int(o["year"], wo, "year")
        opt_date(o["dueOn"], wo, "dueOn")
        if o["kind"] == "FOLLOW_UP" and (o["year"] is None or o["term"] is None):
            err(wo, "a FOLLOW_UP obligation names its year and term")
        if o["kind"] != "FOLLOW_UP" and o["term"] is not None:
            err(wo, "term is only for FOLLOW_UP obligations")
    seen = set()
    for o in c["obligations"]:
        k = (o.get("strategy"), o.get("organization"), o.get("kind"), o.get("year"), o.get("term"))
        if k in seen:
            err(w, f"duplicate obligation {k}")
        seen.add(k)
    for i, ind in enumerate(c["indicators"]):
        wi = f"{w}.indicators[{i}]"
        if keys(ind, "indicator", wi):
            define("indicator", ind["slug"], wi)
    for i, m in enumerate(c["measurements"]):
        wm = f"{w}.measurements[{i}]"
        if not keys(m, "measurement", wm):
            continue
        ref(wm, "indicator", m["indicator"])
        ref(wm, "district", m["district"], nullable=True)
        enum(m["term"], TERMS, wm, "term", nullable=True)
        opt_int(m["year"], wm, "year")
        if m["year"] is None:
            err(wm, "year is required")
        opt_num(m["value"], wm, "value")
        if m["value"] is None:
            err(wm, "value is required")


def check_targets(ts, where):
    for i, t in enumerate(ts):
        wt = f"{where}.targets[{i}]"
        if not keys(t, "target", wt):
            continue
        ref(wt, "indicator", t["indicator"])
        opt_num(t["baseline"], wt, "baseline")
        opt_num(t["value"], wt, "value")
        opt_int(t["baselineYear"], wt, "baselineYear")
        opt_int(t["year"], wt, "year")


def check_group(g, where, district_required):
    if not keys(g, "group", where):
        return
    if not district_required and "district" in g:
        err(where, "a group inside a collaboration area takes the area's district (no district key)")
    if district_required:
        if "district" not in g:
            err(where, "a group in collaborationGroups needs a district")
        else:
            ref(where, "district", g["district"])
    define("group", g["slug"], where)
    enum(g["kind"], GROUP_KINDS, where, "kind")
    kinds = g["kinds"]
    if not isinstance(kinds, list) or not kinds:
        err(where, "kinds must be a non-empty list")
    else:
        for k in kinds:
            enum(k, GROUP_KINDS, where, "kinds[]")
        if kinds[0] != g["kind"]:
            err(where, "kind must equal kinds[0]")
        if len(set(kinds)) != len(kinds):
            err(where, "kinds repeats a kind")
    for n in ("termEndsOn", "validFrom", "validUntil"):
        opt_date(g[n], where, n)
    if g["validFrom"] and g["validUntil"] and g["validFrom"] > g["validUntil"]:
        err(where, "validFrom is after validUntil")
    ref(where, "plan", g["sourcePlan"], nullable=True)
    for t in g["followUpTerms"]:
        enum(t, TERMS, where, "followUpTerms[]")
    orgs_seen = set()
    for i, p in enumerate(g["participations"]):
        wp = f"{where}.participations[{i}]"
        if keys(p, "participation", wp):
            ref(wp, "organization", p["organization"])
            if p["organization"] in orgs_seen:
                err(wp, "organization takes two seats")
            orgs_seen.add(p["organization"])
            if not isinstance(p["isConvener"], bool):
                err(wp, "isConvener must be a boolean")
    for i, cm in enumerate(g["commitments"]):
        wc = f"{where}.commitments[{i}]"
        if keys(cm, "commitment", wc):
            ref(wc, "organization", cm["organization"])


def check_plan_file(name, d):
    w = name
    if not keys(d, "plan_file", w):
        return
    src = d["source"]
    for i, o in enumerate(d.get("organizations", [])):
        check_org(o, f"{w}.organizations[{i}]")
    for i, m in enumerate(d.get("methods", [])):
        check_method(m, f"{w}.methods[{i}]")
    refs.append((w + ".source", "document_file", src))
    for p in d.get("actionPlans", []):
        wp = f"{w}.{p.get('slug')}"
        if not keys(p, "plan", wp):
            continue
        define("plan", p["slug"], wp)
        plans[p["slug"]] = (wp, p)
        ref(wp, "district", p["district"], nullable=True)
        ref(wp, "organization", p["owner"])
        ref(wp, "strategy", p["strategy"], nullable=True)
        ref(wp, "picture", p["basedOn"], nullable=True)
        opt_int(p["startYear"], wp, "startYear")
        opt_int(p["endYear"], wp, "endYear")
        check_targets(p["targets"], wp)
        for i, a in enumerate(p["activities"]):
            wa = f"{wp}.activities[{i}]"
            if not keys(a, "activity", wa):
                continue
            ref(wa, "priorityArea", a["priorityArea"], nullable=True)
            ref(wa, "focusArea", a["focusArea"], nullable=True)
            if a["focusArea"] and a["priorityArea"] and focus_parent.get(a["focusArea"], a["priorityArea"]) != a["priorityArea"]:
                err(wa, f"focus area {a['focusArea']} is not under {a['priorityArea']}")
            for area in (a["priorityArea"], a["focusArea"]):
                if area and p["strategy"] and area_strategy.get(area, p["strategy"]) != p["strategy"]:
                    err(wa, f"{area} is not an area of the plan's strategy {p['strategy']}")
            for m in a["methods"]:
                ref(wa, "method", m)
            for j, r in enumerate(a["responsibilities"]):
                if keys(r, "responsibility", f"{wa}.responsibilities[{j}]"):
                    ref(wa, "organization", r["organization"])
            opt_int(a["startYear"], wa, "startYear")
            opt_int(a["endYear"], wa, "endYear")
            for t in a["followUpTerms"]:
                enum(t, TERMS, wa, "followUpTerms[]")
            for j, f in enumerate(a["followUps"]):
                wf = f"{wa}.followUps[{j}]"
                if not keys(f, "follow_up", wf):
                    continue
                enum(f["term"], TERMS, wf, "term")
                enum(f["status"], STATUSES, wf, "status")
                opt_date(f["asOf"], wf, "asOf")
                ref(wf, "organization", f["reportedBy"], nullable=True)
                if f["term"] not in a["followUpTerms"]:
                    err(wf, f"follow-up for {f['term']} but followUpTerms is {a['followUpTerms']} (it would not be expected)")
            for gslug in a["groups"]:
                ref(wa, "group", gslug)
            if len(set(a["groups"])) != len(a["groups"]):
                err(wa, "groups repeats a group")
            for j, tgp in enumerate(a["targetGroups"]):
                wt = f"{wa}.targetGroups[{j}]"
                if not keys(tgp, "target_group", wt):
                    continue
                if not tgp["label"]:
                    err(wt, "label is required")
                opt_int(tgp["ageFrom"], wt, "ageFrom")
                opt_int(tgp["ageTo"], wt, "ageTo")
                if tgp["ageFrom"] is not None and tgp["ageTo"] is not None and tgp["ageFrom"] > tgp["ageTo"]:
                    err(wt, "ageFrom is greater than ageTo")
            check_targets(a["targets"], wa)
    for ar in d.get("collaborationAreas", []):
        wa = f"{w}.{ar.get('slug')}"
        if not keys(ar, "area", wa):
            continue
        define("area", ar["slug"], wa)
        ref(wa, "district", ar["district"])
        for g in ar["groups"]:
            check_group(g, f"{wa}.{g.get('slug')}", False)
    for g in d.get("collaborationGroups", []):
        check_group(g, f"{w}.collaborationGroups.{g.get('slug')}", True)
    for sp in d.get("situationPictures", []):
        ws = f"{w}.{sp.get('slug')}"
        if not keys(sp, "picture", ws):
            continue
        define("picture", sp["slug"], ws)
        ref(ws, "organization", sp["organization"])
        ref(ws, "strategy", sp["strategy"], nullable=True)
        opt_date(sp["asOf"], ws, "asOf")
        if not isinstance(sp["cityWide"], bool):
            err(ws, "cityWide must be a boolean")
        if sp["cityWide"] and sp["districts"]:
            err(ws, "a city-wide picture lists no districts")
        if not sp["cityWide"] and not sp["districts"]:
            err(ws, "a district picture lists its districts")
        for dd in sp["districts"]:
            ref(ws, "district", dd)
        for i, so in enumerate(sp["sources"]):
            if keys(so, "source", f"{ws}.sources[{i}]"):
                enum(so["kind"], SOURCE_KINDS, f"{ws}.sources[{i}]", "kind")
                opt_int(so["year"], f"{ws}.sources[{i}]", "year")
        fkeys = set()
        for i, f in enumerate(sp["findings"]):
            wf = f"{ws}.findings[{i}]"
            if not keys(f, "finding", wf):
                continue
            if f["key"] in fkeys:
                err(wf, f"duplicate finding key {f['key']!r}")
            fkeys.add(f["key"])
            ref(wf, "priorityArea", f["priorityArea"], nullable=True)
            ref(wf, "focusArea", f["focusArea"], nullable=True)
            for area in (f["priorityArea"], f["focusArea"]):
                if area and sp["strategy"] and area_strategy.get(area, sp["strategy"]) != sp["strategy"]:
                    err(wf, f"{area} is not an area of the picture's strategy")
        ca = sp["causeAnalysis"]
        if ca is not None and keys(ca, "cause_analysis", ws + ".causeAnalysis"):
            opt_date(ca["asOf"], ws + ".causeAnalysis", "asOf")
            for i, cz in enumerate(ca["causes"]):
                wc = f"{ws}.causeAnalysis.causes[{i}]"
                if keys(cz, "cause", wc):
                    for k in cz["findings"]:
                        if k not in fkeys:
                            err(wc, f"finding key {k!r} is not a finding of this picture")


def main():
    cat = load("catalogue.json")
    if cat is not None:
        check_catalogue(cat)
    files = {}
    for name in PLAN_FILES:
        d = load(name)
        if d is not None:
            files[name] = d
            check_plan_file(name, d)
    doc_files = {d.get("file") for d in (cat or {}).get("documents", [])}
    for where, kind, slug in refs:
        if kind == "document_file":
            if slug not in doc_files:
                err(where, f"source {slug!r} is not the file of a document in catalogue.json")
        elif slug not in defs[kind]:
            err(where, f"unknown {kind} {slug!r}")
    # lineage: a continued area belongs to the predecessor strategy, same level
    for where, level, slug, cont in continues:
        if cont not in defs[level]:
            err(where, f"continues unknown {level} {cont!r}")
            continue
        pred = strategy_pred.get(area_strategy.get(slug))
        if pred is None or area_strategy.get(cont) != pred:
            err(where, f"continues {cont!r}, which is not an area of the predecessor strategy {pred!r}")
    # a district plan's owner is that district's administration
    for slug, (wp, p) in plans.items():
        o = org_info.get(p["owner"])
        if p["district"] and o and not (o["kind"] == "DISTRICT_ADMINISTRATION" and p["district"] in o["districts"]):
            err(wp, f"owner {p['owner']} is not {p['district']}'s DISTRICT_ADMINISTRATION")
    if problems:
        print("\n".join(problems))
        print(f"{len(problems)} problem(s)")
        sys.exit(1)
    counts = {k: len(v) for k, v in defs.items()}
    print("ok:", ", ".join(f"{k} {n}" for k, n in counts.items()))


if __name__ == "__main__":
    main()
