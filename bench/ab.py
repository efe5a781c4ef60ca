#!/usr/bin/env python3
"""Interleaved A/B of two server binaries on one database (standard library only).

  python3 bench/ab.py --a LABEL=BINARY --b LABEL=BINARY --database-url URL
                      [--rounds 6] [--seconds 3] [--slug gen-0001-01] [--out FILE]

Starts both binaries on the same database (each on its own port, with the same JWT
secret), then runs every scenario in rounds: A, B, B, A, A, B, … so that neither side
always goes first on a warm or a cold machine. Per scenario and side it reports the
latency percentiles over all rounds, the server's CPU time per request (user + system,
from /proc/PID/stat, so the load generator's own work is not counted), SQL statements
per request (`samverkan_sql_statements_total` from /metrics) and the peak RSS (VmHWM);
and B's figures as a ratio of A's. The database is only read (the scenarios are
queries). Used for issue 13's before/after table in docs/benchmarks.md.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402

SECRET = "bench-secret-bench-secret-bench-secret-0123"
TICK = os.sysconf("SC_CLK_TCK")


def wait_for_port(proc, log, pattern, seconds, what):
    """The port a started server names in its log (`pattern`'s first group), read from
    `log` until it appears, the process ends or `seconds` pass (then exit with the log)."""
    for _ in range(int(seconds * 10)):
        log.seek(0)
        m = re.search(pattern, log.read())
        if m:
            return int(m.group(1))
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    log.seek(0)
    sys.exit(f"{what} did not start:\n{log.read()}")


class Server:
    def __init__(self, label, binary, url, workdir):
        self.label, self.binary = label, binary
        env = dict(os.environ)
        env.update(
            DATABASE_URL=url,
            SAMVERKAN_ADDR="127.0.0.1:0",
            SAMVERKAN_JWT_SECRET=SECRET,
            SAMVERKAN_RATE_LIMIT_PER_MINUTE="0",
            SAMVERKAN_SEED_ON_START="false",
            RUST_LOG="warn,samverkan=info,api=info",
        )
        self.env = env
        self.log = open(os.path.join(workdir, f"{label}.log"), "w+")
        self.proc = subprocess.Popen([binary, "serve"], env=env, stdout=self.log, stderr=self.log)
        self.port = wait_for_port(
            self.proc, self.log, r"Samverkan is up: \w+ at http://127\.0\.0\.1:(\d+)/graphql", 60, label
        )
        self.url = f"http://127.0.0.1:{self.port}/graphql"
        self.token = subprocess.run(
            [binary, "token", "--sub", "bench", "--org", "socialforvaltningen", "--role", "ADMIN", "--ttl", "1d"],
            env=env, check=True, capture_output=True, text=True,
        ).stdout.strip()

    def cpu_seconds(self):
        fields = open(f"/proc/{self.proc.pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK

    def rss_mb(self):
        for line in open(f"/proc/{self.proc.pid}/status"):
            if line.startswith("VmHWM"):
                return int(line.split()[1]) / 1024
        return 0.0

    def statements(self):
        import urllib.request

        text = urllib.request.urlopen(f"http://127.0.0.1:{self.port}/metrics").read().decode()
        return sum(
            float(line.split()[-1])
            for line in text.splitlines()
            if line.startswith("samverkan_sql_statements_total")
        )

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)


def run(server, payload, seconds, concurrency):
    """Requests for `seconds` from `concurrency` threads: (latencies, failures)."""
    deadline = time.monotonic() + seconds
    latencies, failures, lock = [], [0], threading.Lock()

    def worker():
        client = lib.Client(server.url, server.token)
        while time.monotonic() < deadline:
            t0 = time.monotonic()
            status, body = client.post(payload)
            dt = time.monotonic() - t0
            ok = status == 200 and b'"errors"' not in body
            with lock:
                latencies.append(dt)
                if not ok:
                    failures[0] += 1

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, failures[0]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--a", required=True)
    p.add_argument("--b", required=True)
    p.add_argument("--database-url", required=True)
    p.add_argument("--rounds", type=int, default=6)
    p.add_argument("--seconds", type=float, default=3)
    p.add_argument("--slug", default="gen-0001-01")
    p.add_argument("--out")
    args = p.parse_args()

    scenarios = [
        ("dashboard", 1, lib.body("DistrictDashboard", json.dumps({"slug": args.slug}))),
        ("coverage GROUP_KIND, all districts", 4, lib.body("CoverageByGroupKind", "{}")),
        ("coverage ORGANIZATION_KIND × COMMITMENTS", 4, lib.body("CoverageByOrganizationKind", "{}")),
        (
            "commitments(first: 100) with organizations and groups",
            1,
            json.dumps({"query": "{ commitments(first: 100) { nodes { text organization { name kind } group { name district { name } } } } }"}),
        ),
    ]
    work = tempfile.mkdtemp(prefix="samverkan-ab.")
    sides = []
    for spec in (args.a, args.b):
        label, binary = spec.split("=", 1)
        sides.append(Server(label, binary, args.database_url, work))
    rows = []
    try:
        for name, conc, payload in scenarios:
            stats = {s.label: {"lat": [], "cpu": 0.0, "n": 0, "sql": 0.0, "fail": 0} for s in sides}
            # Warm both (caches, prepared statements).
            for s in sides:
                run(s, payload, 1, conc)
            for r in range(args.rounds):
                order = sides if r % 2 == 0 else list(reversed(sides))
                for s in order:
                    cpu0, sql0 = s.cpu_seconds(), s.statements()
                    lat, fail = run(s, payload, args.seconds, conc)
                    st = stats[s.label]
                    st["cpu"] += s.cpu_seconds() - cpu0
                    st["sql"] += s.statements() - sql0
                    st["lat"] += lat
                    st["n"] += len(lat)
                    st["fail"] += fail
            for s in sides:
                st = stats[s.label]
                lat = sorted(st["lat"])
                rows.append(
                    {
                        "scenario": name,
                        "conc": conc,
                        "side": s.label,
                        "requests": st["n"],
                        "p50": lib.percentile(lat, 0.5) * 1000,
                        "p95": lib.percentile(lat, 0.95) * 1000,
                        "cpu": st["cpu"] / max(st["n"], 1) * 1000,
                        "sql": st["sql"] / max(st["n"], 1),
                        "rss": s.rss_mb(),
                        "fail": st["fail"],
                    }
                )
                print(json.dumps(rows[-1]), file=sys.stderr)
    finally:
        for s in sides:
            s.stop()

    a, b = sides[0].label, sides[1].label
    out = [
        f"| scenario | conc. | side | requests | p50 ms | p95 ms | server CPU ms/request | SQL/request | peak RSS MB | failures |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        out.append(
            f"| {r['scenario']} | {r['conc']} | {r['side']} | {r['requests']} | {r['p50']:.2f} | {r['p95']:.2f} | {r['cpu']:.2f} | {r['sql']:.1f} | {r['rss']:.1f} | {r['fail']} |"
        )
    out.append("")
    out.append(f"| scenario | p50 {b}/{a} | p95 {b}/{a} | CPU {b}/{a} |")
    out.append("|---|---|---|---|")
    for name, _, _ in scenarios:
        ra = next(r for r in rows if r["scenario"] == name and r["side"] == a)
        rb = next(r for r in rows if r["scenario"] == name and r["side"] == b)
        out.append(
            f"| {name} | {rb['p50'] / ra['p50']:.2f} | {rb['p95'] / ra['p95']:.2f} | {rb['cpu'] / ra['cpu']:.2f} |"
        )
    text = "\n".join(out) + "\n"
    print(text)
    if args.out:
        open(args.out, "w").write(text)


if __name__ == "__main__":
    main()
