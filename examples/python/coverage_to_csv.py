#!/usr/bin/env python3
"""Pull Samverkan's coverage matrix and follow-up summary into CSV files.

A nightly script for the city's analysts. With a long-lived, read-only service token it
asks the GraphQL API which kinds of collaboration group each district has, and how the
districts' activities stand at one reporting period, and writes two CSV files (UTF-8,
names exactly as the districts wrote them, "Skarpnäck", "Spånga-Tensta"):

    coverage-group-kind.csv          one row per district, one column per group kind
                                     (SSPF, SIG, ...), a `total` column and a totals row
    follow-up-summary-YEAR-TERM.csv  one row per district: its follow-ups per status,
                                     how many the activities' schedules expect, and the
                                     activities still missing (IDs and goals)

Setup and run (from the repository's root; Python 3.10 or later):

    python3 -m venv .venv
    .venv/bin/pip install -r examples/python/requirements.txt
    export SAMVERKAN_TOKEN="$(samverkan token --sub coverage-script \\
        --org socialforvaltningen --role VIEWER --ttl 365d)"
    .venv/bin/python examples/python/coverage_to_csv.py --out reports/

Environment:
    SAMVERKAN_URL    the GraphQL endpoint (default http://127.0.0.1:8000/graphql)
    SAMVERKAN_TOKEN  the bearer token (required); the VIEWER role is all it needs

Options:
    --out DIR        where to write the files (default: the current directory)
    --year, --term   the reporting period of the follow-up summary. Default: the most
                     recent period that has ended, i.e. whose state in
                     `reportingPeriods` is DUE (report owed) or CLOSED (past its due
                     date), looking at last year and this year. With only --year (or
                     only --term): the most recent ended period of that year (or term).

The operations CoverageByGroupKind and FollowUpSummary are sent exactly as the users'
scripts write them (tests/operations.graphql in the repository); two small companion
queries fetch what those leave out (the coverage totals and the expected counts).

Exit status: 0 when both files were written, 1 when the server refused or failed,
2 on bad usage (e.g. no token).
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from gql import Client, GraphQLRequest, gql
from gql.client import SyncClientSession
from gql.transport.exceptions import (
    TransportConnectionFailed,
    TransportError,
    TransportQueryError,
    TransportServerError,
)
from gql.transport.requests import RequestsHTTPTransport

DEFAULT_URL = "http://127.0.0.1:8000/graphql"
TERMS = ("T1", "T2", "ANNUAL")
ENDED_STATES = ("DUE", "CLOSED")
MINT_HINT = (
    "mint a service token with: samverkan token --sub coverage-script "
    "--org socialforvaltningen --role VIEWER --ttl 365d"
)

Json = dict[str, Any]
Table = list[list[object]]

# --- The users' operations, verbatim from tests/operations.graphql ------------------

COVERAGE_BY_GROUP_KIND = gql(
    """
query CoverageByGroupKind {
  coverage(dimension: GROUP_KIND) {
    keys
    rows { district { name } cells { key count } }
    gaps { district { name } key }
  }
}
"""
)

FOLLOW_UP_SUMMARY = gql(
    """
query FollowUpSummary($year: Int!, $term: Term!) {
  followUpSummary(period: { year: $year, term: $term }) {
    district { name }
    byStatus { status count }
    missing { id goal }
  }
}
"""
)

# --- Companion queries: what the users' operations leave out -------------------------

COVERAGE_TOTALS = gql(
    """
query CoverageTotals {
  coverage(dimension: GROUP_KIND) {
    columns { key label total }
    rows { district { name } total }
    total
  }
}
"""
)

FOLLOW_UP_EXPECTED = gql(
    """
query FollowUpExpected($year: Int!, $term: Term!) {
  followUpSummary(period: { year: $year, term: $term }) {
    district { name }
    expected
  }
}
"""
)

REPORTING_PERIODS = gql(
    """
query ReportingPeriods($year: Int) {
  reportingPeriods(year: $year) {
    period { year term }
    endsOn
    state
  }
}
"""
)


class ScriptError(Exception):
    """A failure to tell the user in one message, without a traceback."""


def execute(
    session: SyncClientSession, request: GraphQLRequest, variables: Json | None = None
) -> Json:
    """Run one operation and return its `data` (errors raise, see `explain`)."""
    if variables is not None:
        request = GraphQLRequest(request, variable_values=variables)
    return session.execute(request)


def explain(error: TransportError, url: str) -> str:
    """Turn a gql transport error into a message a script's owner can act on."""

    def unauthenticated(detail: str) -> str:
        return (
            f"the server refused the token (HTTP 401: {detail}): SAMVERKAN_TOKEN is "
            f"missing, expired or invalid for this server; {MINT_HINT}"
        )

    if isinstance(error, TransportQueryError):
        # Samverkan answers a bad token with HTTP 401 and a GraphQL error whose
        # extensions.code is UNAUTHENTICATED; gql hands us the error list.
        errors: list[Json] = error.errors or []
        codes = [(e.get("extensions") or {}).get("code") for e in errors]
        if "UNAUTHENTICATED" in codes:
            return unauthenticated(
                str(errors[codes.index("UNAUTHENTICATED")].get("message"))
            )
        messages = [
            f"{e.get('message', e)} ({code})" if code else str(e.get("message", e))
            for e, code in zip(errors, codes, strict=True)
        ]
        return "the server answered with errors: " + "; ".join(messages or [str(error)])
    if isinstance(error, TransportServerError):
        if error.code == 401:
            return unauthenticated(str(error))
        return f"the server at {url} answered HTTP {error.code}: {error}"
    if isinstance(error, TransportConnectionFailed):
        return f"cannot reach {url} (is the server up, SAMVERKAN_URL right?): {error}"
    return f"unexpected answer from {url} (not a Samverkan endpoint?): {error}"


def choose_period(
    session: SyncClientSession, year: int | None, term: str | None
) -> tuple[int, str]:
    """The period asked for, or the most recent one that has ended (DUE or CLOSED)."""
    if year is not None and term is not None:
        return year, term
    periods: list[Json] = execute(session, REPORTING_PERIODS, {"year": year})[
        "reportingPeriods"
    ]
    ended = [
        p
        for p in periods
        if p["state"] in ENDED_STATES and (term is None or p["period"]["term"] == term)
    ]
    if not ended:
        raise ScriptError(
            "no reporting period has ended yet"
            + (f" in {year}" if year is not None else "")
            + "; pass --year and --term"
        )
    latest = max(ended, key=lambda p: p["endsOn"])  # ISO dates sort as text
    return latest["period"]["year"], latest["period"]["term"]


def same_districts(a: list[Json], b: list[Json]) -> Iterator[tuple[Json, Json]]:
    """Pair two answers' per-district rows, which the server lists in one order."""
    if [r["district"]["name"] for r in a] != [r["district"]["name"] for r in b]:
        raise ScriptError(
            "two answers listed different districts (data changed?); run again"
        )
    return zip(a, b, strict=True)


def coverage_table(matrix: Json, totals: Json) -> Table:
    """District × group kind counts, with a `total` column and a totals row."""
    keys: list[str] = matrix["keys"]
    table: Table = [["district", *keys, "total"]]
    for row, row_total in same_districts(matrix["rows"], totals["rows"]):
        counts = {cell["key"]: cell["count"] for cell in row["cells"]}
        table.append(
            [
                row["district"]["name"],
                *(counts.get(k, 0) for k in keys),
                row_total["total"],
            ]
        )
    column_totals = {column["key"]: column["total"] for column in totals["columns"]}
    table.append(["total", *(column_totals.get(k, 0) for k in keys), totals["total"]])
    return table


def follow_up_table(summary: list[Json], expected: list[Json]) -> Table:
    """Per district: follow-ups per status, expected, and the activities missing."""
    statuses: list[str] = []
    for row in summary:
        statuses += [
            s["status"] for s in row["byStatus"] if s["status"] not in statuses
        ]
    table: Table = [
        ["district", *statuses, "expected", "missing", "missing_ids", "missing_goals"]
    ]
    for row, row_expected in same_districts(summary, expected):
        counts = {s["status"]: s["count"] for s in row["byStatus"]}
        missing: list[Json] = row["missing"]
        table.append(
            [
                row["district"]["name"],
                *(counts.get(s, 0) for s in statuses),
                row_expected["expected"],
                len(missing),
                " ".join(activity["id"] for activity in missing),
                " | ".join((activity["goal"] or "").strip() for activity in missing),
            ]
        )
    return table


def write_csv(path: Path, table: Table) -> None:
    """Write rows as UTF-8 CSV (no BOM; Swedish letters as they are)."""
    with path.open("w", encoding="utf-8", newline="") as file:
        csv.writer(file).writerows(table)


def export(
    session: SyncClientSession, out: Path, year: int | None, term: str | None
) -> None:
    """Fetch both reports and write their CSV files into `out`."""
    matrix = execute(session, COVERAGE_BY_GROUP_KIND)["coverage"]
    totals = execute(session, COVERAGE_TOTALS)["coverage"]
    coverage_path = out / "coverage-group-kind.csv"
    write_csv(coverage_path, coverage_table(matrix, totals))
    print(
        f"wrote {coverage_path}: {len(matrix['rows'])} districts × "
        f"{len(matrix['keys'])} group kinds, {len(matrix['gaps'])} gaps"
    )

    year, term = choose_period(session, year, term)
    period = {"year": year, "term": term}
    summary = execute(session, FOLLOW_UP_SUMMARY, period)["followUpSummary"]
    expected = execute(session, FOLLOW_UP_EXPECTED, period)["followUpSummary"]
    summary_path = out / f"follow-up-summary-{year}-{term}.csv"
    write_csv(summary_path, follow_up_table(summary, expected))
    missing = sum(len(row["missing"]) for row in summary)
    print(f"wrote {summary_path}: {year} {term}, {missing} reports missing")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Write Samverkan's coverage and a follow-up summary as CSV.",
        epilog=f"Environment: SAMVERKAN_URL (default {DEFAULT_URL}), "
        "SAMVERKAN_TOKEN (required).",
    )
    parser.add_argument(
        "--out", type=Path, default=Path("."), help="output directory (default: .)"
    )
    parser.add_argument(
        "--year", type=int, help="year of the follow-up period, e.g. 2021"
    )
    parser.add_argument("--term", choices=TERMS, help="term of the follow-up period")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    url = os.environ.get("SAMVERKAN_URL") or DEFAULT_URL
    token = os.environ.get("SAMVERKAN_TOKEN", "").strip()
    if not token:
        print(f"error: SAMVERKAN_TOKEN is not set; {MINT_HINT}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)

    transport = RequestsHTTPTransport(
        url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60, retries=0
    )
    try:
        with Client(transport=transport, fetch_schema_from_transport=False) as session:
            export(session, args.out, args.year, args.term)
    except TransportError as error:
        print(f"error: {explain(error, url)}", file=sys.stderr)
        return 1
    except (ScriptError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
