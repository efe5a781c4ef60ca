#!/usr/bin/env python3
"""Helpers of bench/run.sh (standard library only).

  lib.py body OPERATION VARIABLES_JSON           request body of an operation of
                                                 tests/operations.graphql (or of
                                                 bench/operations.graphql)
  lib.py summarize OHA_JSON                      "requests rps p50 p95 p99 errors" (ms)
  lib.py load URL BODY TOKEN SECONDS CONCURRENCY fallback load generator; prints JSON
                                                 shaped like oha's
  lib.py update-driver URL TOKEN ID SECONDS      real updateCommitment edits, one after
                                                 another, each naming the version the
                                                 previous one returned; prints JSON
                                                 shaped like oha's
  lib.py metric METRICS_FILE NAME                sum of a Prometheus counter ("" if none)
  lib.py report RESULTS_TSV MACHINE_FILE OUT_MD  docs/benchmarks.md
"""

import http.client
import json
import os
import re
import statistics
import sys
import threading
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def operation(name, paths=("tests/operations.graphql", "bench/operations.graphql")):
    """The text of operation `name` (query/mutation/subscription) from the documents."""
    for path in paths:
        text = open(os.path.join(ROOT, path), encoding="utf-8").read()
        m = re.search(r"^(query|mutation|subscription)\s+" + re.escape(name) + r"\b", text, re.M)
        if not m:
            continue
        depth, i = 0, text.index("{", m.start())
        while True:
            c = text[i]
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth == 0:
                    return text[m.start() : i + 1]
            i += 1
    sys.exit(f"no operation {name}")


def body(name, variables):
    return json.dumps(
        {"query": operation(name), "operationName": name, "variables": json.loads(variables)}
    )


def summarize(path):
    data = json.load(open(path, encoding="utf-8"))
    summary = data.get("summary", {})
    pct = data.get("latencyPercentiles", {})
    codes = data.get("statusCodeDistribution", {})
    ok = sum(int(n) for code, n in codes.items() if str(code) == "200")
    requests = sum(int(n) for n in codes.values())
    errors = requests - ok + sum(int(n) for n in data.get("errorDistribution", {}).values())

    def ms(key):
        value = pct.get(key)
        return "nan" if value is None else f"{value * 1000:.2f}"

    rps = summary.get("requestsPerSec") or 0.0
    print(requests, f"{rps:.1f}", ms("p50"), ms("p95"), ms("p99"), errors)


class Client:
    def __init__(self, url, token):
        u = urllib.parse.urlparse(url)
        self.host, self.port, self.path = u.hostname, u.port, u.path
        self.headers = {"Content-Type": "application/json"}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)

    def post(self, payload):
        self.conn.request("POST", self.path, body=payload, headers=self.headers)
        resp = self.conn.getresponse()
        return resp.status, resp.read()


def percentile(sorted_values, q):
    if not sorted_values:
        return None
    k = min(len(sorted_values) - 1, max(0, int(round(q * (len(sorted_values) - 1)))))
    return sorted_values[k]


def oha_like(latencies, codes, errors, seconds):
    latencies.sort()
    return {
        "summary": {
            "requestsPerSec": len(latencies) / seconds if seconds else 0.0,
            "average": statistics.mean(latencies) if latencies else None,
        },
        "latencyPercentiles": {
            f"p{q}": percentile(latencies, q / 100) for q in (10, 25, 50, 75, 90, 95, 99)
        },
        "statusCodeDistribution": codes,
        "errorDistribution": errors,
    }


def load(url, body_file, token, seconds, concurrency):
    payload = open(body_file, "rb").read()
    deadline = time.monotonic() + float(seconds)
    latencies, codes, errors, lock = [], {}, {}, threading.Lock()

    def worker():
        client = Client(url, token)
        while time.monotonic() < deadline:
            t0 = time.monotonic()
            try:
                status, _ = client.post(payload)
            except Exception as e:  # noqa: BLE001 - counted, like oha does
                with lock:
                    errors[type(e).__name__] = errors.get(type(e).__name__, 0) + 1
                client = Client(url, token)
                continue
            dt = time.monotonic() - t0
            with lock:
                latencies.append(dt)
                codes[str(status)] = codes.get(str(status), 0) + 1

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(int(concurrency))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(json.dumps(oha_like(latencies, codes, errors, time.monotonic() - started)))




def update_driver(url, token, node_id, seconds):
    query = operation("UpdateCommitment")
    client = Client(url, token)
    deadline = time.monotonic() + float(seconds)
    latencies, codes, errors = [], {}, {}
    version, n = None, 0
    started = time.monotonic()
    # Read the current version once; then every edit names the version the last returned.
    status, raw = client.post(
        json.dumps(
            {
                "query": "query($id: ID!) { node(id: $id) { ... on Commitment { version } } }",
                "variables": {"id": node_id},
            }
        )
    )
    version = json.loads(raw)["data"]["node"]["version"]
    while time.monotonic() < deadline:
        n += 1
        payload = json.dumps(
            {
                "query": query,
                "operationName": "UpdateCommitment",
                "variables": {
                    "id": node_id,
                    "expectedVersion": version,
                    "text": f"Delge lägesbild varje månad (benchmark edit {n}).",
                },
            }
        )
        t0 = time.monotonic()
        status, raw = client.post(payload)
        latencies.append(time.monotonic() - t0)
        codes[str(status)] = codes.get(str(status), 0) + 1
        try:
            result = json.loads(raw)["data"]["updateCommitment"]
            if result["userErrors"]:
                errors["userError"] = errors.get("userError", 0) + 1
            version = result["commitment"]["version"]
        except (KeyError, TypeError, ValueError):
            errors["badResponse"] = errors.get("badResponse", 0) + 1
            break
    print(json.dumps(oha_like(latencies, codes, errors, time.monotonic() - started)))


def metric(path, name):
    total, found = 0.0, False
    for line in open(path, encoding="utf-8"):
        if line.startswith(name) and (line[len(name)] in " {"):
            total += float(line.rsplit(" ", 1)[1])
            found = True
    print(f"{total:.0f}" if found else "")


TARGETS = """\
| target | how it is judged |
|---|---|
| SQL statements per request ≤ depth + 1 | `samverkan_sql_statements_total` / requests (dashboard depth 8 → ≤ 9) |
| dashboard p50 within 2× of the raw SQL it needs | dashboard p50 at concurrency 1 ÷ time of `bench/dashboard.sql` run directly (`sqlite3` shell; `pgbench -M prepared` on PostgreSQL) |
| coverage over the national data set p95 < 250 ms on PostgreSQL | `coverage (GROUP_KIND)` p95 on the generated data set |
| RSS < 100 MB under load | peak RSS (VmHWM) of the server over each phase |
"""


def verdicts(rows, idx):
    """The targets, judged from the rows."""

    def num(r, key):
        try:
            return float(r[idx[key]])
        except (ValueError, IndexError):
            return None

    def find(db, phase, prefix, conc=None):
        for r in rows:
            if r[idx["db"]] == db and r[idx["phase"]] == phase and r[idx["scenario"]].startswith(prefix):
                if conc is None or r[idx["concurrency"]] == str(conc):
                    return r
        return None

    out = ["## Verdict", "", "| target | database | data set | measured | met? |", "|---|---|---|---|---|"]
    dbs = list(dict.fromkeys(r[idx["db"]] for r in rows))
    for db in dbs:
        phases = list(dict.fromkeys(r[idx["phase"]] for r in rows if r[idx["db"]] == db))
        for phase in phases:
            dash = find(db, phase, "dashboard", 1)
            raw = find(db, phase, "raw SQL")
            if dash and raw and num(dash, "p50") and num(raw, "p50"):
                ratio = num(dash, "p50") / num(raw, "p50")
                out.append(
                    f"| dashboard p50 ≤ 2× raw SQL | {db} | {phase} | {num(dash, 'p50'):.2f} ms vs "
                    f"{num(raw, 'p50'):.2f} ms = {ratio:.2f}× | {'yes' if ratio <= 2 else 'no'} |"
                )
            dash16 = find(db, phase, "dashboard", 16) or dash
            sql = num(dash16, "sql") if dash16 else None
            out.append(
                f"| SQL statements per request ≤ depth + 1 (dashboard: 9) | {db} | {phase} | "
                + (f"{sql:.1f} | {'yes' if sql <= 9 else 'no'} |" if sql is not None else "n/a | not measured here |")
            )
        national = [p for p in phases if p.startswith("national")]
        for phase in national:
            cov = find(db, phase, "coverage GROUP_KIND")
            if cov and num(cov, "p95") is not None:
                p95 = num(cov, "p95")
                target = db == "postgres"
                out.append(
                    f"| coverage p95 < 250 ms{'' if target else ' (target is for PostgreSQL)'} | {db} | {phase} | "
                    f"{p95:.1f} ms | {('yes' if p95 < 250 else 'no') if target else ('(yes)' if p95 < 250 else '(no)')} |"
                )
        rss = [num(r, "rss") for r in rows if r[idx["db"]] == db and num(r, "rss") is not None]
        if rss:
            out.append(
                f"| peak RSS < 100 MB under load | {db} | all | {max(rss):.1f} MB | {'yes' if max(rss) < 100 else 'no'} |"
            )
    out.append("")
    return out


def report(results_tsv, machine_file, out_md):
    rows = [line.rstrip("\n").split("\t") for line in open(results_tsv, encoding="utf-8")]
    header, rows = rows[0], rows[1:]
    idx = {h: i for i, h in enumerate(header)}
    machine = open(machine_file, encoding="utf-8").read()
    out = ["# Benchmarks", "", "Measured by `bash bench/run.sh` (see the README, *Benchmarks*).", ""]
    out += ["## Machine", "", machine.strip(), ""]
    out += ["## Targets", "", TARGETS]
    out += verdicts(rows, idx)
    peer = os.environ.get("BENCH_PEER_FILE")
    if peer and os.path.exists(peer) and open(peer, encoding="utf-8").read().strip():
        out += [open(peer, encoding="utf-8").read().strip(), ""]
    out += ["## Results", ""]
    cols = [
        ("database", "db"),
        ("data set", "phase"),
        ("scenario", "scenario"),
        ("conc.", "concurrency"),
        ("requests", "requests"),
        ("req/s", "rps"),
        ("p50 ms", "p50"),
        ("p95 ms", "p95"),
        ("p99 ms", "p99"),
        ("errors", "errors"),
        ("SQL/request", "sql"),
        ("peak RSS MB", "rss"),
    ]
    out.append("| " + " | ".join(c[0] for c in cols) + " |")
    out.append("|" + "---|" * len(cols))
    for r in rows:
        out.append("| " + " | ".join(r[idx[c[1]]] if c[1] in idx else "" for c in cols) + " |")
    out.append("")
    extra = os.environ.get("BENCH_NOTES_FILE")
    if extra and os.path.exists(extra):
        out += [open(extra, encoding="utf-8").read().strip(), ""]
    # The A/B comparisons and the history below the marker are kept from run to run.
    if os.path.exists(out_md):
        previous = open(out_md, encoding="utf-8").read()
        if KEEP_MARKER in previous:
            out += [KEEP_MARKER + previous.split(KEEP_MARKER, 1)[1].rstrip(), ""]
    open(out_md, "w", encoding="utf-8").write("\n".join(out))


KEEP_MARKER = "<!-- bench/run.sh keeps everything below this line -->"


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "body":
        print(body(*args))
    elif cmd == "summarize":
        summarize(*args)
    elif cmd == "load":
        load(*args)
    elif cmd == "update-driver":
        update_driver(*args)
    elif cmd == "metric":
        metric(*args)
    elif cmd == "report":
        report(*args)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
