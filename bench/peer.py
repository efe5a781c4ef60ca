#!/usr/bin/env python3
"""Samverkan beside its peer, PostGraphile 4.14, on one PostgreSQL database (issue 17).

  python3 bench/peer.py pick URL
      the districts the comparison uses, picked by size by SQL: "LARGE MEDIAN" (slugs)
  python3 bench/peer.py run --bin BINARY --database-url URL [--seconds 5] [--rounds 4]
                            [--raw-sql FILE] [--raw-ms MS] [--data-set LABEL] [--out FILE]

`run` starts the service (bench/ab.py's Server) and PostGraphile (bench/peer/server.js,
installed by `npm ci --prefix bench/peer`) on the same database, checks that each
workload's operation returns the same objects on both sides (exits 1 when not), then
runs every workload in interleaved rounds (service, peer, peer, service, …) at
concurrency 1 and 8 — reads with oha when installed (else, and for the update,
bench/lib.py's keep-alive threads) — and writes a
Markdown table: req/s, p50/p95, server CPU per request (user + system of the server
process from /proc), SQL statements per request (the service's
samverkan_sql_statements_total; the peer's pool counter), peak RSS (VmHWM), the ratios,
and the targets of issue 17 marked met or not. The update workload edits commitments
(the largest district's first; the service eight of its own, the peer eight others).

The yardstick of the large dashboard, its raw SQL (`--raw-sql`, bench/dashboard.sql with
`__SLUG__` for the district), is measured in the same rounds: after each of the
service's rounds of that dashboard at concurrency 1, pgbench runs the file as long over
one connection with prepared statements, and every run's time comes from pgbench's
transaction log (`-l`) — so the p50 of the service and the p50 of its raw SQL are taken
side by side, under the same load of the machine. Without pgbench, `--raw-ms` (a mean
measured beforehand) stands in.
"""

import argparse
import base64
import datetime
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ab  # noqa: E402
import lib  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
PEER_OPS = (os.path.join(HERE, "peer", "operations.graphql"),)
CONCURRENCIES = (1, 8)
# The load generator of the reads: oha (a compiled one) when it is installed, unless
# BENCH_LOADGEN=python; the update workload always uses Python threads.
OHA = shutil.which("oha") is not None and os.environ.get("BENCH_LOADGEN") != "python"
WRITERS = max(CONCURRENCIES)
SERVICE, PEER = "Samverkan", "PostGraphile"

# Districts by size: activities plus follow-ups of their action plans.
DISTRICTS_BY_SIZE = """
SELECT * FROM (SELECT d.slug, d.id,
       (SELECT count(*) FROM activity a JOIN action_plan p ON p.id = a.action_plan_id
         WHERE p.district_id = d.id) AS activities,
       (SELECT count(*) FROM follow_up f JOIN activity a ON a.id = f.activity_id
         JOIN action_plan p ON p.id = a.action_plan_id WHERE p.district_id = d.id) AS follow_ups,
       (SELECT count(*) FROM commitment c JOIN collaboration_group g ON g.id = c.group_id
         WHERE g.district_id = d.id) AS commitments
  FROM district d) s
 ORDER BY activities + follow_ups DESC, id
"""


def sql(url, query):
    """Rows of `query` (psql, unaligned), each a list of strings."""
    out = subprocess.run(
        ["psql", "-X", "-qAt", "-F", "\t", url, "-c", query], check=True, capture_output=True, text=True
    ).stdout
    return [line.split("\t") for line in out.splitlines() if line]


def pick(url):
    """The largest district and the median one (by activities + follow-ups)."""
    rows = sql(url, DISTRICTS_BY_SIZE)
    fields = ("slug", "id", "activities", "follow_ups", "commitments")
    large, median = rows[0], rows[len(rows) // 2]
    most = max(rows, key=lambda r: (int(r[4]), -int(r[1])))
    return [dict(zip(fields, r)) for r in (large, median, most)], len(rows)


def pg_cpu_seconds(database):
    """CPU (user + system) of each PostgreSQL backend serving `database` so far, by PID:
    the processes titled "postgres: … USER DATABASE HOST(PORT) …"."""
    total = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            title = open(f"/proc/{pid}/cmdline", "rb").read().decode(errors="replace")
            if not title.startswith("postgres: ") or f" {database} " not in title:
                continue
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
            total[pid] = (int(fields[11]) + int(fields[12])) / ab.TICK
        except (OSError, IndexError, ValueError):
            continue
    return total


def pg_cpu_growth(before, database):
    """The backends' CPU since `before` (pg_cpu_seconds): the rounds take turns, so the
    growth is the round's side's. A backend that ended in between is left out (its last
    part uncounted), one that started counts from zero."""
    now = pg_cpu_seconds(database)
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in now.items())


def node_id(kind, n):
    return base64.urlsafe_b64encode(f"{kind}:{n}".encode()).decode().rstrip("=")


def depth(text):
    """Nesting depth of an operation's selection sets (the operation's own braces count,
    inline fragments and input-object arguments do not): the dashboard's is 8."""
    level, best, parens, stack = 0, 0, 0, []
    for m in re.finditer(r"\.\.\.\s*on\s+\w+\s*\{|[{}()]", text):
        tok = m.group(0)
        if tok == "(":
            parens += 1
        elif tok == ")":
            parens -= 1
        elif parens:
            continue
        elif tok == "}":
            level -= stack.pop()
        else:
            counted = 0 if tok.startswith("...") else 1
            stack.append(counted)
            level += counted
            best = max(best, level)
    return best


class Peer:
    """PostGraphile (bench/peer/server.js) with ab.Server's interface."""

    def __init__(self, url, workdir):
        self.label, self.token = PEER, ""
        env = dict(os.environ, DATABASE_URL=url, PORT="0", NODE_ENV="production")
        self.log = open(os.path.join(workdir, "peer.log"), "w+")
        self.proc = subprocess.Popen(
            ["node", os.path.join(HERE, "peer", "server.js")], env=env, stdout=self.log, stderr=self.log
        )
        self.port = ab.wait_for_port(
            self.proc, self.log, r"PostGraphile is up at http://127\.0\.0\.1:(\d+)/graphql", 120, "PostGraphile"
        )
        self.url = f"http://127.0.0.1:{self.port}/graphql"

    cpu_seconds = ab.Server.cpu_seconds
    rss_mb = ab.Server.rss_mb
    stop = ab.Server.stop

    def statements(self):
        import urllib.request

        return float(urllib.request.urlopen(f"http://127.0.0.1:{self.port}/statements").read())


def body(side, name, variables):
    paths = PEER_OPS if side == PEER else ("tests/operations.graphql", "bench/operations.graphql")
    return json.dumps({"query": lib.operation(name, paths), "operationName": name, "variables": variables})


# --- the same objects ---------------------------------------------------------------------

RENAMES = {
    "districtBySlug": "district",
    "commitmentById": "node",
    "allCommitments": "commitments",
    "collaborationGroupByGroupId": "group",
    "activityMethodsByActivityId": "methods",
    "methodByMethodId": None,  # unwrapped: the method itself
}


def canon(value, key=None):
    """A side's answer in one form: PostGraphile's relation names as the service's, its
    connections without a page as lists, the service's IDs as row numbers, periods flat,
    lists as sorted multisets; timestamps and cursors left out."""
    if isinstance(value, list):
        items = [canon(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    if isinstance(value, dict):
        if set(value) == {"nodes"}:
            return canon(value["nodes"])
        if set(value) == {"methodByMethodId"}:
            return canon(value["methodByMethodId"])
        out = {}
        for k, v in value.items():
            if k in ("updatedAt", "pageInfo", "__typename"):
                continue
            name = RENAMES.get(k, re.sub(r"By[A-Z]\w*Id$", "", k))
            if k == "period" and isinstance(v, dict):
                out.update(canon(v))
                continue
            out[name] = canon(v, name)
        return out
    if key == "id" and isinstance(value, str):
        try:
            return int(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode().split(":", 1)[1])
        except (ValueError, IndexError):
            return value
    if key in ("kind", "status", "term") and isinstance(value, str):
        return value.upper().replace("-", "_")
    return value


def first_difference(a, b, path="data"):
    if type(a) is not type(b):
        return f"{path}: {json.dumps(a, ensure_ascii=False)[:200]} vs {json.dumps(b, ensure_ascii=False)[:200]}"
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return f"{path}.{k}: only on {'the peer' if k in b else 'the service'}"
            d = first_difference(a[k], b[k], f"{path}.{k}")
            if d:
                return d
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items vs {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_difference(x, y, f"{path}[{i}]")
            if d:
                return d
        return None
    return None if a == b else f"{path}: {a!r} vs {b!r}"


def ask(side, payload):
    status, raw = lib.Client(side.url, side.token).post(payload)
    answer = json.loads(raw)
    if status != 200 or answer.get("errors") or answer.get("data") is None:
        sys.exit(f"{side.label} answered {status}: {raw[:2000]!r}")
    return answer["data"]


def same_objects(name, service, peer, sbody, pbody):
    """Exit loudly unless both sides answer the same objects; the number of objects."""
    a, b = canon(ask(service, sbody)), canon(ask(peer, pbody))
    diff = first_difference(a, b)
    if diff:
        sys.exit(f"peer check failed for {name}: the two sides differ at {diff}")
    return sum(1 for _ in re.finditer(r'"id":', json.dumps(a)))


# --- workloads ------------------------------------------------------------------------------


class Read:
    """A query with one body per side."""

    def __init__(self, name, depth, service_body, peer_body):
        self.name, self.depth, self.write = name, depth, False
        self.bodies = {SERVICE: service_body.encode(), PEER: peer_body.encode()}

    def payload(self, side, worker):
        return self.bodies[side]

    def accept(self, side, worker, raw):
        return b'"errors"' not in raw


class Update:
    """Real edits: each writer edits its own commitment, naming the version it has."""

    def __init__(self, name, depth, url, ids):
        self.name, self.depth, self.write = name, depth, True
        self.ids = ids
        self.versions = {}
        self.n = 0
        rows = sql(url, f"SELECT id, version FROM commitment WHERE id IN ({','.join(map(str, ids[SERVICE] + ids[PEER]))})")
        current = {int(i): int(v) for i, v in rows}
        for side in (SERVICE, PEER):
            self.versions[side] = [current[i] for i in ids[side]]

    def payload(self, side, worker):
        self.n += 1
        row, v = self.ids[side][worker], self.versions[side][worker]
        text = f"Delge lägesbild varje månad (benchmark edit {self.n})."
        if side == SERVICE:
            variables = {"id": node_id("Commitment", row), "expectedVersion": v, "text": text}
        else:
            at = datetime.datetime.now(datetime.timezone.utc).isoformat()
            variables = {"id": row, "text": text, "version": v + 1, "at": at}
        return body(side, "UpdateCommitment", variables).encode()

    def accept(self, side, worker, raw):
        try:
            data = json.loads(raw)["data"]
            result = data["updateCommitment"] if side == SERVICE else data["updateCommitmentById"]
            if result.get("userErrors"):
                return False
            self.versions[side][worker] = result["commitment"]["version"]
            return True
        except (KeyError, TypeError, ValueError):
            return False


def measure(side, wl, seconds, conc):
    """Requests of `wl` to `side` for `seconds` from `conc` connections: (latencies in
    seconds, failures, seconds spent). Reads go through oha when it is there (one fixed
    body, one worker thread), the update through Python threads (each request names
    the version the previous answer gave)."""
    if OHA and not wl.write:
        return measure_oha(side, wl, seconds, conc)
    return measure_threads(side, wl, seconds, conc)


def measure_oha(side, wl, seconds, conc):
    """oha's run of a read: every request's duration and status from its CSV output. A
    response that is not 200 is a failure; the bodies were checked before (same_objects)."""
    with tempfile.NamedTemporaryFile(suffix=".json") as f:
        f.write(wl.payload(side.label, 0))
        f.flush()
        cmd = ["oha", "--no-tui", "--output-format", "csv", "--worker-threads", "1", "-w"]
        cmd += ["-z", f"{seconds:g}s", "-c", str(conc), "-m", "POST", "-T", "application/json", "-D", f.name]
        if side.token:
            cmd += ["-H", f"Authorization: Bearer {side.token}"]
        started = time.monotonic()
        out = subprocess.run(cmd + [side.url], check=True, capture_output=True, text=True).stdout
        spent = time.monotonic() - started
    latencies, failures, end = [], 0, 0.0
    for line in out.splitlines()[1:]:
        cols = line.split(",")
        if len(cols) < 7:
            continue
        start, duration = float(cols[0]), float(cols[4])
        latencies.append(duration)
        failures += 0 if cols[6] == "200" else 1
        end = max(end, start + duration)
    # oha's own clock: from its first request to the last answer (its start-up left out).
    return latencies, failures, end or spent


def measure_raw(url, sql_file, seconds, workdir):
    """pgbench's runs of `sql_file` for `seconds` over one connection, statements
    prepared (`-M prepared`): the time of each run in seconds, from its transaction log."""
    prefix = os.path.join(workdir, "raw")
    for old in os.listdir(workdir):
        if old.startswith("raw."):
            os.remove(os.path.join(workdir, old))
    cmd = ["pgbench", "-n", "-M", "prepared", "-c", "1", "-T", f"{max(1, round(seconds))}"]
    cmd += ["-f", sql_file, "-l", f"--log-prefix={prefix}", url]
    subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=workdir)
    latencies = []
    for name in os.listdir(workdir):
        if name.startswith("raw."):
            for line in open(os.path.join(workdir, name)):
                cols = line.split()
                # client_id transaction_no time(µs) script_no time_epoch time_us
                if len(cols) >= 3 and cols[2].isdigit():
                    latencies.append(int(cols[2]) / 1e6)
    return latencies


def measure_threads(side, wl, seconds, conc):
    deadline = time.monotonic() + seconds
    latencies, failures, lock = [], [0], threading.Lock()

    def worker(i):
        client = lib.Client(side.url, side.token)
        while time.monotonic() < deadline:
            payload = wl.payload(side.label, i)
            t0 = time.monotonic()
            status, raw = client.post(payload)
            dt = time.monotonic() - t0
            ok = status == 200 and wl.accept(side.label, i, raw)
            with lock:
                latencies.append(dt)
                failures[0] += 0 if ok else 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(conc)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, failures[0], time.monotonic() - started


def run(args):
    (large, median, most), n_districts = pick(args.database_url)
    work = tempfile.mkdtemp(prefix="samverkan-peer.")
    service = ab.Server(SERVICE, args.bin, args.database_url, work)
    peer = Peer(args.database_url, work)
    sides = [service, peer]
    try:
        return compare(args, service, peer, sides, large, median, most, n_districts, work)
    finally:
        for s in sides:
            s.stop()


def compare(args, service, peer, sides, large, median, most, n_districts, work):
    url = args.database_url
    # The raw SQL of the large dashboard, measured beside the service's rounds of it.
    raw_sql = None
    if args.raw_sql and shutil.which("pgbench"):
        raw_sql = os.path.join(work, "raw-dashboard.sql")
        with open(args.raw_sql, encoding="utf-8") as f:
            text = f.read().replace("__SLUG__", large["slug"])
        with open(raw_sql, "w", encoding="utf-8") as f:
            f.write(text)
    raw_lat = []
    # The commitments the workloads read and edit: the largest district's first.
    commitments = [
        int(r[0])
        for r in sql(
            url,
            "SELECT c.id FROM commitment c JOIN collaboration_group g ON g.id = c.group_id "
            f"WHERE g.archived_at IS NULL ORDER BY g.district_id <> {int(large['id'])}, c.id LIMIT {2 * WRITERS}",
        )
    ]
    if len(commitments) < 2 * WRITERS:
        sys.exit(f"{len(commitments)} commitments; the update workload needs {2 * WRITERS}")
    # The read of one commitment comes before any edit.
    one = commitments[0]
    ids = {SERVICE: commitments[:WRITERS], PEER: commitments[WRITERS : 2 * WRITERS]}

    def read(name, op, svc_vars, peer_vars):
        sb, pb = body(SERVICE, op, svc_vars), body(PEER, op, peer_vars)
        objects = same_objects(name, service, peer, sb, pb)
        print(f"[peer] same objects on both sides: {name} ({objects} objects)", file=sys.stderr)
        return Read(name, depth(lib.operation(op)), sb, pb)

    def dash(d):
        return f"district dashboard, {d['slug']} ({d['activities']} activities, {d['follow_ups']} follow-ups)"

    workloads = [
        read(dash(large), "DistrictDashboard", {"slug": large["slug"]}, {"slug": large["slug"]}),
        read(dash(median), "DistrictDashboard", {"slug": median["slug"]}, {"slug": median["slug"]}),
        read("one commitment by ID", "OneCommitment", {"id": node_id("Commitment", one)}, {"id": one}),
        read(
            f"50 commitments of {most['slug']} (most commitments: {most['commitments']}) with organization, group, totalCount",
            "CommitmentsOfDistrict",
            {"district": node_id("District", int(most["id"]))},
            {"district": int(most["id"])},
        ),
        read("a page of 100 commitments with organization, group, district", "CommitmentsPage", {}, {}),
    ]
    update = Update("updateCommitment, real edits (one commitment per connection)", depth(lib.operation("UpdateCommitment")), url, ids)
    # The edit of one side is what the other reads.
    for side, other, reader in ((service, peer, PEER), (peer, service, SERVICE)):
        ok = update.accept(side.label, 0, lib.Client(side.url, side.token).post(update.payload(side.label, 0))[1])
        if not ok:
            sys.exit(f"peer check failed: {side.label}'s updateCommitment was not accepted")
        row = ids[side.label][0]
        variables = {"id": node_id("Commitment", row)} if reader == SERVICE else {"id": row}
        seen = canon(ask(other, body(reader, "OneCommitment", variables)))["node"]
        current = sql(url, f"SELECT text, version FROM commitment WHERE id = {row}")[0]
        if [seen["text"], str(seen["version"])] != current or seen["version"] != update.versions[side.label][0]:
            sys.exit(f"peer check failed: {side.label}'s edit of commitment {row} reads {seen} on {reader}, {current} in the database")
    print("[peer] same objects on both sides: updateCommitment (each side reads the other's edit)", file=sys.stderr)
    workloads.append(update)

    database = url.rsplit("/", 1)[1].split("?", 1)[0]
    rows = []
    for wl in workloads:
        for conc in CONCURRENCIES:
            stats = {s.label: {"lat": [], "cpu": 0.0, "pg": 0.0, "sql": 0.0, "fail": 0, "time": 0.0} for s in sides}
            with_raw = raw_sql is not None and wl is workloads[0] and conc == 1
            for s in sides:  # warm both (caches, prepared statements, JIT)
                measure(s, wl, 1, conc)
            if with_raw:
                measure_raw(url, raw_sql, 1, work)
            for r in range(args.rounds):
                for s in sides if r % 2 == 0 else list(reversed(sides)):
                    cpu0, sql0, pg0 = s.cpu_seconds(), s.statements(), pg_cpu_seconds(database)
                    lat, fail, spent = measure(s, wl, args.seconds, conc)
                    st = stats[s.label]
                    st["cpu"] += s.cpu_seconds() - cpu0
                    st["pg"] += pg_cpu_growth(pg0, database)
                    st["sql"] += s.statements() - sql0
                    st["lat"] += lat
                    st["fail"] += fail
                    st["time"] += spent
                    if with_raw and s is service:
                        raw_lat += measure_raw(url, raw_sql, args.seconds, work)
            for s in sides:
                st = stats[s.label]
                lat, n = sorted(st["lat"]), max(len(st["lat"]), 1)
                rows.append(
                    {
                        "workload": wl.name,
                        "depth": wl.depth,
                        "write": wl.write,
                        "conc": conc,
                        "side": s.label,
                        "requests": len(lat),
                        "rps": len(lat) / st["time"] if st["time"] else 0.0,
                        "p50": (lib.percentile(lat, 0.5) or 0) * 1000,
                        "p95": (lib.percentile(lat, 0.95) or 0) * 1000,
                        "cpu": st["cpu"] / n * 1000,
                        "pg": st["pg"] / n * 1000,
                        "sql": st["sql"] / n,
                        "fail": st["fail"],
                    }
                )
                print("[peer] " + json.dumps(rows[-1], ensure_ascii=False), file=sys.stderr)
    rss = {s.label: s.rss_mb() for s in sides}
    raw = None
    if raw_lat:
        raw_lat.sort()
        raw = {
            "runs": len(raw_lat),
            "p50": lib.percentile(raw_lat, 0.5) * 1000,
            "p95": lib.percentile(raw_lat, 0.95) * 1000,
        }
        print("[peer] raw SQL " + json.dumps(raw), file=sys.stderr)
    text = report(args, rows, rss, large, median, n_districts, raw)
    print(text)
    if args.out:
        open(args.out, "w", encoding="utf-8").write(text)
    return 0


def report(args, rows, rss, large, median, n_districts, raw=None):
    def get(wl, conc, side):
        return next(r for r in rows if r["workload"] == wl and r["conc"] == conc and r["side"] == side)

    out = [
        f"## Beside PostGraphile 4.14 (issue 17){': ' + args.data_set if args.data_set else ''}",
        "",
        f"`bench/peer.py`: the service and PostGraphile {peer_version()} (`bench/peer/server.js`) on the same "
        f"PostgreSQL database, {args.rounds} interleaved rounds of {args.seconds:g} s per side "
        f"(service, peer, peer, service, …) after 1 s of warm-up each, the same load generator for both: {loadgen()}. "
        f"Districts picked by SQL among {n_districts}: the largest by "
        f"activities + follow-ups, `{large['slug']}`, and the median one, `{median['slug']}`; for the list of one "
        "district's commitments the district with the most. Every workload was "
        "first checked to return the same objects on both sides.",
        "",
        "| workload | conc. | side | requests | req/s | p50 ms | p95 ms | server CPU ms/request | PostgreSQL CPU ms/request | SQL/request | failures |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        out.append(
            f"| {r['workload']} | {r['conc']} | {r['side']} | {r['requests']} | {r['rps']:.1f} | {r['p50']:.2f} | "
            f"{r['p95']:.2f} | {r['cpu']:.2f} | {r.get('pg', 0):.2f} | {r['sql']:.1f} | {r['fail']} |"
        )
    out += [
        "",
        f"Peak RSS (VmHWM) after all workloads: {SERVICE} {rss[SERVICE]:.1f} MB, {PEER} {rss[PEER]:.1f} MB "
        f"({rss[SERVICE] / rss[PEER]:.2f}×).",
        "",
    ]
    if raw:
        out += [
            f"Raw SQL of the large dashboard (bench/dashboard.sql for `{large['slug']}`), run by pgbench "
            f"(`-M prepared`, one connection) for {args.seconds:g} s after each of the service's rounds of that "
            f"dashboard at concurrency 1: {raw['runs']} runs, p50 {raw['p50']:.2f} ms, p95 {raw['p95']:.2f} ms.",
            "",
        ]
    out += [
        f"| workload | conc. | throughput {SERVICE}/{PEER} | p50 {SERVICE}/{PEER} | server CPU {SERVICE}/{PEER} | PostgreSQL CPU {SERVICE}/{PEER} |",
        "|---|---|---|---|---|---|",
    ]
    names = list(dict.fromkeys(r["workload"] for r in rows))
    for wl in names:
        for conc in CONCURRENCIES:
            a, b = get(wl, conc, SERVICE), get(wl, conc, PEER)
            out.append(
                f"| {wl} | {conc} | {ratio(a['rps'], b['rps'])} | {ratio(a['p50'], b['p50'])} | {ratio(a['cpu'], b['cpu'])} | {ratio(a['pg'], b['pg'])} |"
            )

    verdicts = []
    for wl in names:
        a, b = get(wl, 8, SERVICE), get(wl, 8, PEER)
        if a["write"]:
            for conc in CONCURRENCIES:
                a, b = get(wl, conc, SERVICE), get(wl, conc, PEER)
                verdicts.append((f"`updateCommitment` ≥ PostGraphile's update, concurrency {conc}", f"{a['rps']:.0f} vs {b['rps']:.0f} req/s = {ratio(a['rps'], b['rps'])}", a["rps"] >= b["rps"]))
        else:
            verdicts.append((f"≥ 2× PostGraphile's throughput at concurrency 8: {wl}", f"{a['rps']:.0f} vs {b['rps']:.0f} req/s = {ratio(a['rps'], b['rps'])}", a["rps"] >= 2 * b["rps"]))
    large_wl = names[0]
    if raw:
        p50 = get(large_wl, 1, SERVICE)["p50"]
        how = "pgbench -M prepared over one connection, in the same rounds as the service"
        verdicts.append((f"large-district dashboard p50 ≤ 1.5× its raw SQL (bench/dashboard.sql, {how}; p50 of each)", f"{p50:.2f} ms vs {raw['p50']:.2f} ms = {p50 / raw['p50']:.2f}×", p50 <= 1.5 * raw["p50"]))
    elif args.raw_ms:
        p50 = get(large_wl, 1, SERVICE)["p50"]
        verdicts.append((f"large-district dashboard p50 ≤ 1.5× its raw SQL (bench/dashboard.sql, {args.raw_how})", f"{p50:.2f} ms vs {args.raw_ms:.2f} ms = {p50 / args.raw_ms:.2f}×", p50 <= 1.5 * args.raw_ms))
    for wl in names:
        worst = max(get(wl, c, SERVICE)["sql"] for c in CONCURRENCIES)
        d = get(wl, 1, SERVICE)["depth"]
        verdicts.append((f"SQL statements per request ≤ depth + 1: {wl}", f"{worst:.1f} (depth {d}: ≤ {d + 1})", worst <= d + 1))
    verdicts.append(("peak RSS ≤ 100 MB", f"{rss[SERVICE]:.1f} MB", rss[SERVICE] <= 100))
    verdicts.append(("peak RSS ≤ half of PostGraphile's", f"{rss[SERVICE]:.1f} vs {rss[PEER]:.1f} MB", rss[SERVICE] <= rss[PEER] / 2))
    out += [
        "",
        "What each side does that the other does not: the service verifies a bearer token (JWT) on every "
        "request, applies its read and edit rules and the query complexity limit, and its `updateCommitment` "
        "checks the editor's right to the commitment, checks `expectedVersion` (a stale edit is a `CONFLICT`) "
        "and writes an audit event in the same transaction. PostGraphile runs as a city would start it "
        "without writing policies: no JWT, no row-level security (the service's tables have none), no "
        "complexity limit; its `updateCommitmentById` writes the text, version and time the client sends, "
        "with no version check, no rule and no audit event. PostGraphile needs the connection-filter plugin "
        "for the district filter (a relation filter); its `methods` go through `activityMethodsByActivityId`. "
        "SQL/request: the service's `samverkan_sql_statements_total`, the peer's count of the queries its pool "
        "sends (`bench/peer/server.js`), transaction control (BEGIN, COMMIT) left out on both sides. Server CPU "
        "is the server process's own (user + system, /proc); PostgreSQL CPU that of the database's backends "
        "(processes titled with the database's name) over the side's rounds. PostGraphile is one Node.js "
        "process (one thread runs JavaScript), the service uses both cores. The load generator shares the "
        "two cores with both servers and PostgreSQL.",
    ]
    out += ["", "| target (issue 17) | measured | met? |", "|---|---|---|"]
    out += [f"| {t} | {m} | {'met' if ok else '**not met**'} |" for t, m, ok in verdicts]
    out.append("")
    return "\n".join(out)


def loadgen():
    """What sent the requests, for the report."""
    threads = "bench/lib.py's Python keep-alive threads"
    if not OHA:
        return threads
    version = subprocess.run(["oha", "--version"], capture_output=True, text=True).stdout.strip()
    return f"{version} (one worker thread, keep-alive; its CSV of every request) for the reads, {threads} for the update (each edit names the version the previous answer gave)"


def ratio(a, b):
    return f"{a / b:.2f}×" if b else "n/a"


def peer_version():
    try:
        return json.load(open(os.path.join(HERE, "peer", "node_modules", "postgraphile", "package.json")))["version"]
    except OSError:
        return "4.14"


def main():
    # On SIGTERM, leave through the `finally` that stops both servers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if len(sys.argv) > 1 and sys.argv[1] == "pick":
        (large, median, _), _ = pick(sys.argv[2])
        print(large["slug"], median["slug"])
        return 0
    p = argparse.ArgumentParser()
    p.add_argument("cmd", choices=["run"])
    p.add_argument("--bin", required=True)
    p.add_argument("--database-url", required=True)
    p.add_argument("--seconds", type=float, default=5)
    p.add_argument("--rounds", type=int, default=4)
    p.add_argument("--raw-sql", help="bench/dashboard.sql: measured beside the service's rounds")
    p.add_argument("--raw-ms", type=float, help="the raw SQL's mean, when pgbench is missing")
    p.add_argument("--raw-how", default="pgbench -M prepared")
    p.add_argument("--data-set", default="")
    p.add_argument("--out")
    return run(p.parse_args())


if __name__ == "__main__":
    sys.exit(main())
